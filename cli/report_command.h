// `telinject report FILE...`: the per-function table of recorded spans, and trace files for
// speedscope and Perfetto. A thin front on core/report.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace telinject::cli {

struct ReportFlags {
  std::vector<std::string> files;
  std::string sort = "total";
  size_t limit = 0;
  std::string format = "text";
  std::string speedscope;
  std::string chrome_trace;
};

/// Adds the `report` subcommand with its options bound to `flags`.
CLI::App* add_report_command(CLI::App& app, ReportFlags& flags);

/// Runs it. Exit codes: 0 done (malformed lines are counted and named on stderr, not fatal);
/// 2 an input or output file cannot be opened (nothing is read then); 3 a read or write failed.
int run_report_command(const ReportFlags& flags);

}  // namespace telinject::cli
