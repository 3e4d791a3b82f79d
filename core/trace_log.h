// TraceLog: the JSON Lines debug trace (`--debug-trace`), one record per event.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "result.h"

namespace telinject {

enum class TraceLevel { kTrace, kDebug, kInfo, kWarning, kError };

/// "TRACE", "DEBUG", "INFO", "WARNING" (or "WARN"), "ERROR", any case.
std::optional<TraceLevel> parse_trace_level(std::string_view name);

/// Thread-safe. Records below the level are dropped. Values of keys that look like secrets
/// (api_key, authorization, *_key, *token* other than token counts) are written as "[redacted]".
class TraceLog {
 public:
  /// Opens `directory`/debug_trace_<YYYYmmdd_HHMMSS>_<pid>.jsonl (the directory is created).
  /// `console` also prints a short line per record to stderr.
  static Result<std::unique_ptr<TraceLog>> open(const std::filesystem::path& directory,
                                                TraceLevel level, bool console);
  ~TraceLog();

  bool enabled(TraceLevel level) const { return level >= level_; }
  /// Appends {"ts", "level", "event", "thread", "data"} as one line, written whole and flushed.
  void record(TraceLevel level, std::string_view event, const nlohmann::json& data);
  const std::filesystem::path& path() const { return path_; }

 private:
  TraceLog(std::filesystem::path path, int fd, TraceLevel level, bool console)
      : path_(std::move(path)), fd_(fd), level_(level), console_(console) {}
  std::filesystem::path path_;
  int fd_;
  TraceLevel level_;
  bool console_;
  std::mutex mutex_;
};

}  // namespace telinject
