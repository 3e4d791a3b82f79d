// SpanAggregator: the per-function table of a profiler (calls, total, self, quantiles, errors,
// dropped) and the input's totals, from a stream of records in constant memory: the state
// grows with the number of distinct functions, never with the number of spans.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "child_time_ledger.h"
#include "distinct_counter.h"
#include "quantile_sketch.h"
#include "record.h"

namespace telinject::report {

/// Dropped calls by reason ("sampling", "rate_limit", "size_cap", or what the record said).
using DroppedByReason = std::map<std::string, uint64_t, std::less<>>;

struct FunctionStats {
  std::string name;
  uint64_t calls = 0;
  uint64_t errors = 0;
  int64_t total_ns = 0;
  int64_t self_ns = 0;  // total minus the durations of the recorded direct children
  QuantileSketch durations;
  DroppedByReason dropped;

  int64_t mean_ns() const { return calls ? total_ns / static_cast<int64_t>(calls) : 0; }
  uint64_t dropped_total() const;
};

struct ReportTotals {
  uint64_t lines = 0;  // every line read, blank and malformed ones included
  uint64_t bytes = 0;
  uint64_t spans = 0;
  uint64_t traces = 0;
  bool traces_exact = true;    // false: `traces` is an estimate (~1%)
  uint64_t processes = 0;      // distinct process.pid among spans, resource and dropped lines
  int64_t first_start_ns = 0;  // earliest span start; 0 when there are no spans
  int64_t last_end_ns = 0;     // latest span end
  DroppedByReason dropped;
  uint64_t malformed_lines = 0;
  std::string first_malformed_source;  // where the first malformed line was
  uint64_t first_malformed_line = 0;   // 1-based line number in that source
  // Self time: parents evicted from the bounded ledger (their self time includes their
  // children's), and parent ids no record came for after their children: parents not recorded
  // (a remote parent, the size cap) or written before a child that outlived them (a promise
  // nobody awaited; that parent's self time includes the child's).
  uint64_t self_time_evicted_parents = 0;
  uint64_t unmatched_parents = 0;
  // Spans whose children's durations add up to more than their own (overlapping async calls);
  // their self time is counted as 0.
  uint64_t overlapping_children = 0;
};

struct Report {
  std::vector<FunctionStats> functions;  // in order of first appearance
  ReportTotals totals;
};

class SpanAggregator {
 public:
  explicit SpanAggregator(size_t ledger_generation = 1 << 18) : ledger_(ledger_generation) {}

  void add_span(const SpanRecord& span);
  void add_resource(const ResourceRecord& resource);
  void add_dropped(const DroppedRecord& dropped);
  /// A line that is no record; the first one's place is kept for the message.
  void add_malformed(std::string_view source, uint64_t line_number);
  void add_line(size_t bytes) {
    ++totals_.lines;
    totals_.bytes += bytes + 1;
  }
  /// The table and totals; the aggregator is left empty.
  Report finish();

 private:
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>()(name); }
  };
  FunctionStats& function(std::string_view name);
  void add_process(int64_t pid);

  std::vector<FunctionStats> functions_;
  std::unordered_map<std::string, size_t, NameHash, std::equal_to<>> index_;
  ChildTimeLedger ledger_;
  DistinctCounter traces_;
  std::unordered_set<int64_t> processes_;
  ReportTotals totals_;
};

}  // namespace telinject::report
