// How the CLI shows a run: a human summary or one JSON object (the progress line is in
// progress_line.h).
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline.h"

namespace telinject::cli {

/// The run as one JSON object (`--format json`): files_scanned, files_changed,
/// functions_found, functions_instrumented, already_instrumented, skipped, cache_hits,
/// cache_misses, errors [{file, message}], and details.
std::string report_json(const RunReport& report, Action action, bool with_functions);

/// Human output. `check` prints one line per function without telemetry, as linters do:
/// `path:line:column: TI001 `name` has no telemetry` (path relative to the working directory,
/// absolute outside it; line and byte column 1-based). Then the diffs, if any, and a summary;
/// `verbose` adds one line per function and skipped file first; `quiet` leaves out the summary
/// (errors still go to stderr); `dry_run` says in the summary that nothing was written.
struct TextOptions {
  bool verbose = false;
  bool quiet = false;
  bool dry_run = false;
};
void print_report(std::FILE* out, const RunReport& report, Action action, TextOptions options);

/// When the run found no file to process: a warning on `err` naming what was scanned and, when
/// files were skipped, how many for each reason ("3 ignored by .gitignore, 1 symbolic link").
void warn_nothing_to_process(std::FILE* err, const std::vector<std::string>& paths,
                             const RunReport& report);

/// When an LLM is configured (a key in the environment) but this run did not enable it and left
/// work the LLM could have done (files without a grammar, failing scripts): one line on `err`
/// saying how to enable it.
void explain_llm_not_enabled(std::FILE* err, const RunReport& report);

/// `text` (a path, a message) fit for one line of text output: control characters are written
/// as C escapes (`\n`, `\t`, `\r`, `\x1b`), so that a file name with a newline cannot fake or
/// split a report line. Other bytes, backslashes included, are kept.
std::string printable(std::string_view text);

/// `path` relative to the working directory when it lies below it, else as it is.
std::string display_path(const std::filesystem::path& path);

}  // namespace telinject::cli
