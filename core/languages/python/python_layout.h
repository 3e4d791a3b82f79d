// Python's block structure as CPython's tokenizer sees it, independently of tree-sitter.
//
// tree-sitter's Python scanner keeps each indentation level in one byte when it saves its
// state: past 255 columns (32 tabs, 64 levels of four spaces) it loses track of the blocks, and
// a check that trusts its tree is fooled the same way. This scan knows only tokens (strings,
// comments, brackets, continuation lines) and indentation, like CPython's own tokenizer, so
// it sees what the interpreter will see.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "result.h"
#include "source_text.h"

namespace telinject::python {

/// Indentation widths from here on are beyond what tree-sitter's Python grammar parses
/// correctly.
inline constexpr uint32_t kParserIndentLimit = 256;

/// One logical line (a statement's first physical line, blank and comment-only lines left out).
struct LogicalLine {
  uint32_t offset = 0;       // the byte of its first token
  uint32_t row = 0;          // 0-based
  uint32_t columns = 0;      // indentation width, a tab advancing to the next multiple of 8
  uint32_t depth = 0;        // blocks that hold it
  int parent = -1;           // index of the line whose block holds it, -1 at module level
  bool opens_block = false;  // its last token is ':'
  bool has_children = false;
};

struct Layout {
  std::vector<LogicalLine> lines;
  /// [begin, end) of every string literal, in order.
  std::vector<std::pair<uint32_t, uint32_t>> strings;
};

/// Scans `text` the way CPython's tokenizer does for indentation. Fails, with the row, where
/// CPython would raise IndentationError or TabError, nest more than 99 blocks, or find a string
/// unterminated.
Result<Layout> scan_layout(std::string_view text);

/// The indentation width of `indent` (spaces and tabs) by CPython's rule.
uint32_t indent_columns(std::string_view indent);
/// The width tree-sitter's scanner gives `indent`: a tab is 8 columns wherever it stands. At
/// kParserIndentLimit or more, its tree cannot be trusted.
uint32_t parser_indent_width(std::string_view indent);

/// Checks that `wrapped` keeps the block structure of `plain`, the text that `removal` (edits
/// that only delete, sorted by offset) makes of it: every statement of `plain` starts a
/// statement in `wrapped` and sits in the same block there, the lines only `wrapped` has (the
/// telemetry) at most adding blocks around statements; no string literal gains or loses a byte.
/// Returns the reason, naming a row of `plain`, when Python would read the two differently.
Result<void> check_layout_kept(std::string_view wrapped, const std::vector<TextEdit>& removal);

}  // namespace telinject::python
