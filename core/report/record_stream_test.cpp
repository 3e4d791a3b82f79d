#include "record_stream.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "report_test_support.h"

using namespace telinject::report;
using testing::span_line;

namespace {
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/telinject-report-test-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
    path = name;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

Report read_paths(const std::vector<std::string>& paths) {
  auto sources = open_record_sources(paths);
  REQUIRE(sources.ok());
  auto report = read_records(std::move(*sources), {});
  REQUIRE(report.ok());
  return std::move(*report);
}
}  // namespace

TEST_CASE("read_records: files in order, a last line without newline, CRLF, a malformed line") {
  TempFile first(span_line("child", 2, 1, 10, 40) + "\n" + "oops\n");
  TempFile second(span_line("parent", 1, 0, 0, 100) + "\r\n\n" + span_line("solo", 3, 0, 200, 5));
  Report report = read_paths({first.path, second.path});
  CHECK(report.totals.spans == 3);
  CHECK(report.totals.lines == 5);
  CHECK(report.totals.malformed_lines == 1);
  CHECK(report.totals.first_malformed_source == first.path);
  CHECK(report.totals.first_malformed_line == 2);
  // The child in the first file still counts against its parent in the second.
  for (const auto& f : report.functions)
    if (f.name == "parent") CHECK(f.self_ns == 60);
}

TEST_CASE("read_records: lines longer than the read buffer") {
  std::string long_name(3 << 20, 'x');  // 3 MiB: the buffer grows, then shrinks back
  TempFile file(span_line(long_name, 1, 0, 0, 1) + "\n" + span_line("after", 2, 0, 0, 1) + "\n");
  Report report = read_paths({file.path});
  REQUIRE(report.functions.size() == 2);
  CHECK(report.functions[0].name.size() == long_name.size());
  CHECK(report.functions[1].name == "after");
  CHECK(report.totals.malformed_lines == 0);
}

TEST_CASE("open_record_sources: a missing file or a directory is an error naming it") {
  TempFile file("");
  auto missing = open_record_sources({file.path, "/nonexistent/spans.jsonl"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("/nonexistent/spans.jsonl") != std::string::npos);
  auto directory = open_record_sources({"/tmp"});
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().find("directory") != std::string::npos);
}
