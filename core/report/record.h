// The records instrumented programs write to TELINJECT_OUT (docs/telemetry.md), as the report
// reads them: one struct per kind of line, and a parser that turns one line into one of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace telinject::report {

/// One finished call. Strings are views valid until the parser's next parse().
struct SpanRecord {
  std::string_view name;  // "name", or "code.function.name" when "name" is missing
  std::string_view file;  // "code.file.path"
  int64_t line = 0;       // "code.line.number"
  uint64_t trace_id_high = 0, trace_id_low = 0;  // 32 hex digits (other ids are hashed)
  uint64_t span_id = 0;                          // 16 hex digits (other ids are hashed)
  uint64_t parent_span_id = 0;
  bool has_parent = false;  // false: "parent_span_id" null or missing
  int64_t start_ns = 0;     // "start_time_unix_nano"
  int64_t duration_ns = 0;
  bool error = false;  // "status" == "error"
  std::string_view exception_type;
  uint64_t thread_id = 0;  // "thread.id" (a string id is hashed)
  int64_t pid = 0;         // "process.pid"
};

/// `{"resource": {...}}`, once per process before its first span.
struct ResourceRecord {
  std::string_view service_name;  // "service.name"; empty when missing
  int64_t pid = 0;
};

/// `{"dropped": N, "name", "reason", "process.pid"}`: N calls of `name` not recorded.
struct DroppedRecord {
  uint64_t count = 0;
  std::string_view name;
  std::string_view reason;
  int64_t pid = 0;
};

enum class LineKind { kBlank, kSpan, kResource, kDropped, kMalformed };

/// Turns lines into records. A hand-written scanner reads the lines the runtimes write (any key
/// order, escapes, extra keys) without allocating; a line it does not follow (numbers with
/// fractions, odd layouts) goes to nlohmann::json, so any valid JSON record is read. Not
/// thread-safe: one parser per reading thread.
class RecordParser {
 public:
  /// Parses one line (without its newline). kMalformed: not JSON, or JSON that is none of the
  /// three records (a span needs name, span_id, start_time_unix_nano and duration_ns).
  LineKind parse(std::string_view line);
  const SpanRecord& span() const { return span_; }
  const ResourceRecord& resource() const { return resource_; }
  const DroppedRecord& dropped() const { return dropped_; }
  /// Lines the fast scanner handed to nlohmann::json (for measurements).
  uint64_t slow_lines() const { return slow_lines_; }
  /// parse() with nlohmann::json alone: the reference the fast scanner must agree with.
  LineKind parse_slow(std::string_view line);

 private:
  friend class FastScanner;

  SpanRecord span_;
  ResourceRecord resource_;
  DroppedRecord dropped_;
  // Unescaped strings live here when a line's strings hold escapes (or on the slow path).
  std::string name_storage_, function_storage_, file_storage_, status_storage_, exception_storage_,
      reason_storage_, service_storage_;
  uint64_t slow_lines_ = 0;
};

/// 64-bit id of a span id as written: 16 hex digits are read as a number, anything else hashed.
uint64_t parse_span_id(std::string_view text);

}  // namespace telinject::report
