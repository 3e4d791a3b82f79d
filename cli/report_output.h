// How the CLI shows a run: a human summary or one JSON object, and a progress line.
#pragma once

#include <cstdio>
#include <string>

#include "pipeline.h"

namespace telinject::cli {

/// The run as one JSON object (`--format json`): files_scanned, files_changed,
/// functions_found, functions_instrumented, already_instrumented, skipped, cache_hits,
/// cache_misses, errors [{file, message}], and details.
std::string report_json(const RunReport& report, Action action, bool with_functions);

/// Human summary lines; `verbose` adds one line per function and skipped file.
void print_report(std::FILE* out, const RunReport& report, Action action, bool verbose);

/// A one-line progress bar on a terminal (stderr), redrawn at most every 100 ms.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  void update(size_t done, size_t total);
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  long long last_draw_ms_ = 0;
};

}  // namespace telinject::cli
