// Validation of Python template scripts without a second parse.
//
// A Python template script has one shape: the header `with …:` inserted before the body's first
// statement (after the docstring) with the statement moved to a row of its own, and the body's
// indentation unit inserted at the start of every later row of the body that holds code (blank
// rows and rows that start inside a string are left alone). tree-sitter's Python scanner
// measures indentation by adding a fixed width per character (a space 1, a tab 8; a form feed
// resets it, so files with one are not proven), so prefixing one unit to every row of a block
// keeps every comparison the scanner makes inside it: the body's statements keep their blocks,
// one level deeper, under the header, and the file around them is the same text. Extraction
// then reads each wrapped function as instrumented and every other as before, and `remove`
// finds exactly the inserted text to take out. What the shape leaves open is checked here:
//  - the edits are exactly that shape for the functions added (derived again from the tree);
//  - each header's own text, parsed alone, opens a `with` block holding the body, and
//    extraction reads it as telemetry of a known template (parsed once per shape of header
//    and thread: the name in its string literal does not change how it parses);
//  - the import line is one import statement, inserted at a module row that starts inside no
//    statement, and `remove` recognises it;
//  - what CPython reads (it counts tabs differently): check_layout_kept on the removal, as
//    `remove` itself runs it;
//  - tree-sitter's 255-column limit, on every row of the output.
// Only files whose function states depend on nothing more are proven: no syntax error, no
// `telinject: ignore` comment (a header row moves such a comment away from the function below
// it), no telemetry, marker or import line yet, no carriage return or form feed.
#include "python/python_shape.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>

#include "python/python_layout.h"
#include "python/python_syntax.h"
#include "syntax_tree.h"

extern "C" const TSLanguage* tree_sitter_python();

namespace telinject::python {
namespace {

// Whether each of `headers` (one line each, without its ':') opens, as the body of a function
// of its own, a `with` block holding the statement below it, which extraction reads as
// telemetry. One small file holds them all: one parse per file, not per function.
bool headers_open_telemetry(const std::vector<std::string_view>& headers,
                            const std::vector<LanguageTemplate>& known) {
  constexpr std::string_view kBefore = "def _():\n    ";
  std::string text;
  std::vector<uint32_t> starts;  // where each header starts in `text`
  for (std::string_view header : headers) {
    text += kBefore;
    starts.push_back(static_cast<uint32_t>(text.size()));
    text += header;
    text += ":\n        pass\n";
  }
  auto tree = SyntaxTree::parse(tree_sitter_python(), text);
  if (!tree.ok() || ts_node_has_error(tree->root())) return false;
  SourceText source(text);
  std::vector<FunctionInfo> found = extract_functions({source, tree->root(), "", {}}, known);
  if (found.size() != headers.size()) return false;
  for (size_t k = 0; k < found.size(); ++k) {
    if (found[k].state != FunctionState::kInstrumented) return false;
    TSNode with = function_body(found[k].node).statements.front();
    TSNode block = ts_node_child_by_field_name(with, "body", 4);
    if (ts_node_start_byte(with) != starts[k] || ts_node_is_null(block)) return false;
    Body inner = block_body(block, false);
    if (inner.statements.size() != 1 || ts_node_start_point(inner.statements[0]).row != 3 * k + 2)
      return false;
  }
  return true;
}

// `header` with the text of each plain double-quoted literal (letters, digits, '_', '.', '<',
// '>': a qualified name) replaced by "x". Such a literal is one string token whatever it holds,
// so headers of one shape parse alike: headers_open_telemetry need not see the name.
std::string header_shape(std::string_view header) {
  auto plain = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '<' ||
           c == '>';
  };
  if (header.find('\\') != std::string_view::npos) return std::string(header);  // escapes
  std::string shape;
  size_t at = 0;
  for (size_t open = header.find('"'); open != std::string_view::npos;
       open = header.find('"', at)) {
    size_t close = header.find('"', open + 1);
    if (close == std::string_view::npos) break;
    std::string_view inside = header.substr(open + 1, close - open - 1);
    shape.append(header.substr(at, open + 1 - at));
    shape += !inside.empty() && std::all_of(inside.begin(), inside.end(), plain) ? "x" : inside;
    shape += '"';
    at = close + 1;
  }
  shape.append(header.substr(at));
  return shape;
}

// Whether every header opens telemetry (headers_open_telemetry), asking it only about shapes
// this thread has not seen with these templates. The real header must still start with a
// known marker: its literal's text is part of what extraction compares.
bool headers_proven(const std::vector<std::string_view>& headers,
                    const std::vector<LanguageTemplate>& known) {
  thread_local std::unordered_set<std::string> proven;  // shape + '\n' + the markers
  std::string markers;
  for (const LanguageTemplate& t : known) markers += '\n' + t.marker();
  std::vector<std::string> unseen_keys, unseen_shapes;
  for (std::string_view header : headers) {
    bool marked = std::any_of(known.begin(), known.end(), [&](const LanguageTemplate& t) {
      std::string marker = t.marker();
      return !marker.empty() && header.substr(0, marker.size()) == marker;
    });
    if (!marked) return false;
    std::string shape = header_shape(header);
    std::string key = shape + markers;
    if (!proven.count(key) &&
        std::find(unseen_keys.begin(), unseen_keys.end(), key) == unseen_keys.end()) {
      unseen_keys.push_back(std::move(key));
      unseen_shapes.push_back(std::move(shape));
    }
  }
  if (unseen_shapes.empty()) return true;
  if (!headers_open_telemetry({unseen_shapes.begin(), unseen_shapes.end()}, known)) return false;
  if (proven.size() > 4096) proven.clear();  // user templates are few; bound it anyway
  for (std::string& key : unseen_keys) proven.insert(std::move(key));
  return true;
}

// Whether `line` alone is one import statement (a comment after it aside).
bool is_one_import(std::string_view line) {
  const std::string text = std::string(line) + "\n";
  auto tree = SyntaxTree::parse(tree_sitter_python(), text);
  if (!tree.ok() || ts_node_has_error(tree->root())) return false;
  Body top = block_body(tree->root(), false);
  return top.statements.size() == 1 && ts_node_start_byte(top.statements[0]) == 0 &&
         (is(top.statements[0], "import_statement") ||
          is(top.statements[0], "import_from_statement"));
}

// Whether every row of `text` starts with less indentation than tree-sitter's scanner can keep.
bool rows_within_parser_limit(std::string_view text) {
  uint32_t width = 0;
  bool in_indent = true;
  for (char c : text) {
    if (c == '\n') {
      width = 0;
      in_indent = true;
    } else if (in_indent) {
      if (c == ' ')
        ++width;
      else if (c == '\t')
        width += 8;
      else
        in_indent = false;
      if (width >= kParserIndentLimit) return false;
    }
  }
  return true;
}

// The first edit at `offset` in `edits` (sorted by offset), or nullptr.
const TextEdit* edit_at(const std::vector<TextEdit>& edits, uint32_t offset) {
  auto it = std::lower_bound(edits.begin(), edits.end(), offset,
                             [](const TextEdit& e, uint32_t value) { return e.offset < value; });
  return it != edits.end() && it->offset == offset ? &*it : nullptr;
}

// Whether the file holds anything whose state the proof does not follow (see the top).
bool file_is_plain(const SourceText& source, TSNode root,
                   const std::vector<LanguageTemplate>& known,
                   const std::function<bool(std::string_view)>& is_import_line) {
  std::string_view text = source.text();
  if (ts_node_has_error(root) || text.find_first_of("\r\f") != std::string_view::npos ||
      text.find("telinject: ignore") != std::string_view::npos)
    return false;
  std::vector<std::string> markers;
  for (const LanguageTemplate& t : known)
    if (!t.marker().empty()) markers.push_back(t.marker());
  for (uint32_t row = 0; row < source.row_count(); ++row) {
    std::string_view line = source.row_text(row);
    if (is_import_line(line)) return false;
    line.remove_prefix(source.row_indent(row).size());
    for (const std::string& marker : markers)
      if (line.substr(0, marker.size()) == marker) return false;
  }
  return true;
}

}  // namespace

bool proves_instrumented(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                         const std::vector<size_t>& added, const std::vector<TextEdit>& edits,
                         std::string_view output, const std::vector<LanguageTemplate>& known,
                         const std::function<bool(std::string_view row)>& is_import_line) {
  const SourceText& source = file.source;
  if (added.empty() || !file_is_plain(source, file.root, known, is_import_line)) return false;

  // The edits the shape gives, in the order reconstruct() applies them: each function's
  // script (outer functions first), then the import.
  std::vector<size_t> order = added;
  std::sort(order.begin(), order.end());
  std::vector<bool> is_added(functions.size(), false);
  for (size_t i : order) is_added.at(i) = true;
  std::vector<std::string> units(functions.size());
  std::vector<TextEdit> expected;
  std::vector<std::string_view> headers;  // each function's header text, checked below
  for (size_t i : order) {
    const FunctionInfo& f = functions[i];
    if (f.state != FunctionState::kUninstrumented || ts_node_has_error(f.node)) return false;
    Body body = function_body(f.node);
    if (body.statements.empty()) return false;
    TSNode first = body.statements.front();
    uint32_t first_row = ts_node_start_point(first).row;
    std::string_view first_indent = source.row_indent(first_row);
    if (first_row == ts_node_start_point(f.node).row || first_indent.empty() ||
        ts_node_start_point(first).column != first_indent.size())
      return false;
    // What the enclosing functions added here insert at each row start, outermost first.
    std::vector<size_t> chain;
    for (int p = f.parent; p >= 0; p = functions[p].parent)
      if (is_added[p]) chain.push_back(static_cast<size_t>(p));
    std::string prefix;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) prefix += units[*it];

    // The header: `H:\n` + prefix + unit + the first statement's indentation.
    const TextEdit* header =
        edit_at(edits, source.row_start(first_row) + static_cast<uint32_t>(first_indent.size()));
    if (!header || header->remove_length != 0) return false;
    std::string_view inserted = header->insert;
    size_t newline = inserted.find('\n');
    if (newline == std::string_view::npos || newline < 2 || inserted[newline - 1] != ':')
      return false;
    std::string_view rest = inserted.substr(newline + 1);
    if (rest.size() <= prefix.size() + first_indent.size() ||
        rest.substr(0, prefix.size()) != prefix ||
        rest.substr(rest.size() - first_indent.size()) != first_indent)
      return false;
    std::string_view unit =
        rest.substr(prefix.size(), rest.size() - prefix.size() - first_indent.size());
    if (unit.find_first_not_of(" \t") != std::string_view::npos) return false;
    headers.push_back(inserted.substr(0, newline - 1));
    units[i] = std::string(unit);
    expected.push_back(*header);
    uint32_t last_row = last_statement_row(body.statements.back());
    for (uint32_t row = first_row + 1; row <= last_row; ++row) {
      if (source.row_is_blank(row) ||
          std::binary_search(f.verbatim_rows.begin(), f.verbatim_rows.end(), row))
        continue;
      expected.push_back({source.row_start(row), 0, units[i]});
    }
  }
  if (expected.size() + 1 == edits.size()) {
    // The import: a line of its own at the module's import row, which no statement spans.
    uint32_t row = import_row(file.root);
    if (row >= source.row_count()) return false;
    uint32_t at = source.row_start(row);
    uint32_t count = ts_node_child_count(file.root);
    for (uint32_t c = 0; c < count; ++c) {
      TSNode child = ts_node_child(file.root, c);
      if (ts_node_start_byte(child) < at && at < ts_node_end_byte(child)) return false;
    }
    if (!source.row_is_blank(row) && !source.row_indent(row).empty()) return false;
    const TextEdit* import = edit_at(edits, at);
    if (!import || import->remove_length != 0 || import->insert.empty() ||
        import->insert.back() != '\n')
      return false;
    std::string_view line(import->insert.data(), import->insert.size() - 1);
    if (line.find('\n') != std::string_view::npos || !is_import_line(line) || !is_one_import(line))
      return false;
    expected.push_back(*import);
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const TextEdit& a, const TextEdit& b) { return a.offset < b.offset; });
  if (expected.size() != edits.size()) return false;
  for (size_t k = 0; k < edits.size(); ++k)
    if (edits[k].offset != expected[k].offset || edits[k].remove_length != 0 ||
        edits[k].insert != expected[k].insert)
      return false;

  if (!rows_within_parser_limit(output) || !headers_proven(headers, known)) return false;
  // What CPython reads: the removal, as `remove` would make it, keeps every block and string.
  std::vector<TextEdit> removal;
  uint32_t shift = 0;
  for (const TextEdit& e : edits) {
    removal.push_back({e.offset + shift, static_cast<uint32_t>(e.insert.size()), ""});
    shift += static_cast<uint32_t>(e.insert.size());
  }
  return check_layout_kept(output, removal).ok();
}

}  // namespace telinject::python
