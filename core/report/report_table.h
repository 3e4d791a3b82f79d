// The per-function table as text (aligned columns, human units), JSON or CSV.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "span_aggregator.h"

namespace telinject::report {

enum class SortKey { kCalls, kTotal, kSelf, kMean, kP50, kP99, kErrors, kName };
enum class TableFormat { kText, kJson, kCsv };

/// "calls", "total", "self", "mean", "p50", "p99", "errors" or "name"; nullopt otherwise.
std::optional<SortKey> parse_sort_key(std::string_view word);

struct TableOptions {
  SortKey sort = SortKey::kTotal;  // name: ascending; the others: largest first; ties by name
  size_t limit = 0;                // rows shown; 0: all (the totals always count everything)
  TableFormat format = TableFormat::kText;
};

/// The table and its totals, ending with a newline. Text: a header line, one row per function,
/// then the totals (spans, traces, processes, time covered, dropped by reason). JSON: one
/// object {"functions": [...], "totals": {...}} with times in ns. CSV: RFC 4180, a header row,
/// times in ns, no totals.
std::string format_table(const Report& report, const TableOptions& options);

/// A duration with three significant digits and a unit: "850 ns", "12.3 µs", "1.05 ms", "2.40 s".
std::string format_duration(int64_t nanoseconds);

}  // namespace telinject::report
