#include "report_table.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "report_test_support.h"

using namespace telinject::report;
using testing::dropped_line;
using testing::span_line;

namespace {
Report sample_report() {
  SpanAggregator aggregator;
  RecordParser parser;
  for (const auto& line :
       {span_line("child", 2, 1, 1'000, 250'000), span_line("child", 3, 1, 300'000, 250'000, true),
        span_line("with,comma \\\"quoted\\\"", 4, 0, 0, 5),
        span_line("main", 1, 0, 0, 2'000'000'000), dropped_line("child", 9, "rate_limit"),
        dropped_line("child", 1, "sampling")}) {
    switch (parser.parse(line)) {
      case LineKind::kSpan:
        aggregator.add_span(parser.span());
        break;
      case LineKind::kDropped:
        aggregator.add_dropped(parser.dropped());
        break;
      default:
        FAIL("unexpected line " << line);
    }
  }
  return aggregator.finish();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}
}  // namespace

TEST_CASE("format_duration: three significant digits, the unit that fits") {
  CHECK(format_duration(0) == "0 ns");
  CHECK(format_duration(999) == "999 ns");
  CHECK(format_duration(1000) == "1.00 µs");
  CHECK(format_duration(12'345) == "12.3 µs");
  CHECK(format_duration(999'499) == "999 µs");
  CHECK(format_duration(999'500) == "1.00 ms");
  CHECK(format_duration(2'000'000'000) == "2.00 s");
  CHECK(format_duration(3'600'000'000'000) == "3600 s");
}

TEST_CASE("format_table: text has a header, aligned rows and the totals") {
  TableOptions options;
  std::string text = format_table(sample_report(), options);
  auto lines = lines_of(text);
  REQUIRE(lines.size() >= 5);
  CHECK(lines[0].rfind("function", 0) == 0);
  CHECK(lines[0].find("p99") != std::string::npos);
  CHECK(lines[1].rfind("main ", 0) == 0);  // sorted by total time
  CHECK(lines[1].find("2.00 s") != std::string::npos);
  // Aligned: the header and rows end at the same column (µ is one column, two bytes).
  auto columns = [](const std::string& s) {
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
  };
  for (size_t i = 1; i <= 3; ++i) CHECK(columns(lines[i]) == columns(lines[0]));
  CHECK(text.find("3 functions, 4 spans, 1 trace, 1 process") != std::string::npos);
  CHECK(text.find("dropped: 10 (rate_limit 9, sampling 1)") != std::string::npos);
  CHECK(text.find("time covered: 2.00 s") != std::string::npos);
}

TEST_CASE("format_table: json carries every column, dropped by reason, and the totals") {
  TableOptions options;
  options.format = TableFormat::kJson;
  options.sort = SortKey::kName;
  auto json = nlohmann::json::parse(format_table(sample_report(), options));
  REQUIRE(json["functions"].size() == 3);
  const auto& child = json["functions"][0];
  CHECK(child["name"] == "child");
  CHECK(child["calls"] == 2);
  CHECK(child["errors"] == 1);
  CHECK(child["total_ns"] == 500'000);
  CHECK(child["mean_ns"] == 250'000);
  CHECK(std::abs(child["p50_ns"].get<int64_t>() - 250'000) <= 2'500);
  CHECK(child["dropped"]["rate_limit"] == 9);
  CHECK(child["dropped"]["sampling"] == 1);
  CHECK(json["functions"][1]["name"] == "main");
  CHECK(json["functions"][1]["self_ns"] == 2'000'000'000 - 500'000);
  CHECK(json["totals"]["spans"] == 4);
  CHECK(json["totals"]["dropped"]["rate_limit"] == 9);
  CHECK(json["totals"]["malformed_lines"] == 0);
  CHECK(json["totals"]["first_malformed"].is_null());
}

TEST_CASE("format_table: csv quotes what needs quoting; sort and limit") {
  TableOptions options;
  options.format = TableFormat::kCsv;
  options.sort = SortKey::kCalls;
  options.limit = 2;
  auto lines = lines_of(format_table(sample_report(), options));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "function,calls,total_ns,self_ns,mean_ns,p50_ns,p99_ns,errors,dropped\r");
  CHECK(lines[1].rfind("child,2,500000,500000,250000,", 0) == 0);
  CHECK(lines[1].find(",1,10\r") != std::string::npos);
  // Ties on calls go by name: "main" < "with,...".
  CHECK(lines[2].rfind("main,1,", 0) == 0);
  options.sort = SortKey::kName;
  options.limit = 0;
  auto all = lines_of(format_table(sample_report(), options));
  REQUIRE(all.size() == 4);
  CHECK(all[3].rfind(R"("with,comma ""quoted""",1,5,5,5,)", 0) == 0);
}

TEST_CASE("parse_sort_key") {
  CHECK(parse_sort_key("p99") == SortKey::kP99);
  CHECK(parse_sort_key("name") == SortKey::kName);
  CHECK_FALSE(parse_sort_key("size").has_value());
}
