// SpeedscopeWriter and ChromeTraceWriter: their files parse and say what the spans say.
#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chrome_trace_writer.h"
#include "report_test_support.h"
#include "speedscope_writer.h"

using namespace telinject::report;
using nlohmann::json;
using testing::span_line;

namespace {
std::string temp_path() {
  char name[] = "/tmp/telinject-trace-test-XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  ::close(fd);
  return name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Two processes; in pid 100, thread 1: main(0..1000) > a(100..400) > c(110..210), main >
// b(500..700); thread 2: solo. In pid 200: one span. Lines in end order, as the runtimes write
// them.
std::vector<std::string> sample_lines() {
  return {
      R"({"resource": {"service.name": "shop", "process.pid": 100}})",
      span_line("c", 4, 2, 110, 100),
      span_line("a", 2, 1, 100, 300),
      span_line("solo", 9, 0, 50, 20, false, 2),
      span_line("b", 3, 1, 500, 200, true),
      span_line("main", 1, 0, 0, 1000),
      span_line("other", 20, 0, 300, 10, false, 7, 200),
  };
}

// Feeds lines to the sink and finishes it with the report of the same lines.
void feed(RecordSink& sink, const std::vector<std::string>& lines) {
  SpanAggregator aggregator;
  RecordParser parser;
  for (const auto& line : lines) {
    LineKind kind = parser.parse(line);
    if (kind == LineKind::kSpan) {
      aggregator.add_span(parser.span());
      sink.add_span(parser.span());
    } else if (kind == LineKind::kResource) {
      sink.add_resource(parser.resource());
    }
  }
  REQUIRE(sink.finish(aggregator.finish()).ok());
}

std::string speedscope_file(const std::vector<std::string>& lines, size_t run_spans,
                            uint64_t* cut = nullptr) {
  std::string path = temp_path();
  auto writer = SpeedscopeWriter::open(path, "sample", run_spans);
  REQUIRE(writer.ok());
  feed(**writer, lines);
  if (cut) *cut = (*writer)->cut_spans();
  std::string text = slurp(path);
  std::remove(path.c_str());
  return text;
}

// The frames opened and closed in a profile, as "O name at" / "C name at", checking nesting.
std::vector<std::string> walk(const json& file, const json& profile) {
  std::vector<std::string> steps;
  std::vector<int> stack;
  double last = -1;
  for (const auto& event : profile["events"]) {
    double at = event["at"];
    CHECK(at >= last);
    last = at;
    int frame = event["frame"];
    std::string name = file["shared"]["frames"][frame]["name"];
    if (event["type"] == "O") {
      stack.push_back(frame);
    } else {
      REQUIRE_FALSE(stack.empty());
      CHECK(stack.back() == frame);
      stack.pop_back();
    }
    steps.push_back(event["type"].get<std::string>() + " " + name + " " +
                    std::to_string(static_cast<long long>(at)));
  }
  CHECK(stack.empty());
  return steps;
}
}  // namespace

TEST_CASE("SpeedscopeWriter: one evented profile per process and thread, nested events") {
  std::string text = speedscope_file(sample_lines(), 1 << 19);
  json file = json::parse(text);
  CHECK(file["$schema"] == "https://www.speedscope.app/file-format-schema.json");
  CHECK(file["name"] == "sample");
  REQUIRE(file["profiles"].size() == 3);
  for (const auto& profile : file["profiles"]) {
    CHECK(profile["type"] == "evented");
    CHECK(profile["unit"] == "nanoseconds");
  }
  CHECK(file["profiles"][0]["name"] == "shop pid 100 thread 1");
  CHECK(file["profiles"][1]["name"] == "shop pid 100 thread 2");
  CHECK(file["profiles"][2]["name"] == "pid 200 thread 7");
  CHECK(file["shared"]["frames"].size() == 6);
  CHECK(file["shared"]["frames"][0]["file"] == "/src/app.py");
  CHECK(file["shared"]["frames"][0]["line"] == 3);
  // Times relative to the earliest span (main at 0).
  CHECK(walk(file, file["profiles"][0]) ==
        std::vector<std::string>{"O main 0", "O a 100", "O c 110", "C c 210", "C a 400", "O b 500",
                                 "C b 700", "C main 1000"});
  CHECK(file["profiles"][0]["startValue"] == 0);
  CHECK(file["profiles"][0]["endValue"] == 1000);
  CHECK(walk(file, file["profiles"][2]) == std::vector<std::string>{"O other 300", "C other 310"});
}

TEST_CASE("SpeedscopeWriter: spilling sorted runs to disk gives the same file") {
  std::vector<std::string> lines = sample_lines();
  // More spans, in many runs of 3.
  for (int i = 0; i < 40; ++i)
    lines.push_back(span_line("loop", 100 + i, 0, 2000 + i * 10, 5, false, 1 + i % 3));
  CHECK(speedscope_file(lines, 3) == speedscope_file(lines, 1 << 19));
}

TEST_CASE("SpeedscopeWriter: overlapping spans on one thread (async) are cut, not misnested") {
  uint64_t cut = 0;
  std::string text = speedscope_file(
      {span_line("first", 1, 0, 0, 100), span_line("second", 2, 0, 50, 100)}, 16, &cut);
  CHECK(cut == 1);
  json file = json::parse(text);
  CHECK(walk(file, file["profiles"][0]) ==
        std::vector<std::string>{"O first 0", "O second 50", "C second 100", "C first 100"});
}

TEST_CASE("ChromeTraceWriter: complete events in microseconds with pid, tid and args") {
  std::string path = temp_path();
  auto writer = ChromeTraceWriter::open(path);
  REQUIRE(writer.ok());
  std::vector<std::string> lines = sample_lines();
  lines.push_back(span_line("python_thread", 30, 0, 1'700'000'000'123'456'789, 1500, false,
                            140234234234ull, 300));
  feed(**writer, lines);
  std::string text = slurp(path);
  std::remove(path.c_str());
  json file = json::parse(text);
  std::map<std::string, json> complete;
  std::vector<json> metadata;
  for (const auto& event : file["traceEvents"]) {
    if (event["ph"] == "X") complete[event["name"]] = event;
    if (event["ph"] == "M") metadata.push_back(event);
  }
  REQUIRE(complete.size() == 7);
  const json& b = complete["b"];
  CHECK(b["ts"] == 0.5);
  CHECK(b["dur"] == 0.2);
  CHECK(b["pid"] == 100);
  CHECK(b["tid"] == 1);
  CHECK(b["args"]["file"] == "/src/app.py");
  CHECK(b["args"]["line"] == 3);
  CHECK(b["args"]["status"] == "error");
  CHECK(b["args"]["exception.type"] == "ValueError");
  CHECK(complete["main"]["args"]["status"] == "ok");
  // Absolute times keep their nanoseconds in the text; a large thread id gets a small number
  // and a thread_name event with the real one.
  CHECK(text.find(R"("ts":1700000000123456.789,"dur":1.500)") != std::string::npos);
  CHECK(complete["python_thread"]["tid"] == 0x40000000);
  bool thread_named = false, process_named = false;
  for (const auto& event : metadata) {
    thread_named |= event["name"] == "thread_name" &&
                    event["args"]["name"] == "thread 140234234234" && event["pid"] == 300 &&
                    event["tid"] == 0x40000000;
    process_named |=
        event["name"] == "process_name" && event["args"]["name"] == "shop" && event["pid"] == 100;
  }
  CHECK(thread_named);
  CHECK(process_named);
}
