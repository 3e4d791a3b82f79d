// RecordParser's fast path: a scanner for the lines the runtimes write.
#include <charconv>
#include <cstring>
#include <optional>

#include "json_text.h"
#include "record.h"
#include "record_fields.h"

namespace telinject::report {

namespace {

// The keys the report reads; a switch on their length finds them with one comparison.
enum class Key {
  kOther,
  kName,
  kFunctionName,
  kFilePath,
  kLineNumber,
  kTraceId,
  kSpanId,
  kParentSpanId,
  kStartTime,
  kDuration,
  kStatus,
  kExceptionType,
  kThreadId,
  kProcessId,
  kResource,
  kDropped,
  kReason
};

template <size_t N>
bool is(std::string_view key, const char (&literal)[N]) {
  return std::memcmp(key.data(), literal, N - 1) == 0;  // the caller checked the length
}

Key key_of(std::string_view key) {
  switch (key.size()) {
    case 4:
      return is(key, "name") ? Key::kName : Key::kOther;
    case 6:
      return is(key, "status") ? Key::kStatus : is(key, "reason") ? Key::kReason : Key::kOther;
    case 7:
      return is(key, "span_id") ? Key::kSpanId : is(key, "dropped") ? Key::kDropped : Key::kOther;
    case 8:
      return is(key, "trace_id")   ? Key::kTraceId
             : is(key, "resource") ? Key::kResource
                                   : Key::kOther;
    case 9:
      return is(key, "thread.id") ? Key::kThreadId : Key::kOther;
    case 11:
      return is(key, "duration_ns")   ? Key::kDuration
             : is(key, "process.pid") ? Key::kProcessId
                                      : Key::kOther;
    case 14:
      return is(key, "code.file.path")   ? Key::kFilePath
             : is(key, "parent_span_id") ? Key::kParentSpanId
             : is(key, "exception.type") ? Key::kExceptionType
                                         : Key::kOther;
    case 16:
      return is(key, "code.line.number") ? Key::kLineNumber : Key::kOther;
    case 18:
      return is(key, "code.function.name") ? Key::kFunctionName : Key::kOther;
    case 20:
      return is(key, "start_time_unix_nano") ? Key::kStartTime : Key::kOther;
    default:
      return Key::kOther;
  }
}

void append_utf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | code >> 6);
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | code >> 12);
    out += static_cast<char>(0x80 | (code >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | code >> 18);
    out += static_cast<char>(0x80 | (code >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (code >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

}  // namespace

// Reads one line of JSON the way the runtimes write it. Every method returns false when the
// line leaves the path it knows; the caller then asks nlohmann::json, which also decides
// whether the line is JSON at all. So this scanner may be strict and small.
class FastScanner {
 public:
  FastScanner(std::string_view line, RecordParser& out)
      : p_(line.data()), end_(line.data() + line.size()), out_(out) {}

  std::optional<LineKind> scan() {
    skip_whitespace();
    if (p_ == end_) return LineKind::kBlank;
    if (!scan_top_object()) return std::nullopt;
    skip_whitespace();
    if (p_ != end_) return std::nullopt;
    return classify();
  }

 private:
  struct Value {
    std::string_view text;
    bool present = false;
  };

  void skip_whitespace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }

  bool consume(char c) {
    skip_whitespace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // A string at p_ (after its opening quote was seen by the caller). Without escapes the view
  // points into the line; with escapes it is decoded into `storage`.
  bool read_string_body(std::string_view& value, std::string* storage) {
    const char* start = p_;
    p_ = find_json_special(p_, end_);
    if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
    if (*p_ == '"') {
      value = std::string_view(start, static_cast<size_t>(p_ - start));
      ++p_;
      return true;
    }
    // Without storage (keys, ids) the view is used at once: the scanner's scratch will do.
    std::string& out = storage ? *storage : scratch_;
    out.assign(start, static_cast<size_t>(p_ - start));
    while (p_ != end_) {
      char c = *p_++;
      if (c == '"') {
        value = out;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ == end_) return false;
      switch (*p_++) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          uint32_t code;
          if (!read_hex4(code)) return false;
          if (code >= 0xD800 && code < 0xDC00) {
            uint32_t low;
            if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!read_hex4(low) || low < 0xDC00 || low >= 0xE000) return false;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code < 0xE000) {
            return false;
          }
          append_utf8(out, code);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  bool read_hex4(uint32_t& code) {
    if (end_ - p_ < 4) return false;
    code = 0;
    for (int i = 0; i < 4; ++i) {
      int digit = hex_digit(*p_++);
      if (digit < 0) return false;
      code = code << 4 | static_cast<uint32_t>(digit);
    }
    return true;
  }

  bool read_string(std::string_view& value, std::string* storage) {
    return consume('"') && read_string_body(value, storage);
  }

  // An integer, or a string holding one.
  bool read_integer(int64_t& value) {
    skip_whitespace();
    if (p_ != end_ && *p_ == '"') {
      ++p_;
      std::string_view text;
      return read_string_body(text, nullptr) && parse_integer_text(text, value);
    }
    auto [next, error] = std::from_chars(p_, end_, value);
    if (error != std::errc() || next == p_) return false;
    // JSON has no leading zeros ("007"): nlohmann::json refuses the line.
    const char* digits = *p_ == '-' ? p_ + 1 : p_;
    if (*digits == '0' && next - digits > 1) return false;
    // A fraction or an exponent: nlohmann::json decides what it means.
    if (next != end_ && (*next == '.' || *next == 'e' || *next == 'E')) return false;
    p_ = next;
    return true;
  }

  bool read_literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  bool skip_value(int depth) {
    skip_whitespace();
    if (p_ == end_ || depth > 32) return false;
    switch (*p_) {
      case '"': {
        ++p_;
        std::string_view ignored;
        return read_string_body(ignored, nullptr);
      }
      case '{': {
        ++p_;
        if (consume('}')) return true;
        do {
          std::string_view key;
          if (!read_string(key, nullptr) || !consume(':') || !skip_value(depth + 1)) return false;
        } while (consume(','));
        return consume('}');
      }
      case '[': {
        ++p_;
        if (consume(']')) return true;
        do {
          if (!skip_value(depth + 1)) return false;
        } while (consume(','));
        return consume(']');
      }
      case 't':
        return read_literal("true");
      case 'f':
        return read_literal("false");
      case 'n':
        return read_literal("null");
      default: {
        int64_t ignored;
        return read_integer(ignored);
      }
    }
  }

  bool scan_resource() {
    if (!consume('{')) return false;
    resource_seen_ = true;
    if (consume('}')) return true;
    do {
      std::string_view key;
      if (!read_string(key, nullptr) || !consume(':')) return false;
      bool ok;
      if (key == "service.name")
        ok = read_string(service_name_, &out_.service_storage_);
      else if (key == "process.pid")
        ok = read_integer(resource_pid_) && (resource_pid_seen_ = true);
      else
        ok = skip_value(1);
      if (!ok) return false;
    } while (consume(','));
    return consume('}');
  }

  bool scan_top_object() {
    SpanRecord& span = out_.span_;
    span = SpanRecord{};
    if (!consume('{')) return false;
    if (consume('}')) return true;
    do {
      std::string_view key;
      if (!read_string(key, nullptr) || !consume(':')) return false;
      bool ok = true;
      switch (key_of(key)) {
        case Key::kName: {
          ok = read_string(span.name, &out_.name_storage_) && (name_seen_ = true);
          break;
        }
        case Key::kFunctionName: {
          ok = read_string(function_name_, &out_.function_storage_);
          break;
        }
        case Key::kFilePath: {
          ok = read_string(span.file, &out_.file_storage_);
          break;
        }
        case Key::kLineNumber: {
          ok = read_integer(span.line);
          break;
        }
        case Key::kTraceId: {
          std::string_view text;
          ok = read_string(text, nullptr);
          if (ok) parse_trace_id(text, span.trace_id_high, span.trace_id_low);
          break;
        }
        case Key::kSpanId: {
          std::string_view text;
          ok = read_string(text, nullptr) && (span_id_seen_ = true);
          if (ok) span.span_id = parse_span_id(text);
          break;
        }
        case Key::kParentSpanId: {
          skip_whitespace();
          if (read_literal("null")) {
            span.has_parent = false;
          } else {
            std::string_view text;
            ok = read_string(text, nullptr);
            if (ok) {
              span.parent_span_id = parse_span_id(text);
              span.has_parent = true;
            }
          }
          break;
        }
        case Key::kStartTime: {
          ok = read_integer(span.start_ns) && (start_seen_ = true);
          break;
        }
        case Key::kDuration: {
          ok = read_integer(span.duration_ns) && (duration_seen_ = true);
          break;
        }
        case Key::kStatus: {
          std::string_view status;
          ok = read_string(status, &out_.status_storage_);
          span.error = status == "error";
          break;
        }
        case Key::kExceptionType: {
          ok = read_string(span.exception_type, &out_.exception_storage_);
          break;
        }
        case Key::kThreadId: {
          skip_whitespace();
          if (p_ != end_ && *p_ == '"') {
            std::string_view text;
            ok = read_string(text, nullptr);
            span.thread_id = fnv1a(text);
          } else {
            int64_t id;
            ok = read_integer(id);
            span.thread_id = static_cast<uint64_t>(id);
          }
          break;
        }
        case Key::kProcessId: {
          ok = read_integer(span.pid);
          break;
        }
        case Key::kResource: {
          ok = scan_resource();
          break;
        }
        case Key::kDropped: {
          int64_t count;
          ok = read_integer(count) && count >= 0 && (dropped_seen_ = true);
          dropped_count_ = static_cast<uint64_t>(count);
          break;
        }
        case Key::kReason: {
          ok = read_string(reason_, &out_.reason_storage_);
          break;
        }
        case Key::kOther:
          ok = skip_value(1);
          break;
      }
      if (!ok) return false;
    } while (consume(','));
    return consume('}');
  }

  LineKind classify() {
    SpanRecord& span = out_.span_;
    if (!name_seen_) span.name = function_name_;
    if (resource_seen_) {
      out_.resource_ = {service_name_, resource_pid_seen_ ? resource_pid_ : span.pid};
      return LineKind::kResource;
    }
    if (dropped_seen_) {
      if (span.name.empty()) return LineKind::kMalformed;
      out_.dropped_ = {dropped_count_, span.name, reason_, span.pid};
      return LineKind::kDropped;
    }
    if (span.name.empty() || !span_id_seen_ || !start_seen_ || !duration_seen_)
      return LineKind::kMalformed;
    return LineKind::kSpan;
  }

  const char* p_;
  const char* end_;
  RecordParser& out_;
  std::string_view function_name_, service_name_, reason_;
  bool name_seen_ = false, span_id_seen_ = false, start_seen_ = false, duration_seen_ = false;
  bool resource_seen_ = false, resource_pid_seen_ = false, dropped_seen_ = false;
  int64_t resource_pid_ = 0;
  uint64_t dropped_count_ = 0;
  std::string scratch_;
};

LineKind RecordParser::parse(std::string_view line) {
  FastScanner scanner(line, *this);
  if (auto kind = scanner.scan()) return *kind;
  ++slow_lines_;
  return parse_slow(line);
}

}  // namespace telinject::report
