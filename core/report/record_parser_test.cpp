#include <doctest/doctest.h>

#include "record.h"

using namespace telinject::report;

namespace {
// A line as runtime/python writes it.
const char* kPythonSpan =
    R"({"name": "app.models.Account.deposit", "code.function.name": "app.models.Account.deposit", )"
    R"("code.file.path": "/src/app/models.py", "code.line.number": 12, )"
    R"("trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331", )"
    R"("parent_span_id": "00f067aa0ba902b7", "start_time_unix_nano": 1700000000123456789, )"
    R"("duration_ns": 4200, "status": "error", "exception.type": "ValueError", )"
    R"("exception.message": "amount must be positive", "thread.id": 140234234234, "process.pid": 4242})";
bool valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += length;
  }
  return true;
}
}  // namespace

TEST_CASE("RecordParser: a span as the runtimes write it, on the fast path") {
  RecordParser parser;
  REQUIRE(parser.parse(kPythonSpan) == LineKind::kSpan);
  const SpanRecord& span = parser.span();
  CHECK(span.name == "app.models.Account.deposit");
  CHECK(span.file == "/src/app/models.py");
  CHECK(span.line == 12);
  CHECK(span.trace_id_high == 0x0af7651916cd43ddull);
  CHECK(span.trace_id_low == 0x8448eb211c80319cull);
  CHECK(span.span_id == 0xb7ad6b7169203331ull);
  CHECK(span.has_parent);
  CHECK(span.parent_span_id == 0x00f067aa0ba902b7ull);
  CHECK(span.start_ns == 1700000000123456789);
  CHECK(span.duration_ns == 4200);
  CHECK(span.error);
  CHECK(span.exception_type == "ValueError");
  CHECK(span.thread_id == 140234234234ull);
  CHECK(span.pid == 4242);
  CHECK(parser.slow_lines() == 0);
}

TEST_CASE("RecordParser: older records, other key orders, escapes and extra keys") {
  RecordParser parser;
  // No exception.message, null parent, keys in another order, no spaces.
  REQUIRE(parser.parse(
              R"({"duration_ns":7,"span_id":"0000000000000001","name":"f","parent_span_id":null,)"
              R"("start_time_unix_nano":5,"status":"ok"})") == LineKind::kSpan);
  CHECK(parser.span().name == "f");
  CHECK_FALSE(parser.span().has_parent);
  CHECK_FALSE(parser.span().error);
  CHECK(parser.span().duration_ns == 7);
  // Escapes (quote, backslash, \u00e9, a surrogate pair) and a nested unknown value.
  REQUIRE(
      parser.parse(
          R"({"name":"a\"b\\c\u00e9\ud83d\ude00","span_id":"x","start_time_unix_nano":"12",)"
          R"("duration_ns":3,"extra":{"k":[1,true,null,"s"]},"code.file.path":"C:\\src\\m.py"} )") ==
      LineKind::kSpan);
  CHECK(parser.span().name == "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(parser.span().file == "C:\\src\\m.py");
  CHECK(parser.span().start_ns == 12);  // a string holding the number, as OTLP JSON writes it
  CHECK(parser.span().span_id == parse_span_id("x"));
  // Only code.function.name.
  REQUIRE(
      parser.parse(
          R"({"code.function.name":"g","span_id":"2","start_time_unix_nano":1,"duration_ns":1})") ==
      LineKind::kSpan);
  CHECK(parser.span().name == "g");
  CHECK(parser.slow_lines() == 0);
}

TEST_CASE("RecordParser: numbers the scanner leaves to nlohmann::json") {
  RecordParser parser;
  REQUIRE(
      parser.parse(
          R"({"name":"f","span_id":"1","start_time_unix_nano":1.5e3,"duration_ns":2.0,"thread.id":3})") ==
      LineKind::kSpan);
  CHECK(parser.slow_lines() == 1);
  CHECK(parser.span().start_ns == 1500);
  CHECK(parser.span().duration_ns == 2);
  CHECK(parser.span().thread_id == 3);
}

TEST_CASE("RecordParser: resource and dropped lines") {
  RecordParser parser;
  REQUIRE(parser.parse(
              R"({"resource": {"service.name": "shop", "telemetry.sdk.name": "telinject", )"
              R"("telemetry.sdk.language": "python", "process.pid": 77, "deployment": "x"}})") ==
          LineKind::kResource);
  CHECK(parser.resource().service_name == "shop");
  CHECK(parser.resource().pid == 77);
  REQUIRE(parser.parse(
              R"({"dropped": 120, "name": "app.f", "reason": "rate_limit", "process.pid": 77})") ==
          LineKind::kDropped);
  CHECK(parser.dropped().count == 120);
  CHECK(parser.dropped().name == "app.f");
  CHECK(parser.dropped().reason == "rate_limit");
  CHECK(parser.dropped().pid == 77);
}

TEST_CASE("RecordParser: blank and malformed lines") {
  RecordParser parser;
  CHECK(parser.parse("") == LineKind::kBlank);
  CHECK(parser.parse("  \r") == LineKind::kBlank);
  for (const char* line : {
           "not json",
           "{\"name\": \"f\", \"span_id\": \"1\"",                                // cut short
           "{\"name\": \"f\", \"span_id\": \"1\", \"start_time_unix_nano\": 1}",  // no duration
           "[1, 2]",
           "{}",
           "{\"name\": \"f\", \"span_id\": 1, \"start_time_unix_nano\": 1, \"duration_ns\": 1}",
           "{\"dropped\": -1, \"name\": \"f\"}",
           "{\"name\": \"f\", \"span_id\": \"1\", \"start_time_unix_nano\": 1, \"duration_ns\": 1} "
           "x",
           "{\"name\": \"a\tb\", \"span_id\": \"1\", \"start_time_unix_nano\": 1, \"duration_ns\": "
           "1}",
       }) {
    CAPTURE(line);
    CHECK(parser.parse(line) == LineKind::kMalformed);
  }
}

TEST_CASE("RecordParser: the fast scanner agrees with nlohmann::json on mangled lines") {
  // Random edits of a real line; whenever the scanner decides alone, nlohmann::json must reach
  // the same decision and the same fields.
  const std::string original = kPythonSpan;
  const std::string alphabet = "\"\\{}[],: 0-9.eEanul\x01\xC3\xA9xtf";
  uint64_t state = 12345;
  auto next = [&state](uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  RecordParser fast, reference;
  int decided_alone = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = original;
    for (uint64_t edits = 1 + next(3); edits > 0; --edits) {
      size_t at = next(line.size());
      switch (next(3)) {
        case 0:
          line.erase(at, 1);
          break;
        case 1:
          line.insert(at, 1, alphabet[next(alphabet.size())]);
          break;
        default:
          line[at] = alphabet[next(alphabet.size())];
      }
    }
    uint64_t slow_before = fast.slow_lines();
    LineKind kind = fast.parse(line);
    if (fast.slow_lines() != slow_before) continue;  // nlohmann::json decided
    // Bytes that are not UTF-8 are the one intended difference: the scanner keeps such a record
    // (a program's odd name should not cost its calls), nlohmann::json refuses the line.
    if (!valid_utf8(line)) continue;
    ++decided_alone;
    CAPTURE(line);
    REQUIRE(reference.parse_slow(line) == kind);
    if (kind != LineKind::kSpan) continue;
    const SpanRecord &a = fast.span(), &b = reference.span();
    CHECK(a.name == b.name);
    CHECK(a.file == b.file);
    CHECK(a.line == b.line);
    CHECK(a.span_id == b.span_id);
    CHECK(a.has_parent == b.has_parent);
    CHECK(a.parent_span_id == b.parent_span_id);
    CHECK(a.trace_id_high == b.trace_id_high);
    CHECK(a.start_ns == b.start_ns);
    CHECK(a.duration_ns == b.duration_ns);
    CHECK(a.error == b.error);
    CHECK(a.exception_type == b.exception_type);
    CHECK(a.thread_id == b.thread_id);
    CHECK(a.pid == b.pid);
  }
  CHECK(decided_alone > 5000);
}

TEST_CASE("RecordParser: a number too large for an integer field is not a span") {
  // Converting 1e300 to int64 is undefined behaviour (clang's UBSan found it through the
  // mangled-lines test): such a line is malformed, and 2.5e3 still reads as 2500.
  RecordParser parser;
  CHECK(parser.parse(R"({"duration_ns":1e300,"span_id":"0000000000000001","name":"f",)"
                     R"("start_time_unix_nano":5,"status":"ok"})") != LineKind::kSpan);
  REQUIRE(parser.parse(R"({"duration_ns":2.5e3,"span_id":"0000000000000001","name":"f",)"
                       R"("start_time_unix_nano":5,"status":"ok"})") == LineKind::kSpan);
  CHECK(parser.span().duration_ns == 2500);
}
