#include "workspace_folders.h"

#include <algorithm>

#include "config.h"
#include "script_cache.h"

namespace telinject::server {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> WorkspaceFolders::reload(const json& client,
                                                  const std::map<fs::path, json>& per_folder,
                                                  SessionTuning* tuning, const LlmFor& llm_for,
                                                  std::vector<std::string>* warnings) {
  std::vector<fs::path> keys = roots_;
  keys.push_back(fs::path());  // files outside every folder
  std::map<fs::path, FolderSettings> old;
  {
    std::lock_guard lock(mutex_);
    old = folders_;
  }
  std::map<fs::path, FolderSettings> folders;
  uint64_t generation = next_settings_generation();
  std::vector<std::string> problems;
  for (const fs::path& key : keys) {
    fs::path project = !key.empty() ? key : !roots_.empty() ? roots_.front() : fs::current_path();
    Config project_config;
    auto loaded = load_config(project, std::nullopt, process_environment());
    if (loaded.ok())
      project_config = std::move(*loaded);
    else
      problems.push_back(project.string() + ": " + loaded.error());
    auto own = per_folder.find(key.empty() && !roots_.empty() ? roots_.front() : key);
    FolderSettings folder;
    folder.settings =
        folder_settings(project_config, generation, client,
                        own != per_folder.end() ? own->second : json(), tuning, warnings);
    fs::path cache_dir = folder.settings.config.cache_dir;
    if (cache_dir.is_relative()) cache_dir = project / cache_dir;
    folder.cache_read_only = cache_read_only(project, cache_dir, !roots_.empty());
    auto same = [&](const FolderSettings& other) {
      return other.cache && other.cache->directory() == cache_dir &&
             other.cache_read_only == folder.cache_read_only;
    };
    for (const auto& [_, before] : old)
      if (same(before)) folder.cache = before.cache;
    for (const auto& [_, now] : folders)
      if (!folder.cache && same(now)) folder.cache = now.cache;
    if (!folder.cache)
      folder.cache = std::make_shared<ScriptCache>(
          cache_dir, folder.cache_read_only ? ScriptCache::Access::kReadOnly
                                            : ScriptCache::Access::kReadWrite);
    if (llm_for)
      folder.settings.llm = llm_for(folder.settings.config, cache_dir, folder.cache_read_only);
    folders[key] = std::move(folder);
  }
  std::lock_guard lock(mutex_);
  folders_ = std::move(folders);
  return problems;
}

FolderSettings WorkspaceFolders::folder_for(const fs::path& path) const {
  fs::path root = root_for(path);
  std::lock_guard lock(mutex_);
  auto it = folders_.find(root);
  if (it == folders_.end()) it = folders_.find(fs::path());
  return it == folders_.end() ? FolderSettings{} : it->second;
}

fs::path WorkspaceFolders::root_for(const fs::path& path) const {
  fs::path best;
  for (const fs::path& root : roots_) {
    auto [end, _] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    if (end == root.end() && root.native().size() > best.native().size()) best = root;
  }
  return best;
}

}  // namespace telinject::server
