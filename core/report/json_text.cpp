#include "json_text.h"

#include <charconv>
#include <cstdio>
#include <cstring>

namespace telinject::report {

const char* find_json_special(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  auto has_zero_byte = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    uint64_t hits = has_zero_byte(word ^ (kOnes * '"')) | has_zero_byte(word ^ (kOnes * '\\')) |
                    ((word - kOnes * 0x20) & ~word & kHighs);  // bytes below 0x20
    if (hits) break;
    p += 8;
  }
  while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
  return p;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  const char* p = text.data();
  const char* end = p + text.size();
  while (p != end) {
    const char* special = find_json_special(p, end);
    out.append(p, static_cast<size_t>(special - p));
    if (special == end) break;
    char c = *special;
    p = special + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_microseconds(std::string& out, int64_t nanoseconds) {
  if (nanoseconds < 0) {
    out += '-';
    nanoseconds = -nanoseconds;
  }
  char text[32];
  char* end = std::to_chars(text, text + sizeof text, nanoseconds / 1000).ptr;
  int64_t fraction = nanoseconds % 1000;
  *end++ = '.';
  *end++ = static_cast<char>('0' + fraction / 100);
  *end++ = static_cast<char>('0' + fraction / 10 % 10);
  *end++ = static_cast<char>('0' + fraction % 10);
  out.append(text, static_cast<size_t>(end - text));
}

}  // namespace telinject::report
