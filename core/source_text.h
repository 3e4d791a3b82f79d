// SourceText: one file's bytes with a line table and the layout facts that a rewrite must keep
// (byte order mark, line endings, indentation unit, final newline).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace telinject {

/// An immutable file body. The UTF-8 byte order mark, when present, is kept aside: `text()`
/// never starts with it and `restore()` puts it back. Rows are 0-based; a row's start offset is
/// the byte after the previous '\n'.
class SourceText {
 public:
  SourceText() = default;
  explicit SourceText(std::string bytes);

  const std::string& text() const { return text_; }
  bool has_bom() const { return has_bom_; }
  /// True when most line breaks are "\r\n"; inserted text then uses "\r\n" too.
  bool uses_crlf() const { return uses_crlf_; }
  /// "\r\n" or "\n", as the file mostly uses.
  std::string_view newline() const { return uses_crlf_ ? "\r\n" : "\n"; }
  size_t row_count() const { return row_starts_.size(); }
  uint32_t row_start(uint32_t row) const { return row_starts_[row]; }
  /// The row's text without its line break ("\n" or "\r\n").
  std::string_view row_text(uint32_t row) const;
  /// Leading spaces and tabs of the row.
  std::string_view row_indent(uint32_t row) const;
  /// True when the row holds only spaces, tabs and its line break.
  bool row_is_blank(uint32_t row) const;
  /// The row that holds byte `offset`.
  uint32_t row_of(uint32_t offset) const;
  /// The indentation step the file uses most ("    ", "  ", "\t", ...); four spaces when the
  /// file gives no evidence.
  const std::string& indent_unit() const { return indent_unit_; }
  /// `body` with the byte order mark put back when the original had one.
  std::string restore(std::string_view body) const;
  /// Converts "\n" in generated text to this file's line break.
  std::string localize_newlines(std::string_view generated) const;

 private:
  std::string text_;
  std::vector<uint32_t> row_starts_;
  std::string indent_unit_ = "    ";
  bool has_bom_ = false;
  bool uses_crlf_ = false;
};

/// One change to a text: remove `remove_length` bytes at `offset`, then insert `insert` there.
struct TextEdit {
  uint32_t offset = 0;
  uint32_t remove_length = 0;
  std::string insert;
};

/// Applies non-overlapping edits (sorted stably by offset; same-offset insertions keep their
/// order). Returns false and leaves `out` unspecified when two edits overlap or one runs past
/// the end of `text`.
bool apply_edits(std::string_view text, std::vector<TextEdit> edits, std::string* out);

}  // namespace telinject
