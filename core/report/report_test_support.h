// Builders of record lines for the report's tests.
#pragma once

#include <cstdio>
#include <string>

namespace telinject::report::testing {

/// A span line as the runtimes write it; `parent` 0 writes null.
inline std::string span_line(const std::string& name, unsigned long long id,
                             unsigned long long parent, long long start, long long duration,
                             bool error = false, unsigned long long thread = 1, long long pid = 100,
                             unsigned long long trace = 1) {
  char ids[128];
  std::snprintf(ids, sizeof ids, R"("trace_id": "%032llx", "span_id": "%016llx", )", trace, id);
  std::string parent_text = "null";
  if (parent) {
    char text[32];
    std::snprintf(text, sizeof text, "\"%016llx\"", parent);
    parent_text = text;
  }
  return "{\"name\": \"" + name + "\", \"code.function.name\": \"" + name +
         "\", \"code.file.path\": \"/src/app.py\", \"code.line.number\": 3, " + ids +
         "\"parent_span_id\": " + parent_text +
         ", \"start_time_unix_nano\": " + std::to_string(start) +
         ", \"duration_ns\": " + std::to_string(duration) +
         ", \"status\": " + (error ? "\"error\", \"exception.type\": \"ValueError\"" : "\"ok\"") +
         ", \"thread.id\": " + std::to_string(thread) +
         ", \"process.pid\": " + std::to_string(pid) + "}";
}

inline std::string dropped_line(const std::string& name, unsigned long long count,
                                const std::string& reason, long long pid = 100) {
  return "{\"dropped\": " + std::to_string(count) + ", \"name\": \"" + name + "\", \"reason\": \"" +
         reason + "\", \"process.pid\": " + std::to_string(pid) + "}";
}

}  // namespace telinject::report::testing
