#include "python/python_layout.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace telinject::python {
namespace {

// CPython's MAXINDENT: a block 100 levels deep is "too many levels of indentation".
constexpr size_t kMaxDepth = 99;

// Bytes of names and numbers (non-ASCII bytes belong to names), as a table: the scan's
// inner loop.
constexpr std::array<bool, 256> kNameBytes = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c)
    table[c] = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_';
  return table;
}();

bool is_name_byte(char c) { return kNameBytes[static_cast<unsigned char>(c)]; }

// "r", "b", "f", "u" and the two-letter mixes CPython accepts before a quote.
bool is_string_prefix(std::string_view word) {
  if (word.size() > 2) return false;
  std::string lower;
  for (char c : word)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower == "r" || lower == "u" || lower == "b" || lower == "f" || lower == "br" ||
         lower == "rb" || lower == "fr" || lower == "rf";
}

Error error_at(uint32_t row, const std::string& what) {
  return make_error("line " + std::to_string(row + 1) + ": " + what);
}

// The layout scan: one pass over the text, CPython's indentation stack as it goes.
class LayoutScanner {
 public:
  explicit LayoutScanner(std::string_view text) : text_(text) {}

  Result<Layout> scan() {
    bool line_start = true, continued = false;
    while (i_ < text_.size()) {
      if (line_start) {
        line_start = false;
        if (brackets_ == 0 && !continued) {
          auto started = start_line();
          if (!started.ok()) return make_error(started.error());
        }
        continued = false;
        continue;
      }
      char c = text_[i_];
      if (c == '\n') {
        ++row_;
        ++i_;
        line_start = true;
      } else if (c == '#') {
        while (i_ < text_.size() && text_[i_] != '\n') ++i_;
      } else if (c == '\\' && next_is_newline(i_ + 1)) {
        i_ = text_.find('\n', i_) + 1;
        ++row_;
        line_start = continued = true;
      } else if (c == '\'' || c == '"') {
        auto string = scan_string(i_);
        if (!string.ok()) return make_error(string.error());
      } else if (is_name_byte(c)) {
        size_t begin = i_;
        while (i_ < text_.size() && is_name_byte(text_[i_])) ++i_;
        if (i_ < text_.size() && (text_[i_] == '\'' || text_[i_] == '"') &&
            is_string_prefix(text_.substr(begin, i_ - begin))) {
          auto string = scan_string(begin);
          if (!string.ok()) return make_error(string.error());
        } else {
          token(false);
        }
      } else if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
        ++i_;
      } else {
        if (c == '(' || c == '[' || c == '{') ++brackets_;
        if ((c == ')' || c == ']' || c == '}') && brackets_ > 0) --brackets_;
        token(c == ':');
        ++i_;
      }
    }
    return std::move(layout_);
  }

 private:
  bool next_is_newline(size_t at) const {
    if (at < text_.size() && text_[at] == '\r') ++at;
    return at < text_.size() && text_[at] == '\n';
  }

  void token(bool colon) {
    if (!layout_.lines.empty()) layout_.lines.back().opens_block = colon;
  }

  // At the first byte of a physical line that starts a logical one: its indentation.
  Result<void> start_line() {
    uint32_t columns = 0, alternative = 0;  // CPython's `col` and `altcol` (tabs as one)
    for (; i_ < text_.size(); ++i_) {
      char c = text_[i_];
      if (c == ' ') {
        ++columns;
        ++alternative;
      } else if (c == '\t') {
        columns = (columns / 8 + 1) * 8;
        ++alternative;
      } else if (c == '\f') {
        columns = alternative = 0;
      } else {
        break;
      }
    }
    if (i_ == text_.size() || text_[i_] == '#' || text_[i_] == '\n' ||
        (text_[i_] == '\r' && next_is_newline(i_)))
      return {};  // blank or comment only: its indentation means nothing
    const char* tab_error = "inconsistent use of tabs and spaces in indentation";
    if (columns == columns_.back()) {
      if (alternative != alternatives_.back()) return error_at(row_, tab_error);
    } else if (columns > columns_.back()) {
      if (columns_.size() > kMaxDepth) return error_at(row_, "too many levels of indentation");
      if (alternative <= alternatives_.back()) return error_at(row_, tab_error);
      columns_.push_back(columns);
      alternatives_.push_back(alternative);
    } else {
      while (columns_.size() > 1 && columns < columns_.back()) {
        columns_.pop_back();
        alternatives_.pop_back();
      }
      if (columns != columns_.back())
        return error_at(row_, "unindent does not match any outer indentation level");
      if (alternative != alternatives_.back()) return error_at(row_, tab_error);
    }
    LogicalLine line;
    line.offset = static_cast<uint32_t>(i_);
    line.row = row_;
    line.columns = columns;
    line.depth = static_cast<uint32_t>(columns_.size() - 1);
    int index = static_cast<int>(layout_.lines.size());
    open_.resize(line.depth + 1, -1);
    if (line.depth > 0) line.parent = open_[line.depth - 1];
    if (line.parent >= 0) layout_.lines[line.parent].has_children = true;
    open_[line.depth] = index;
    layout_.lines.push_back(line);
    return {};
  }

  // From a string's first byte (its prefix) to past its closing quote.
  Result<void> scan_string(size_t begin) {
    uint32_t first_row = row_;
    while (text_[i_] != '\'' && text_[i_] != '"') ++i_;
    char quote = text_[i_];
    bool triple = i_ + 2 < text_.size() && text_[i_ + 1] == quote && text_[i_ + 2] == quote;
    i_ += triple ? 3 : 1;
    while (true) {
      if (i_ >= text_.size()) return error_at(first_row, "unterminated string literal");
      char c = text_[i_];
      if (c == '\\') {
        if (i_ + 1 < text_.size() && text_[i_ + 1] == '\n') ++row_;
        i_ += 2;
        continue;
      }
      if (c == '\n') {
        if (!triple) return error_at(first_row, "unterminated string literal");
        ++row_;
      }
      if (c == quote && (!triple || (i_ + 2 < text_.size() && text_[i_ + 1] == quote &&
                                     text_[i_ + 2] == quote))) {
        i_ += triple ? 3 : 1;
        break;
      }
      ++i_;
    }
    layout_.strings.emplace_back(static_cast<uint32_t>(begin), static_cast<uint32_t>(i_));
    token(false);
    return {};
  }

  std::string_view text_;
  size_t i_ = 0;
  uint32_t row_ = 0;
  int brackets_ = 0;
  std::vector<uint32_t> columns_{0}, alternatives_{0};
  std::vector<int> open_;  // per depth: the last logical line seen at it
  Layout layout_;
};

// A run of `wrapped` that the removal keeps, and where it lands in the plain text.
struct KeptRun {
  uint32_t wrapped_begin, wrapped_end, plain_begin;
  uint32_t plain_end() const { return plain_begin + (wrapped_end - wrapped_begin); }
};

uint32_t row_at(std::string_view text, uint32_t offset) {
  return static_cast<uint32_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

}  // namespace

Result<Layout> scan_layout(std::string_view text) { return LayoutScanner(text).scan(); }

uint32_t indent_columns(std::string_view indent) {
  uint32_t columns = 0;
  for (char c : indent) columns = c == '\t' ? (columns / 8 + 1) * 8 : columns + 1;
  return columns;
}

uint32_t parser_indent_width(std::string_view indent) {
  uint32_t width = 0;
  for (char c : indent) width += c == '\t' ? 8 : 1;
  return width;
}

Result<void> check_layout_kept(std::string_view wrapped, const std::vector<TextEdit>& removal) {
  std::vector<KeptRun> kept;
  uint32_t at = 0, plain_at = 0;
  for (const TextEdit& edit : removal) {
    if (!edit.insert.empty() || edit.offset < at) return make_error("not a removal");
    if (edit.offset > at) kept.push_back({at, edit.offset, plain_at});
    plain_at += edit.offset - at;
    at = edit.offset + edit.remove_length;
  }
  if (at > wrapped.size()) return make_error("not a removal");
  kept.push_back({at, static_cast<uint32_t>(wrapped.size()), plain_at});
  std::string plain;
  for (const KeptRun& run : kept)
    plain.append(wrapped.substr(run.wrapped_begin, run.wrapped_end - run.wrapped_begin));

  auto with = scan_layout(wrapped);
  auto without = scan_layout(plain);
  if (!with.ok() && !without.ok()) return {};  // Python refuses both: nothing to keep
  if (!with.ok()) return make_error("with telemetry, Python would fail: " + with.error());
  if (!without.ok()) return make_error("without telemetry, Python would fail: " + without.error());

  // The run holding plain offset `p` (a run's end belongs to the next one: deleted text sits
  // between them), and the one holding wrapped offset `w`, or nullptr in deleted text.
  auto run_of_plain = [&](uint32_t p) {
    auto it = std::upper_bound(kept.begin(), kept.end(), p, [](uint32_t value, const KeptRun& r) {
      return value < r.plain_begin;
    });
    return &*(it - 1);
  };
  auto run_of_wrapped = [&](uint32_t w) -> const KeptRun* {
    auto it = std::upper_bound(kept.begin(), kept.end(), w, [](uint32_t value, const KeptRun& r) {
      return value < r.wrapped_begin;
    });
    if (it == kept.begin() || w >= (it - 1)->wrapped_end) return nullptr;
    return &*(it - 1);
  };

  const std::vector<LogicalLine>& plain_lines = without->lines;
  const std::vector<LogicalLine>& wrapped_lines = with->lines;
  const bool deep =
      std::any_of(wrapped_lines.begin(), wrapped_lines.end(),
                  [](const LogicalLine& l) { return l.columns >= kParserIndentLimit; });
  auto fail = [&](std::string what) {
    if (deep)
      what +=
          " (indentation past 255 columns, where tree-sitter's Python grammar loses the blocks)";
    return make_error(std::move(what));
  };

  std::vector<int> image(plain_lines.size(), -1);
  std::vector<int> source_line(wrapped_lines.size(), -1);
  for (size_t i = 0; i < plain_lines.size(); ++i) {
    const KeptRun* run = run_of_plain(plain_lines[i].offset);
    uint32_t w = run->wrapped_begin + (plain_lines[i].offset - run->plain_begin);
    auto it =
        std::lower_bound(wrapped_lines.begin(), wrapped_lines.end(), w,
                         [](const LogicalLine& l, uint32_t value) { return l.offset < value; });
    if (it == wrapped_lines.end() || it->offset != w)
      return fail("with telemetry, line " + std::to_string(plain_lines[i].row + 1) +
                  " would no longer start a statement");
    image[i] = static_cast<int>(it - wrapped_lines.begin());
    source_line[image[i]] = static_cast<int>(i);
  }
  for (size_t j = 0; j < wrapped_lines.size(); ++j) {
    if (source_line[j] >= 0) continue;
    const LogicalLine& line = wrapped_lines[j];
    if (const KeptRun* run = run_of_wrapped(line.offset))
      return fail(
          "with telemetry, a statement would start inside line " +
          std::to_string(row_at(plain, run->plain_begin + (line.offset - run->wrapped_begin)) + 1));
    if (line.opens_block && !line.has_children)
      return fail("a telemetry line would open an empty block (line " +
                  std::to_string(line.row + 1) + " with telemetry)");
    if (line.has_children && !line.opens_block)
      return fail("the statements after a telemetry line would be an unexpected indent (line " +
                  std::to_string(line.row + 1) + " with telemetry)");
  }
  auto block_name = [&](int plain_index) {
    return plain_index < 0
               ? std::string("the module")
               : "the block of line " + std::to_string(plain_lines[plain_index].row + 1);
  };
  for (size_t i = 0; i < plain_lines.size(); ++i) {
    int parent = wrapped_lines[image[i]].parent;
    while (parent >= 0 && source_line[parent] < 0) parent = wrapped_lines[parent].parent;
    int expected = plain_lines[i].parent;
    int found = parent < 0 ? -1 : source_line[parent];
    if (found != expected)
      return fail("with telemetry, Python would read line " +
                  std::to_string(plain_lines[i].row + 1) + " as part of " + block_name(found) +
                  ", not of " + block_name(expected));
  }
  // A string literal lies in one kept run or wholly in deleted text: no byte of it changes.
  for (const auto& [begin, end] : with->strings) {
    // The first run that ends after the string begins: it must hold the whole string, or
    // start at or after its end (the string is telemetry's own).
    auto run =
        std::upper_bound(kept.begin(), kept.end(), begin,
                         [](uint32_t value, const KeptRun& r) { return value < r.wrapped_end; });
    bool whole = run == kept.end() || (run->wrapped_begin <= begin ? end <= run->wrapped_end
                                                                   : end <= run->wrapped_begin);
    if (!whole) {
      uint32_t plain_offset =
          run->plain_begin + (std::max(begin, run->wrapped_begin) - run->wrapped_begin);
      return fail("telemetry would change the string literal at line " +
                  std::to_string(row_at(plain, plain_offset) + 1));
    }
  }
  for (const auto& [begin, end] : without->strings) {
    const KeptRun* run = run_of_plain(begin);
    if (end > run->plain_end())
      return fail("telemetry would change the string literal at line " +
                  std::to_string(row_at(plain, begin) + 1));
  }
  return {};
}

}  // namespace telinject::python
