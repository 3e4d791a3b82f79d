// The settings a client can change, and how they are read from the client's JSON
// (initializationOptions, workspace/didChangeConfiguration, workspace/configuration). Pure
// functions: no IO, no session state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "config.h"

namespace telinject::server {

class ServerLlm;  // llm_service.h

/// The settings of one workspace folder, as the features see them.
struct ServerSettings {
  uint64_t generation = 0;  // changes whenever the settings are recomputed
  bool diagnostics = true;
  int severity = 3;  // LSP DiagnosticSeverity; Information by default
  bool on_save = false;
  Config config;  // profile, filters, cache directory... from the project and the client
  /// The server's LLM (issue 12 item 2), when llm.enabled: self-healing, languages without a
  /// grammar. Null: none.
  std::shared_ptr<ServerLlm> llm;
};

/// The session-wide settings the client's (not a folder's) options may change.
struct SessionTuning {
  int debounce_ms = 50;  // diagnostics wait this long after a document's last change
  int log_level = 4;     // window/logMessage up to this MessageType (4: log)
};

/// A new generation number for a recomputation of the settings: never returned twice in the
/// process, so a memo made for older settings is never taken for the new ones. Thread-safe.
uint64_t next_settings_generation();

/// Lays the client's `options` (the "telinject" section: profile, cacheDirectory, diagnostics,
/// onSave, severity, include, exclude, the llm group, and with `tuning`, debounceMs and logLevel)
/// over `settings`. Keys of the wrong type and unknown values are ignored, keeping what was there;
/// `options` that is not an object changes nothing. Pure.
/// Warnings about refused options (an API key in the settings) are added to `warnings`.
void apply_client_options(const nlohmann::json& options, ServerSettings* settings,
                          SessionTuning* tuning, std::vector<std::string>* warnings = nullptr);

/// The settings of one folder: `project` (its .telinject.toml / pyproject.toml / .env /
/// environment, as load_config read it), then the client's options, then the client's options
/// for that folder (workspace/configuration; null when none). `tuning` takes the client's
/// session-wide options (the folder's own never change them). Pure.
ServerSettings folder_settings(const Config& project, uint64_t generation,
                               const nlohmann::json& client, const nlohmann::json& folder,
                               SessionTuning* tuning, std::vector<std::string>* warnings = nullptr);

/// The "telinject" section of a settings object: `settings["telinject"]` when present, else
/// `settings` itself (clients send either). Pure.
const nlohmann::json& telinject_section(const nlohmann::json& settings);

/// Whether the script cache at `cache_dir` (absolute) for the folder `project` must be opened
/// read-only: there is no workspace folder, the folder is not on disk, or the cache lies outside
/// the folder and writing it would create more than the cache folder itself. Reads the disk.
bool cache_read_only(const std::filesystem::path& project, const std::filesystem::path& cache_dir,
                     bool has_workspace_folders);

}  // namespace telinject::server
