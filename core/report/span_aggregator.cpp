#include "span_aggregator.h"

#include <algorithm>

namespace telinject::report {

uint64_t FunctionStats::dropped_total() const {
  uint64_t sum = 0;
  for (const auto& [reason, count] : dropped) sum += count;
  return sum;
}

FunctionStats& SpanAggregator::function(std::string_view name) {
  if (auto it = index_.find(name); it != index_.end()) return functions_[it->second];
  index_.emplace(std::string(name), functions_.size());
  functions_.emplace_back().name = name;
  return functions_.back();
}

void SpanAggregator::add_process(int64_t pid) { processes_.insert(pid); }

void SpanAggregator::add_span(const SpanRecord& span) {
  FunctionStats& stats = function(span.name);
  int64_t duration = std::max<int64_t>(span.duration_ns, 0);
  ++stats.calls;
  stats.errors += span.error;
  stats.total_ns += duration;
  stats.durations.add(duration);
  int64_t children = ledger_.take(span.span_id);
  if (children > duration) {
    ++totals_.overlapping_children;
    children = duration;
  }
  stats.self_ns += duration - children;
  if (span.has_parent) ledger_.add_child(span.parent_span_id, duration);

  traces_.add(span.trace_id_high, span.trace_id_low);
  add_process(span.pid);
  int64_t end = span.start_ns + duration;
  if (totals_.spans == 0 || span.start_ns < totals_.first_start_ns)
    totals_.first_start_ns = span.start_ns;
  if (totals_.spans == 0 || end > totals_.last_end_ns) totals_.last_end_ns = end;
  ++totals_.spans;
}

void SpanAggregator::add_resource(const ResourceRecord& resource) { add_process(resource.pid); }

void SpanAggregator::add_dropped(const DroppedRecord& dropped) {
  FunctionStats& stats = function(dropped.name);
  auto add = [&](DroppedByReason& by_reason) {
    auto it = by_reason.find(dropped.reason);
    if (it == by_reason.end()) it = by_reason.emplace(std::string(dropped.reason), 0).first;
    it->second += dropped.count;
  };
  add(stats.dropped);
  add(totals_.dropped);
  add_process(dropped.pid);
}

void SpanAggregator::add_malformed(std::string_view source, uint64_t line_number) {
  if (totals_.malformed_lines++ == 0) {
    totals_.first_malformed_source = source;
    totals_.first_malformed_line = line_number;
  }
}

Report SpanAggregator::finish() {
  Report report;
  report.totals = totals_;
  report.totals.traces = traces_.count();
  report.totals.traces_exact = traces_.exact();
  report.totals.processes = processes_.size();
  report.totals.self_time_evicted_parents = ledger_.evicted();
  report.totals.unmatched_parents = ledger_.waiting();
  report.functions = std::move(functions_);
  *this = SpanAggregator();
  return report;
}

}  // namespace telinject::report
