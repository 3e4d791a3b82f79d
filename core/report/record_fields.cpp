#include "record_fields.h"

#include <charconv>

#include "record.h"

namespace telinject::report {

uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_hex64(std::string_view text, uint64_t& value) {
  if (text.size() != 16) return false;
  value = 0;
  for (char c : text) {
    int digit = hex_digit(c);
    if (digit < 0) return false;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  return true;
}

void parse_trace_id(std::string_view text, uint64_t& high, uint64_t& low) {
  if (text.size() == 32 && parse_hex64(text.substr(0, 16), high) &&
      parse_hex64(text.substr(16), low))
    return;
  high = fnv1a(text);
  low = 0;
}

bool parse_integer_text(std::string_view text, int64_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

uint64_t parse_span_id(std::string_view text) {
  uint64_t value;
  return parse_hex64(text, value) ? value : fnv1a(text);
}

}  // namespace telinject::report
