#include "report_table.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace telinject::report {

namespace {

struct Row {
  const FunctionStats* stats;
  int64_t p50, p99;
};

int64_t sort_value(const Row& row, SortKey key) {
  const FunctionStats& s = *row.stats;
  switch (key) {
    case SortKey::kCalls:
      return static_cast<int64_t>(s.calls);
    case SortKey::kTotal:
      return s.total_ns;
    case SortKey::kSelf:
      return s.self_ns;
    case SortKey::kMean:
      return s.mean_ns();
    case SortKey::kP50:
      return row.p50;
    case SortKey::kP99:
      return row.p99;
    case SortKey::kErrors:
      return static_cast<int64_t>(s.errors);
    case SortKey::kName:
      return 0;
  }
  return 0;
}

std::vector<Row> ordered_rows(const Report& report, const TableOptions& options) {
  std::vector<Row> rows;
  rows.reserve(report.functions.size());
  for (const auto& stats : report.functions)
    rows.push_back({&stats, stats.durations.quantile(0.5), stats.durations.quantile(0.99)});
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (options.sort != SortKey::kName) {
      int64_t left = sort_value(a, options.sort), right = sort_value(b, options.sort);
      if (left != right) return left > right;
    }
    return a.stats->name < b.stats->name;
  });
  if (options.limit > 0 && rows.size() > options.limit) rows.resize(options.limit);
  return rows;
}

// Columns on a terminal: UTF-8 continuation bytes take none.
size_t display_width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void pad_to(std::string& out, std::string_view cell, size_t width, bool right) {
  size_t gap = width > display_width(cell) ? width - display_width(cell) : 0;
  if (right) out.append(gap, ' ');
  out += cell;
  if (!right) out.append(gap, ' ');
}

std::string utc_time(int64_t unix_ns) {
  time_t seconds = static_cast<time_t>(unix_ns / 1000000000);
  struct tm parts;
  gmtime_r(&seconds, &parts);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<int>(unix_ns % 1000000000 / 1000000));
  return text;
}

// "1 trace", "2 traces", "~1200 traces".
std::string count_of(uint64_t n, std::string_view noun, std::string_view plural,
                     bool estimate = false) {
  return (estimate ? "~" : "") + std::to_string(n) + " " + std::string(n == 1 ? noun : plural);
}

std::string dropped_summary(const DroppedByReason& dropped) {
  uint64_t sum = 0;
  std::string parts;
  for (const auto& [reason, count] : dropped) {
    sum += count;
    parts += (parts.empty() ? "" : ", ") + (reason.empty() ? std::string("unknown") : reason) +
             " " + std::to_string(count);
  }
  return sum == 0 ? "0" : std::to_string(sum) + " (" + parts + ")";
}

std::string format_text(const Report& report, const std::vector<Row>& rows) {
  static const char* kHeader[] = {"function", "calls", "total",  "self",   "mean",
                                  "p50",      "p99",   "errors", "dropped"};
  constexpr size_t kColumns = std::size(kHeader);
  std::vector<std::array<std::string, kColumns>> cells;
  cells.reserve(rows.size());
  for (const Row& row : rows) {
    const FunctionStats& s = *row.stats;
    cells.push_back({s.name, std::to_string(s.calls), format_duration(s.total_ns),
                     format_duration(s.self_ns), format_duration(s.mean_ns()),
                     format_duration(row.p50), format_duration(row.p99), std::to_string(s.errors),
                     std::to_string(s.dropped_total())});
  }
  std::array<size_t, kColumns> widths;
  for (size_t c = 0; c < kColumns; ++c) {
    widths[c] = display_width(kHeader[c]);
    for (const auto& line : cells) widths[c] = std::max(widths[c], display_width(line[c]));
  }
  std::string out;
  auto emit = [&](auto&& cell_at) {
    for (size_t c = 0; c < kColumns; ++c) {
      if (c > 0) out += "  ";
      // Numbers are right-aligned, so only the name column is padded on its right.
      pad_to(out, cell_at(c), widths[c], c > 0);
    }
    out += '\n';
  };
  emit([&](size_t c) { return std::string_view(kHeader[c]); });
  for (const auto& line : cells) emit([&](size_t c) { return std::string_view(line[c]); });

  const ReportTotals& t = report.totals;
  out += "\n" + count_of(report.functions.size(), "function", "functions");
  if (rows.size() < report.functions.size()) out += " (" + std::to_string(rows.size()) + " shown)";
  out += ", " + count_of(t.spans, "span", "spans") + ", " +
         count_of(t.traces, "trace", "traces", !t.traces_exact) + ", " +
         count_of(t.processes, "process", "processes") + "\n";
  if (t.spans > 0)
    out += "time covered: " + format_duration(t.last_end_ns - t.first_start_ns) + ", from " +
           utc_time(t.first_start_ns) + " to " + utc_time(t.last_end_ns) + "\n";
  out += "dropped: " + dropped_summary(t.dropped) + "\n";
  if (t.self_time_evicted_parents > 0)
    out += "self time: " + std::to_string(t.self_time_evicted_parents) +
           " parents came too late to take their children's time (their self time is too high)\n";
  return out;
}

nlohmann::ordered_json dropped_json(const DroppedByReason& dropped) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [reason, count] : dropped) out[reason] = count;
  return out;
}

std::string format_json(const Report& report, const std::vector<Row>& rows) {
  // ordered_json: keys in the order written (name first), not sorted.
  using json = nlohmann::ordered_json;
  json functions = json::array();
  for (const Row& row : rows) {
    const FunctionStats& s = *row.stats;
    functions.push_back({{"name", s.name},
                         {"calls", s.calls},
                         {"total_ns", s.total_ns},
                         {"self_ns", s.self_ns},
                         {"mean_ns", s.mean_ns()},
                         {"p50_ns", row.p50},
                         {"p99_ns", row.p99},
                         {"errors", s.errors},
                         {"dropped", dropped_json(s.dropped)}});
  }
  const ReportTotals& t = report.totals;
  json first_malformed = nullptr;
  if (t.malformed_lines > 0)
    first_malformed = {{"source", t.first_malformed_source}, {"line", t.first_malformed_line}};
  json totals = {{"functions", report.functions.size()},
                 {"spans", t.spans},
                 {"traces", t.traces},
                 {"traces_exact", t.traces_exact},
                 {"processes", t.processes},
                 {"start_time_unix_nano", t.first_start_ns},
                 {"end_time_unix_nano", t.last_end_ns},
                 {"duration_ns", t.last_end_ns - t.first_start_ns},
                 {"dropped", dropped_json(t.dropped)},
                 {"lines", t.lines},
                 {"bytes", t.bytes},
                 {"malformed_lines", t.malformed_lines},
                 {"first_malformed", first_malformed},
                 {"self_time",
                  {{"evicted_parents", t.self_time_evicted_parents},
                   {"unmatched_parents", t.unmatched_parents},
                   {"overlapping_children", t.overlapping_children}}}};
  // Names are not always valid UTF-8 (the runtimes write what the program named): replace.
  return json{{"functions", functions}, {"totals", totals}}.dump(2, ' ', false,
                                                                 json::error_handler_t::replace) +
         "\n";
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string format_csv(const std::vector<Row>& rows) {
  std::string out = "function,calls,total_ns,self_ns,mean_ns,p50_ns,p99_ns,errors,dropped\r\n";
  for (const Row& row : rows) {
    const FunctionStats& s = *row.stats;
    out += csv_field(s.name);
    for (int64_t value :
         {static_cast<int64_t>(s.calls), s.total_ns, s.self_ns, s.mean_ns(), row.p50, row.p99,
          static_cast<int64_t>(s.errors), static_cast<int64_t>(s.dropped_total())})
      out += "," + std::to_string(value);
    out += "\r\n";
  }
  return out;
}

}  // namespace

std::optional<SortKey> parse_sort_key(std::string_view word) {
  static const std::pair<std::string_view, SortKey> kKeys[] = {
      {"calls", SortKey::kCalls},   {"total", SortKey::kTotal}, {"self", SortKey::kSelf},
      {"mean", SortKey::kMean},     {"p50", SortKey::kP50},     {"p99", SortKey::kP99},
      {"errors", SortKey::kErrors}, {"name", SortKey::kName}};
  for (const auto& [name, key] : kKeys)
    if (name == word) return key;
  return std::nullopt;
}

std::string format_duration(int64_t nanoseconds) {
  if (nanoseconds < 0) return "-" + format_duration(-nanoseconds);
  if (nanoseconds < 1000) return std::to_string(nanoseconds) + " ns";
  static const char* kUnits[] = {"µs", "ms", "s"};
  double value = static_cast<double>(nanoseconds) / 1000;
  size_t unit = 0;
  // Move up a unit when three significant digits would round to 1000.
  while (unit + 1 < std::size(kUnits) && value >= 999.5) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  int decimals = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
  std::snprintf(text, sizeof text, "%.*f %s", decimals, value, kUnits[unit]);
  return text;
}

std::string format_table(const Report& report, const TableOptions& options) {
  std::vector<Row> rows = ordered_rows(report, options);
  switch (options.format) {
    case TableFormat::kJson:
      return format_json(report, rows);
    case TableFormat::kCsv:
      return format_csv(rows);
    case TableFormat::kText:
      break;
  }
  return format_text(report, rows);
}

}  // namespace telinject::report
