// Applying textDocument/didChange content changes to a document's text, reporting each change
// as the byte-level edit tree-sitter's ts_tree_edit takes, so the server can reparse
// incrementally.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lsp_documents.h"
#include "position.h"

namespace telinject::protocol {

/// A point as tree-sitter counts them (TSPoint): `row` is the number of '\n' before the byte
/// (a lone '\r' does not start a row, unlike an LSP line) and `column` is in bytes from the
/// last '\n'.
struct TextPoint {
  uint32_t row = 0;
  uint32_t column = 0;
  friend bool operator==(const TextPoint&, const TextPoint&) = default;
};

/// One replacement in byte terms, field for field a TSInputEdit: bytes [start_byte,
/// old_end_byte) of the text before the change became [start_byte, new_end_byte) after it.
struct ByteEdit {
  uint32_t start_byte = 0;
  uint32_t old_end_byte = 0;
  uint32_t new_end_byte = 0;
  TextPoint start_point;
  TextPoint old_end_point;
  TextPoint new_end_point;
  /// The change had no range and replaced the whole text: an old tree is worth nothing then,
  /// and a fresh parse is cheaper than an incremental one.
  bool replaced_whole_text = false;
  friend bool operator==(const ByteEdit&, const ByteEdit&) = default;
};

/// The outcome of apply_content_changes.
struct AppliedChanges {
  std::string text;
  /// One edit per change, in order; each is relative to the text left by the edits before it,
  /// as ts_tree_edit expects when called once per edit.
  std::vector<ByteEdit> edits;
};

/// Applies `changes` to `text` in order. Ranged changes take positions in `encoding` against
/// the text as the previous changes left it, clamped as LineIndex::byte_offset does;
/// `range_length` is ignored (deprecated, and wrong in some clients). A change without a range
/// replaces the whole text.
///
/// Returns false and sets `*error` (leaving `*out` untouched) when a range ends before it starts
/// or a text would reach 4 GiB; no change is applied then. Pure function, thread-safe.
bool apply_content_changes(std::string_view text,
                           const std::vector<lsp::TextDocumentContentChangeEvent>& changes,
                           PositionEncoding encoding, AppliedChanges* out, std::string* error);

/// Where byte `offset` of `text` lies as tree-sitter counts (see TextPoint). `offset` is
/// clamped to the text's size. O(offset).
TextPoint text_point(std::string_view text, std::size_t offset);

}  // namespace telinject::protocol
