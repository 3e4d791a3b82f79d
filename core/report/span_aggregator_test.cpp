#include "span_aggregator.h"

#include <doctest/doctest.h>

#include "report_test_support.h"

using namespace telinject::report;
using testing::dropped_line;
using testing::span_line;

namespace {
// Feeds lines to an aggregator the way read_records() does.
Report aggregate(const std::vector<std::string>& lines, size_t ledger_generation = 1 << 18) {
  SpanAggregator aggregator(ledger_generation);
  RecordParser parser;
  uint64_t number = 0;
  for (const auto& line : lines) {
    aggregator.add_line(line.size());
    switch (parser.parse(line)) {
      case LineKind::kSpan:
        aggregator.add_span(parser.span());
        break;
      case LineKind::kResource:
        aggregator.add_resource(parser.resource());
        break;
      case LineKind::kDropped:
        aggregator.add_dropped(parser.dropped());
        break;
      case LineKind::kMalformed:
        aggregator.add_malformed("test", number + 1);
        break;
      case LineKind::kBlank:
        break;
    }
    ++number;
  }
  return aggregator.finish();
}

const FunctionStats& named(const Report& report, const std::string& name) {
  for (const auto& f : report.functions)
    if (f.name == name) return f;
  FAIL("no function " << name);
  throw 0;
}
}  // namespace

TEST_CASE("SpanAggregator: self time is total minus the direct children's durations") {
  // main(1000) -> a(300) -> c(100); main -> b(200). Children end first and come first.
  Report report = aggregate({
      span_line("c", 4, 2, 110, 100),
      span_line("a", 2, 1, 100, 300),
      span_line("b", 3, 1, 500, 200, true),
      span_line("main", 1, 0, 0, 1000),
  });
  CHECK(named(report, "main").self_ns == 1000 - 300 - 200);  // c is a's child, not main's
  CHECK(named(report, "a").self_ns == 200);
  CHECK(named(report, "c").self_ns == 100);
  CHECK(named(report, "b").errors == 1);
  CHECK(named(report, "main").total_ns == 1000);
  CHECK(report.totals.spans == 4);
  CHECK(report.totals.traces == 1);
  CHECK(report.totals.processes == 1);
  CHECK(report.totals.first_start_ns == 0);
  CHECK(report.totals.last_end_ns == 1000);
  CHECK(report.totals.unmatched_parents == 0);
  CHECK(report.totals.self_time_evicted_parents == 0);
}

TEST_CASE("SpanAggregator: calls, mean and quantiles per function") {
  std::vector<std::string> lines;
  for (int i = 1; i <= 100; ++i)
    lines.push_back(span_line("f", i, 0, i * 10'000, i * 1000, i % 10 == 0, 1, 100, i));
  Report report = aggregate(lines);
  const auto& f = named(report, "f");
  CHECK(f.calls == 100);
  CHECK(f.errors == 10);
  CHECK(f.total_ns == 5050 * 1000);
  CHECK(f.mean_ns() == 50'500);
  CHECK(f.self_ns == f.total_ns);
  CHECK(std::abs(f.durations.quantile(0.5) - 50'000) <= 500);
  CHECK(std::abs(f.durations.quantile(0.99) - 99'000) <= 990);
  CHECK(report.totals.traces == 100);
}

TEST_CASE("SpanAggregator: a parent evicted from the bounded ledger keeps its children's time") {
  // Generations of 2 parents: parent 1's entry is pushed out by 4 other parents' children.
  Report report = aggregate(
      {
          span_line("child", 10, 1, 0, 50),
          span_line("other", 11, 2, 0, 1),
          span_line("other", 12, 3, 0, 1),
          span_line("other", 13, 4, 0, 1),
          span_line("other", 14, 5, 0, 1),
          span_line("parent", 1, 0, 0, 100),
      },
      2);
  CHECK(report.totals.self_time_evicted_parents >= 1);
  CHECK(named(report, "parent").self_ns == 100);  // its child's 50 ns could not be subtracted
  // Without the bound, it is subtracted.
  Report unbounded =
      aggregate({span_line("child", 10, 1, 0, 50), span_line("parent", 1, 0, 0, 100)});
  CHECK(named(unbounded, "parent").self_ns == 50);
}

TEST_CASE("SpanAggregator: a parent being refreshed by its children is never evicted") {
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) {
    lines.push_back(span_line("leaf", 1000 + i, 500 + i, 0, 1));  // a parent that never comes
    lines.push_back(span_line("child", 100 + i, 1, 0, 2));        // parent 1, refreshed each time
  }
  lines.push_back(span_line("parent", 1, 0, 0, 1000));
  Report report = aggregate(lines, 4);
  CHECK(named(report, "parent").self_ns == 1000 - 50 * 2);
  CHECK(report.totals.self_time_evicted_parents + report.totals.unmatched_parents == 50);
}

TEST_CASE("SpanAggregator: children longer than their parent (async) count as 0 self time") {
  Report report = aggregate(
      {span_line("a", 2, 1, 0, 80), span_line("b", 3, 1, 0, 80), span_line("p", 1, 0, 0, 100)});
  CHECK(named(report, "p").self_ns == 0);
  CHECK(report.totals.overlapping_children == 1);
}

TEST_CASE("SpanAggregator: dropped lines add up per function and reason") {
  Report report = aggregate({
      span_line("f", 1, 0, 0, 10),
      dropped_line("f", 100, "rate_limit"),
      dropped_line("f", 20, "rate_limit"),
      dropped_line("f", 3, "sampling", 101),
      dropped_line("never_recorded", 7, "size_cap"),
  });
  const auto& f = named(report, "f");
  CHECK(f.calls == 1);
  CHECK(f.dropped.at("rate_limit") == 120);
  CHECK(f.dropped.at("sampling") == 3);
  CHECK(f.dropped_total() == 123);
  const auto& never = named(report, "never_recorded");
  CHECK(never.calls == 0);
  CHECK(never.dropped.at("size_cap") == 7);
  CHECK(report.totals.dropped.at("rate_limit") == 120);
  CHECK(report.totals.dropped.at("size_cap") == 7);
  CHECK(report.totals.processes == 2);
}

TEST_CASE("SpanAggregator: malformed lines are counted, the first one's place kept") {
  Report report = aggregate({span_line("f", 1, 0, 0, 10), "garbage", "", "{\"name\": 1}", "{"});
  CHECK(report.totals.malformed_lines == 3);
  CHECK(report.totals.first_malformed_source == "test");
  CHECK(report.totals.first_malformed_line == 2);
  CHECK(report.totals.lines == 5);
  CHECK(report.totals.spans == 1);
}

TEST_CASE("SpanAggregator: spans whose parent is in no input are counted, not lost") {
  Report report = aggregate({span_line("remote_child", 2, 99, 0, 10)});
  CHECK(report.totals.unmatched_parents == 1);
  CHECK(named(report, "remote_child").self_ns == 10);
}
