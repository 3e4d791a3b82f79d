#include "json_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

namespace telinject::protocol {

using nlohmann::json;

namespace {

class Reader {
 public:
  Reader(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

  std::optional<json> document() {
    // nlohmann skips a UTF-8 byte order mark at the start.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    json value;
    if (!read_value(value, 0)) return std::nullopt;
    skip_space();
    if (pos_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  unsigned char peek() const { return static_cast<unsigned char>(text_[pos_]); }

  void skip_space() {
    while (!at_end()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool read_value(json& out, int depth) {
    skip_space();
    if (at_end()) return false;
    switch (text_[pos_]) {
      case '{':
        return read_object(out, depth + 1);
      case '[':
        return read_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!read_string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        out = true;
        return literal("true");
      case 'f':
        out = false;
        return literal("false");
      case 'n':
        out = nullptr;
        return literal("null");
      default:
        return read_number(out);
    }
  }

  bool read_object(json& out, int depth) {
    if (depth > max_depth_) return false;
    ++pos_;  // {
    out = json::object();
    skip_space();
    if (!at_end() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_space();
      if (at_end() || text_[pos_] != '"') return false;
      std::string key;
      if (!read_string(key)) return false;
      skip_space();
      if (at_end() || text_[pos_] != ':') return false;
      ++pos_;
      json value;
      if (!read_value(value, depth)) return false;
      out[std::move(key)] = std::move(value);  // a repeated name: the last one, as nlohmann
      skip_space();
      if (at_end()) return false;
      char c = text_[pos_++];
      if (c == '}') return true;
      if (c != ',') return false;
    }
  }

  bool read_array(json& out, int depth) {
    if (depth > max_depth_) return false;
    ++pos_;  // [
    out = json::array();
    skip_space();
    if (!at_end() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      json value;
      if (!read_value(value, depth)) return false;
      out.push_back(std::move(value));
      skip_space();
      if (at_end()) return false;
      char c = text_[pos_++];
      if (c == ']') return true;
      if (c != ',') return false;
    }
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u", or -1.
  long read_hex4() {
    if (text_.size() - pos_ < 4) return -1;
    long value = 0;
    for (int i = 0; i < 4; ++i) {
      int digit = hex_value(text_[pos_ + i]);
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    pos_ += 4;
    return value;
  }

  static void append_utf8(std::string& out, long code_point) {
    if (code_point < 0x80) {
      out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
      out += static_cast<char>(0xC0 | (code_point >> 6));
      out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
      out += static_cast<char>(0xE0 | (code_point >> 12));
      out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code_point >> 18));
      out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
  }

  bool read_escape(std::string& out) {
    if (at_end()) return false;
    char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u': {
        long code = read_hex4();
        if (code < 0) return false;
        if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a low surrogate alone
        if (code >= 0xD800 && code <= 0xDBFF) {
          if (text_.substr(pos_, 2) != "\\u") return false;
          pos_ += 2;
          long low = read_hex4();
          if (low < 0xDC00 || low > 0xDFFF) return false;
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, code);
        return true;
      }
      default:
        return false;
    }
  }

  // One UTF-8 sequence of two to four bytes starting at pos_ (RFC 3629, as nlohmann checks it:
  // no overlong forms, no surrogates, nothing past U+10FFFF); its length, or 0.
  size_t utf8_sequence() const {
    auto byte = [&](size_t i) -> unsigned {
      return pos_ + i < text_.size() ? static_cast<unsigned char>(text_[pos_ + i]) : 0x100;
    };
    auto in = [](unsigned b, unsigned low, unsigned high) { return b >= low && b <= high; };
    unsigned b0 = byte(0);
    if (in(b0, 0xC2, 0xDF)) return in(byte(1), 0x80, 0xBF) ? 2 : 0;
    if (b0 == 0xE0) return in(byte(1), 0xA0, 0xBF) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
    if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF))
      return in(byte(1), 0x80, 0xBF) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
    if (b0 == 0xED) return in(byte(1), 0x80, 0x9F) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
    if (b0 == 0xF0)
      return in(byte(1), 0x90, 0xBF) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
    if (in(b0, 0xF1, 0xF3))
      return in(byte(1), 0x80, 0xBF) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
    if (b0 == 0xF4)
      return in(byte(1), 0x80, 0x8F) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
    return 0;
  }

  bool read_string(std::string& out) {
    ++pos_;  // "
    for (;;) {
      // The run of plain ASCII characters, copied whole.
      size_t run = pos_;
      while (run < text_.size()) {
        unsigned char c = static_cast<unsigned char>(text_[run]);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++run;
      }
      out.append(text_.data() + pos_, run - pos_);
      pos_ = run;
      if (at_end()) return false;
      unsigned char c = peek();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        ++pos_;
        if (!read_escape(out)) return false;
        continue;
      }
      if (c < 0x20) return false;  // a control character must be escaped
      size_t length = utf8_sequence();
      if (length == 0) return false;
      out.append(text_.data() + pos_, length);
      pos_ += length;
    }
  }

  bool read_number(json& out) {
    size_t start = pos_;
    bool negative = !at_end() && text_[pos_] == '-';
    if (negative) ++pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (at_end()) return false;
    if (text_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return false;
    }
    bool is_float = false;
    if (!at_end() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return false;
      is_float = true;
    }
    if (!at_end() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (!at_end() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return false;
      is_float = true;
    }
    std::string token(text_.substr(start, pos_ - start));
    if (!is_float) {
      // As nlohmann: an integer is signed when negative, unsigned otherwise, and a float when
      // it does not fit.
      errno = 0;
      char* end = nullptr;
      if (negative) {
        long long value = std::strtoll(token.c_str(), &end, 10);
        if (errno == 0 && end == token.c_str() + token.size()) {
          out = static_cast<json::number_integer_t>(value);
          return true;
        }
      } else {
        unsigned long long value = std::strtoull(token.c_str(), &end, 10);
        if (errno == 0 && end == token.c_str() + token.size()) {
          out = static_cast<json::number_unsigned_t>(value);
          return true;
        }
      }
    }
    char* end = nullptr;
    double value = std::strtod(token.c_str(), &end);
    if (end != token.c_str() + token.size() || !std::isfinite(value)) return false;
    out = value;
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int max_depth_;
};

}  // namespace

std::optional<json> read_json(std::string_view text, int max_depth) {
  return Reader(text, max_depth).document();
}

}  // namespace telinject::protocol
