#include "settings.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <string>

#include "llm_settings.h"

namespace telinject::server {

using nlohmann::json;

uint64_t next_settings_generation() {
  static std::atomic<uint64_t> generations{0};
  return ++generations;
}

void apply_client_options(const json& options, ServerSettings* settings, SessionTuning* tuning,
                          std::vector<std::string>* warnings) {
  if (!options.is_object()) return;
  auto text = [&](const char* key) -> std::optional<std::string> {
    if (options.contains(key) && options[key].is_string()) return options[key].get<std::string>();
    return std::nullopt;
  };
  auto strings = [&](const char* key, std::vector<std::string>* out) {
    if (!options.contains(key) || !options[key].is_array()) return;
    out->clear();
    for (const json& item : options[key])
      if (item.is_string()) out->push_back(item.get<std::string>());
  };

  // The project settings a client may override.
  if (auto profile = text("profile")) settings->config.profile = *profile;
  if (auto cache_dir = text("cacheDirectory")) settings->config.cache_dir = *cache_dir;
  strings("include", &settings->config.include);
  strings("exclude", &settings->config.exclude);

  // The editor's own.
  if (options.contains("diagnostics") && options["diagnostics"].is_boolean())
    settings->diagnostics = options["diagnostics"].get<bool>();
  if (options.contains("onSave") && options["onSave"].is_boolean())
    settings->on_save = options["onSave"].get<bool>();
  if (auto severity = text("severity")) {
    const std::map<std::string, int> names = {
        {"error", 1}, {"warning", 2}, {"information", 3}, {"hint", 4}};
    if (auto it = names.find(*severity); it != names.end()) settings->severity = it->second;
  }

  // Groups of settings, each read by a function of its own.
  for (std::string& warning : apply_llm_settings(settings->config.llm, options))
    if (warnings) warnings->push_back(std::move(warning));

  // The session's, from the client's options only.
  if (!tuning) return;
  if (options.contains("debounceMs") && options["debounceMs"].is_number_unsigned())
    tuning->debounce_ms =
        static_cast<int>(std::min<uint64_t>(options["debounceMs"].get<uint64_t>(), 60'000));
  if (auto level = text("logLevel")) {
    const std::map<std::string, int> names = {
        {"error", 1}, {"warning", 2}, {"info", 3}, {"log", 4}};
    if (auto it = names.find(*level); it != names.end()) tuning->log_level = it->second;
  }
}

ServerSettings folder_settings(const Config& project, uint64_t generation, const json& client,
                               const json& folder, SessionTuning* tuning,
                               std::vector<std::string>* warnings) {
  ServerSettings settings;
  settings.generation = generation;
  settings.config = project;
  apply_client_options(client, &settings, tuning, warnings);
  apply_client_options(folder, &settings, nullptr, warnings);
  return settings;
}

const json& telinject_section(const json& settings) {
  return settings.is_object() && settings.contains("telinject") ? settings["telinject"] : settings;
}

bool cache_read_only(const std::filesystem::path& project, const std::filesystem::path& cache_dir,
                     bool has_workspace_folders) {
  // The cache is written only where that creates nothing but the cache folder itself, and
  // only for an existing workspace folder: never a tree of folders under a workspace folder
  // that does not exist (or the server's working directory, when there is no folder).
  std::error_code ec;
  auto inside =
      std::mismatch(project.begin(), project.end(), cache_dir.begin(), cache_dir.end()).first;
  return !has_workspace_folders || !std::filesystem::is_directory(project, ec) ||
         (inside != project.end() && !std::filesystem::is_directory(cache_dir.parent_path(), ec));
}

}  // namespace telinject::server
