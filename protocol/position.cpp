#include "position.h"

#include <algorithm>
#include <cstring>

namespace telinject::protocol {
namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Code units one character of `bytes` UTF-8 bytes takes in `encoding`.
std::size_t units(std::size_t bytes, PositionEncoding encoding) {
  switch (encoding) {
    case PositionEncoding::kUtf8:
      return bytes;
    case PositionEncoding::kUtf16:
      return bytes == 4 ? 2 : 1;  // only code points past U+FFFF need a surrogate pair
    case PositionEncoding::kUtf32:
      return 1;
  }
  return 1;
}

}  // namespace

std::optional<PositionEncoding> parse_position_encoding(std::string_view name) {
  if (name == "utf-8") return PositionEncoding::kUtf8;
  if (name == "utf-16") return PositionEncoding::kUtf16;
  if (name == "utf-32") return PositionEncoding::kUtf32;
  return std::nullopt;
}

std::string_view position_encoding_name(PositionEncoding encoding) {
  switch (encoding) {
    case PositionEncoding::kUtf8:
      return "utf-8";
    case PositionEncoding::kUtf16:
      return "utf-16";
    case PositionEncoding::kUtf32:
      return "utf-32";
  }
  return "utf-16";
}

PositionEncoding negotiate_position_encoding(const std::vector<std::string>& client_encodings) {
  for (const std::string& name : client_encodings)
    if (auto encoding = parse_position_encoding(name)) return *encoding;
  return PositionEncoding::kUtf16;
}

std::size_t utf8_sequence_length(std::string_view text, std::size_t offset) {
  auto byte = [&](std::size_t i) -> unsigned char {
    return offset + i < text.size() ? static_cast<unsigned char>(text[offset + i]) : 0;
  };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  // The second byte's range depends on the lead (Unicode table 3-7): it excludes overlong
  // forms (E0, F0), UTF-16 surrogates (ED) and code points past U+10FFFF (F4).
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 1;
  }
  if (byte(1) < low || byte(1) > high) return 1;
  for (std::size_t i = 2; i < length; ++i)
    if (!is_continuation(byte(i))) return 1;
  return length;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  if (text.empty()) return;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (!std::memchr(begin, '\r', text.size())) {  // most texts: memchr from break to break
    for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\n', end - p)));)
      line_starts_.push_back(static_cast<std::size_t>(++p - begin));
    return;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    if (text[i] == '\n' || text[i] == '\r') line_starts_.push_back(i + 1);
  }
}

std::size_t LineIndex::line_start(std::size_t line) const {
  return line < line_starts_.size() ? line_starts_[line] : text_.size();
}

std::size_t LineIndex::line_end(std::size_t line) const {
  if (line + 1 >= line_starts_.size()) return text_.size();
  std::size_t next = line_starts_[line + 1];
  // The break is "\n", "\r" or "\r\n"; a "\r\n" never straddles two lines.
  if (text_[next - 1] == '\n' && next - 1 > line_starts_[line] && text_[next - 2] == '\r')
    return next - 2;
  return next - 1;
}

std::size_t LineIndex::line_of(std::size_t offset) const {
  auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<std::size_t>(after - line_starts_.begin()) - 1;
}

std::size_t LineIndex::byte_offset(const lsp::Position& position, PositionEncoding encoding) const {
  std::size_t line = static_cast<std::size_t>(std::max(position.line, 0));
  if (line >= line_starts_.size()) return text_.size();
  std::size_t remaining = static_cast<std::size_t>(std::max(position.character, 0));
  std::size_t offset = line_starts_[line];
  std::size_t end = line_end(line);
  while (offset < end && remaining > 0) {
    std::size_t length = utf8_sequence_length(text_, offset);
    std::size_t width = units(length, encoding);
    if (width > remaining) break;  // inside this character: snap to its start
    remaining -= width;
    offset += length;
  }
  return offset;
}

lsp::Position LineIndex::position(std::size_t offset, PositionEncoding encoding) const {
  offset = std::min(offset, text_.size());
  std::size_t line = line_of(offset);
  std::size_t target = std::min(offset, line_end(line));
  std::size_t character = 0;
  for (std::size_t at = line_starts_[line]; at < target;) {
    std::size_t length = utf8_sequence_length(text_, at);
    if (at + length > target) break;  // inside this character: report its start
    character += units(length, encoding);
    at += length;
  }
  return {static_cast<int>(line), static_cast<int>(character)};
}

}  // namespace telinject::protocol
