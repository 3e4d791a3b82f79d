#include "report_command.h"

#include <cstdio>
#include <memory>

#include "chrome_trace_writer.h"
#include "record_stream.h"
#include "report_table.h"
#include "speedscope_writer.h"

namespace telinject::cli {

namespace {
constexpr int kExitUsage = 2;
constexpr int kExitFileErrors = 3;
}  // namespace

CLI::App* add_report_command(CLI::App& app, ReportFlags& flags) {
  auto* command = app.add_subcommand(
      "report", "Per-function table (calls, total, self, p50, p99, errors) of TELINJECT_OUT files");
  command->add_option("files", flags.files, "TELINJECT_OUT files; - reads standard input")
      ->required();
  command
      ->add_option("--sort", flags.sort,
                   "Order rows by calls, total (default), self, mean, p50, p99, errors or name")
      ->check(CLI::IsMember({"calls", "total", "self", "mean", "p50", "p99", "errors", "name"}));
  command->add_option("--limit", flags.limit, "Show only the first N rows (default: all)");
  command->add_option("--format", flags.format, "Output: text, json or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}));
  command->add_option("--speedscope", flags.speedscope,
                      "Also write the spans as a speedscope file (one profile per thread)");
  command->add_option("--chrome-trace", flags.chrome_trace,
                      "Also write the spans in Chrome's Trace Event format (Perfetto)");
  return command;
}

int run_report_command(const ReportFlags& flags) {
  using namespace telinject::report;
  auto sources = open_record_sources(flags.files);
  if (!sources.ok()) {
    std::fprintf(stderr, "telinject: %s\n", sources.error().c_str());
    return kExitUsage;
  }
  std::vector<RecordSink*> sinks;
  std::unique_ptr<SpeedscopeWriter> speedscope;
  std::unique_ptr<ChromeTraceWriter> chrome_trace;
  if (!flags.speedscope.empty()) {
    std::string title = flags.files.size() == 1 ? flags.files[0] : "telinject report";
    auto opened = SpeedscopeWriter::open(flags.speedscope, title);
    if (!opened.ok()) {
      std::fprintf(stderr, "telinject: %s\n", opened.error().c_str());
      return kExitUsage;
    }
    speedscope = std::move(*opened);
    sinks.push_back(speedscope.get());
  }
  if (!flags.chrome_trace.empty()) {
    auto opened = ChromeTraceWriter::open(flags.chrome_trace);
    if (!opened.ok()) {
      std::fprintf(stderr, "telinject: %s\n", opened.error().c_str());
      return kExitUsage;
    }
    chrome_trace = std::move(*opened);
    sinks.push_back(chrome_trace.get());
  }

  auto report = read_records(std::move(*sources), sinks);
  if (!report.ok()) {
    std::fprintf(stderr, "telinject: %s\n", report.error().c_str());
    return kExitFileErrors;
  }
  TableOptions options;
  options.sort = *parse_sort_key(flags.sort);
  options.limit = flags.limit;
  options.format = flags.format == "json"  ? TableFormat::kJson
                   : flags.format == "csv" ? TableFormat::kCsv
                                           : TableFormat::kText;
  std::string table = format_table(*report, options);
  std::fwrite(table.data(), 1, table.size(), stdout);

  const ReportTotals& totals = report->totals;
  if (totals.malformed_lines > 0)
    std::fprintf(stderr, "telinject: %llu malformed lines skipped (the first: %s:%llu)\n",
                 static_cast<unsigned long long>(totals.malformed_lines),
                 totals.first_malformed_source.c_str(),
                 static_cast<unsigned long long>(totals.first_malformed_line));
  if (speedscope && speedscope->cut_spans() > 0)
    std::fprintf(stderr,
                 "telinject: %llu spans overlapped a span they were not nested in (asynchronous "
                 "code); the speedscope file cuts them at the end of the enclosing span\n",
                 static_cast<unsigned long long>(speedscope->cut_spans()));
  if (std::fflush(stdout) != 0) return kExitFileErrors;
  return 0;
}

}  // namespace telinject::cli
