// Position encodings and the mapping between LSP positions (line, character in code units of
// the negotiated encoding) and byte offsets in a UTF-8 text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lsp_types.h"

namespace telinject::protocol {

/// The unit of lsp::Position::character: UTF-8 bytes, UTF-16 code units or code points.
enum class PositionEncoding { kUtf8, kUtf16, kUtf32 };

/// Parses "utf-8", "utf-16" or "utf-32" (exact, lowercase, as the spec spells them); nothing
/// for any other text.
std::optional<PositionEncoding> parse_position_encoding(std::string_view name);

/// The spec's name of `encoding`: "utf-8", "utf-16" or "utf-32".
std::string_view position_encoding_name(PositionEncoding encoding);

/// Picks the encoding to announce in ServerCapabilities::position_encoding: the first entry of
/// the client's general.positionEncodings (in its order of preference) that we know, or UTF-16
/// (which every client must support) when the list is empty or holds none we know.
PositionEncoding negotiate_position_encoding(const std::vector<std::string>& client_encodings);

/// Line starts of a UTF-8 text, to convert between positions and byte offsets. Lines end at
/// "\n", "\r\n" or "\r", as LSP defines them; a text ending with a line break has an empty last
/// line. Invalid UTF-8 bytes count as one code unit each in every encoding.
///
/// Keeps a view of the text: the text must outlive the index and must not change. Building is
/// O(size); conversions are O(log lines + line length). Immutable, so safe to share between
/// threads.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  /// Number of lines, at least 1 (the empty text has one empty line).
  std::size_t line_count() const { return line_starts_.size(); }
  /// Byte offset where `line` starts; the text's size when `line` is past the last line.
  std::size_t line_start(std::size_t line) const;
  /// Byte offset where `line`'s content ends (before its line break); the text's size when
  /// `line` is past the last line.
  std::size_t line_end(std::size_t line) const;
  /// The line holding byte `offset`; a line break belongs to the line it ends. Offsets past the
  /// end give the last line.
  std::size_t line_of(std::size_t offset) const;

  /// The byte offset of `position`, clamped as the spec asks: a line past the end gives the end
  /// of the text, a character past the line's end gives the line's end (before the break), a
  /// character inside a multi-unit character (a surrogate pair, a UTF-8 sequence) gives that
  /// character's start. Negative values count as 0. Never fails.
  std::size_t byte_offset(const lsp::Position& position, PositionEncoding encoding) const;

  /// The position of byte `offset`. Offsets past the end clamp to the end of the text, offsets
  /// inside a line break to the end of that line's content, offsets inside a multi-byte
  /// character to that character's start. Never fails.
  lsp::Position position(std::size_t offset, PositionEncoding encoding) const;

 private:
  std::string_view text_;
  std::vector<std::size_t> line_starts_;
};

/// Length in bytes of the UTF-8 character starting at `text[offset]`: 1 to 4 for a well-formed
/// sequence (no overlong forms, surrogates or values past U+10FFFF), 1 for an invalid byte.
/// `offset` must be inside `text`.
std::size_t utf8_sequence_length(std::string_view text, std::size_t offset);

}  // namespace telinject::protocol
