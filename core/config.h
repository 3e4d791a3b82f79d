// Config: a run's settings. Precedence: command-line flags (applied by the front end) over the
// environment (process environment over `.env`) over the project file (`.telinject.toml`, or
// `[tool.telinject]` in `pyproject.toml`) over defaults.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "result.h"
#include "telemetry_template.h"

namespace telinject {

enum class ValidateMode { kOff, kNormal, kStrict };

/// What one run may spend on LLM calls when nothing says otherwise.
inline constexpr double kDefaultLlmBudgetUsd = 0.50;

struct LlmSettings {
  std::string provider;  // "openai", "anthropic", "ollama" or empty (auto-detect)
  std::string model;
  std::string base_url;
  std::string api_key;         // never logged
  double timeout_seconds = 0;  // 0: provider default
  /// Calls cost money: none is made unless the project or the run asks for the LLM
  /// ([llm] enabled = true, LLM_ENABLED, --llm, --mode llm). A key alone does not.
  bool enabled = false;
  double budget_usd = kDefaultLlmBudgetUsd;  // per run; 0: no limit
  bool whole_file_mode = false;              // --mode llm: the LLM instruments whole files
  uint32_t reflection_threshold = 2;         // --mode llm: failed tries before a reflection call
};

/// A shared remote script cache (remote_cache.h).
struct RemoteCacheSettings {
  std::string url;             // empty: none; --remote-cache, TELINJECT_REMOTE_CACHE, remote_cache
  std::string password;        // TELINJECT_REMOTE_CACHE_PASSWORD only; never logged
  double timeout_seconds = 5;  // per request (TELINJECT_REMOTE_CACHE_TIMEOUT)
  double connect_timeout_seconds = 1;  // at most timeout_seconds
};

struct Config {
  std::string profile = "builtin";
  std::vector<std::string> include;            // globs
  std::vector<std::string> exclude;            // globs
  std::vector<std::string> exclude_functions;  // globs on qualified names ("*.test_*")
  uint32_t min_function_lines = 0;             // functions with fewer rows are skipped
  uint64_t max_file_bytes = 2 * 1024 * 1024;
  std::filesystem::path cache_dir = ".telemetry_cache";
  uint32_t jobs = 0;  // 0: one per core
  ValidateMode validate = ValidateMode::kNormal;
  uint32_t max_retries = 3;
  bool debug_trace = false;
  std::string trace_level = "INFO";  // TRACE, DEBUG, INFO, WARNING, ERROR
  bool trace_console = true;
  LlmSettings llm;
  RemoteCacheSettings remote_cache;
  /// User templates: profile name -> language name -> template. Builtin profiles may be
  /// overridden per language.
  std::map<std::string, std::map<std::string, LanguageTemplate>> templates;
  /// Where the settings came from, for `-v` output ("defaults", ".telinject.toml", ...).
  std::vector<std::string> sources;
};

/// Variables of a `.env` file: KEY=VALUE lines, optional `export `, quotes stripped, `#`
/// comments. Malformed lines are errors naming the line.
Result<std::map<std::string, std::string>> parse_dotenv(const std::string& text);

/// Loads the configuration for a run started in `project_dir`: the file `explicit_file` when
/// given (an error if unreadable), otherwise `.telinject.toml` or `pyproject.toml`
/// `[tool.telinject]` found in `project_dir` or its parents; then `.env` in `project_dir`;
/// then `environment` (the process environment, as a map so tests can pass their own).
/// Environment variables read: TELINJECT_PROFILE, TELINJECT_CACHE_DIR, MAX_PARALLEL,
/// DEBUG_TRACE, DEBUG_TRACE_LEVEL, LLM_PROVIDER, LLM_MODEL, LLM_BASE_URL, LLM_TIMEOUT,
/// OPENAI_API_KEY, ANTHROPIC_API_KEY. Unknown keys in the file are errors naming the key.
Result<Config> load_config(const std::filesystem::path& project_dir,
                           const std::optional<std::filesystem::path>& explicit_file,
                           const std::map<std::string, std::string>& environment);

/// The process environment as a map.
std::map<std::string, std::string> process_environment();

}  // namespace telinject
