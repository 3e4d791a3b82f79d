// The workspace folders of a session: each one's settings (its project config under the
// client's options) and script cache, recomputed when any of those change.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "settings.h"

namespace telinject {
class ScriptCache;
}

namespace telinject::server {

/// Settings and script cache of one workspace folder.
struct FolderSettings {
  ServerSettings settings;
  /// Read-only (writes nothing, answers from what is there) when writing it could create
  /// folders outside the existing workspace folders.
  std::shared_ptr<ScriptCache> cache;
  bool cache_read_only = false;
};

/// Threading: set_roots() once (initialize), before any other call; reload() on one thread at a
/// time (the session's io thread); folder_for() and root_for() from any thread.
class WorkspaceFolders {
 public:
  void set_roots(std::vector<std::filesystem::path> roots) { roots_ = std::move(roots); }
  const std::vector<std::filesystem::path>& roots() const { return roots_; }

  /// Recomputes every folder's settings: its project config (.telinject.toml, pyproject.toml,
  /// .env, environment), then `client` (the client's options), then `per_folder`'s entry for
  /// it (workspace/configuration). Keeps each folder's cache when its directory and access are
  /// unchanged. `tuning` takes the client's session-wide options. Returns the problems (a
  /// config that does not load), for the log; the folder then has the defaults.
  /// `llm_for` gives each folder its LLM (LlmService::for_config; none when empty).
  /// `warnings` takes refused options (an API key in the settings).
  using LlmFor = std::function<std::shared_ptr<ServerLlm>(
      const Config&, const std::filesystem::path& cache_dir, bool read_only)>;
  std::vector<std::string> reload(const nlohmann::json& client,
                                  const std::map<std::filesystem::path, nlohmann::json>& per_folder,
                                  SessionTuning* tuning, const LlmFor& llm_for = {},
                                  std::vector<std::string>* warnings = nullptr);

  /// The folder holding `path` (a document's path or root); the first folder's settings for
  /// paths outside every folder; defaults and no cache before the first reload.
  FolderSettings folder_for(const std::filesystem::path& path) const;
  /// The innermost folder holding `path`, or an empty path.
  std::filesystem::path root_for(const std::filesystem::path& path) const;

 private:
  std::vector<std::filesystem::path> roots_;
  mutable std::mutex mutex_;                                 // guards folders_
  std::map<std::filesystem::path, FolderSettings> folders_;  // by root; "" for the rest
};

}  // namespace telinject::server
