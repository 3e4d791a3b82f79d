#include "python/python_syntax.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "ignore_comments.h"
#include "python/python_layout.h"
#include "syntax_tree.h"

namespace telinject::python {
namespace {

bool is_docstring(TSNode statement) {
  if (!is(statement, "expression_statement") || ts_node_named_child_count(statement) != 1)
    return false;
  TSNode value = ts_node_named_child(statement, 0);
  return is(value, "string") || is(value, "concatenated_string");
}

bool is_stub_statement(const SourceText& source, TSNode statement) {
  if (is(statement, "pass_statement")) return true;
  return is(statement, "expression_statement") && node_text(source, statement) == "...";
}

bool is_overload(const SourceText& source, TSNode decorated) {
  if (ts_node_is_null(decorated)) return false;
  uint32_t count = ts_node_named_child_count(decorated);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(decorated, i);
    if (!is(child, "decorator")) continue;
    std::string_view text = node_text(source, child);
    if (text == "@overload" || (text.size() > 9 && text.substr(text.size() - 9) == ".overload"))
      return true;
  }
  return false;
}

// The first statement indented kParserIndentLimit columns or more, where tree-sitter loses
// track of the blocks (rows inside strings do not count), or nullopt.
std::optional<uint32_t> first_row_past_parser_limit(const SourceText& source) {
  bool any = false;
  for (uint32_t row = 0; row < source.row_count() && !any; ++row)
    any = parser_indent_width(source.row_indent(row)) >= kParserIndentLimit;
  if (!any) return std::nullopt;  // the common case: no scan
  auto layout = scan_layout(source.text());
  if (!layout.ok()) return 0;  // Python cannot read it either; trust nothing
  for (const LogicalLine& line : layout->lines)
    if (parser_indent_width(source.row_indent(line.row)) >= kParserIndentLimit) return line.row;
  return std::nullopt;
}

// What the walk in extract_functions needs to know of a node, by its symbol: one table lookup
// per node instead of string compares. Built from the names, so aliases map like ts_node_type.
// kBlock: a statement block. It may sit on one row and still hold a `def` (an `except E:`
// clause whose block is `def f(s): return s`), so it is never skipped.
enum class WalkKind : uint8_t {
  kOther,
  kFunction,
  kClass,
  kDecorated,
  kLambda,
  kYield,
  kString,
  kBlock
};

const std::vector<WalkKind>& walk_kinds(const TSLanguage* language) {
  static const std::vector<WalkKind> table = [language] {
    std::vector<WalkKind> kinds(ts_language_symbol_count(language), WalkKind::kOther);
    const std::pair<const char*, WalkKind> names[] = {
        {"function_definition", WalkKind::kFunction},
        {"class_definition", WalkKind::kClass},
        {"decorated_definition", WalkKind::kDecorated},
        {"lambda", WalkKind::kLambda},
        {"yield", WalkKind::kYield},
        {"string", WalkKind::kString},
        {"block", WalkKind::kBlock}};
    for (TSSymbol symbol = 0; symbol < kinds.size(); ++symbol)
      for (const auto& [name, kind] : names)
        if (std::strcmp(ts_language_symbol_name(language, symbol), name) == 0) kinds[symbol] = kind;
    return kinds;
  }();
  return table;
}

struct Scope {
  uint32_t depth;
  int function;  // index into the result, or -1 for classes and lambdas
  bool is_class;
  std::string qualified;  // the __qualname__ of this scope
};

}  // namespace

Body block_body(TSNode block, bool allow_docstring) {
  Body body;
  body.block = block;
  if (ts_node_is_null(block)) return body;
  TSTreeCursor cursor = ts_tree_cursor_new(block);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      TSNode child = ts_tree_cursor_current_node(&cursor);
      if (!ts_node_is_named(child) || is(child, "comment")) continue;
      if (ts_node_is_null(body.first)) {
        body.first = child;
        if (allow_docstring && is_docstring(child)) {
          body.docstring = child;
          continue;
        }
      }
      body.statements.push_back(child);
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  return body;
}

Body function_body(TSNode function_definition) {
  return block_body(ts_node_child_by_field_name(function_definition, "body", 4), true);
}

uint32_t last_statement_row(TSNode statement) {
  TSPoint start = ts_node_start_point(statement);
  TSPoint end = ts_node_end_point(statement);
  return end.column == 0 && end.row > start.row ? end.row - 1 : end.row;
}

uint32_t import_row(TSNode module) {
  Body top = block_body(module, true);
  TSNode last_header = top.docstring;
  for (TSNode statement : top.statements) {
    if (!is(statement, "future_import_statement")) break;
    last_header = statement;
  }
  if (!ts_node_is_null(last_header)) return last_statement_row(last_header) + 1;
  if (!top.statements.empty()) return ts_node_start_point(top.statements.front()).row;
  return UINT32_MAX;
}

namespace {

// The functions defined in `subtree` (the file's root, or one of its top-level statements),
// appended to `functions` in source order with their states not yet decided; `generator` gets
// one flag per function: a yield outside nested scopes. Parents index into `functions`.
void walk_functions(const ParsedSource& file, TSNode subtree, std::vector<FunctionInfo>& functions,
                    std::vector<bool>& generator) {
  const SourceText& source = file.source;
  std::vector<Scope> scopes;
  TSNode decorated{};  // the decorated_definition whose definition comes next

  // Only one grammar ever reaches here, so one table serves every file.
  const std::vector<WalkKind>& kinds = walk_kinds(ts_tree_language(file.root.tree));
  walk_tree(
      subtree,
      [&](TSNode node, uint32_t depth, const TSTreeCursor*) {
        bool descend = ts_node_child_count(node) > 0;
        TSSymbol symbol = ts_node_symbol(node);
        WalkKind kind = symbol < kinds.size() ? kinds[symbol] : WalkKind::kOther;
        if (kind == WalkKind::kFunction || kind == WalkKind::kClass) {
          bool is_class = kind == WalkKind::kClass;
          TSNode name_node = ts_node_child_by_field_name(node, "name", 4);
          std::string name(node_text(source, name_node));
          const Scope* parent = nullptr;
          for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
            if (it->function >= 0 || it->is_class) {
              parent = &*it;
              break;
            }
          std::string qualified = !parent            ? name
                                  : parent->is_class ? parent->qualified + "." + name
                                                     : parent->qualified + ".<locals>." + name;
          int index = -1;
          if (!is_class) {
            FunctionInfo f;
            f.name = name;
            f.qualified_name =
                file.module_name.empty() ? qualified : file.module_name + "." + qualified;
            bool has_decorators = !ts_node_is_null(decorated) &&
                                  ts_node_end_byte(decorated) == ts_node_end_byte(node);
            TSNode outer = has_decorators ? decorated : node;
            f.start_byte = ts_node_start_byte(outer);
            f.end_byte = ts_node_end_byte(node);
            f.start_row = ts_node_start_point(outer).row;
            f.end_row = ts_node_end_point(node).row;
            f.name_row = ts_node_start_point(name_node).row;
            f.name_column = ts_node_start_point(name_node).column;
            f.node = node;
            f.kind = is(ts_node_child(node, 0), "async") ? "async_function" : "function";
            for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
              if (it->function >= 0) {
                f.parent = it->function;
                break;
              }
            if (has_decorators && is_overload(source, decorated)) {
              f.state = FunctionState::kSkipped;
              f.reason = "overload declaration";
            }
            index = static_cast<int>(functions.size());
            functions.push_back(std::move(f));
            generator.push_back(false);
          }
          scopes.push_back({depth, index, is_class, std::move(qualified)});
        } else if (kind == WalkKind::kDecorated) {
          decorated = node;
        } else if (kind == WalkKind::kLambda) {
          scopes.push_back({depth, -1, false, ""});
        } else if (kind == WalkKind::kYield) {
          for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
            if (it->function >= 0) generator[it->function] = true;
            if (it->function >= 0 || !it->is_class) break;  // a lambda or function ends the search
          }
        } else if (kind == WalkKind::kString) {
          uint32_t first = ts_node_start_point(node).row, last = ts_node_end_point(node).row;
          for (const Scope& scope : scopes)
            if (scope.function >= 0)
              for (uint32_t row = first + 1; row <= last; ++row)
                functions[scope.function].verbatim_rows.push_back(row);
          descend = false;
        }

        // A subtree on one row holds no function (`def f(): return 1` is itself a kFunction) and
        // no multi-line string; only a `yield` in it matters. Skipping such subtrees skips most
        // of the tree: the walk is most of the extraction's time on large files.
        if (descend && kind == WalkKind::kOther && !ts_node_has_error(node) &&
            ts_node_start_point(node).row == ts_node_end_point(node).row &&
            node_text(source, node).find("yield") == std::string_view::npos)
          descend = false;
        return descend;
      },
      [&](uint32_t depth) {
        while (!scopes.empty() && scopes.back().depth == depth) scopes.pop_back();
      });
}

// Decides the state of `functions` (as walk_functions left them) from their bodies, the file's
// `telinject: ignore` comments and the parser's limit.
void decide_states(const ParsedSource& file, const std::vector<LanguageTemplate>& known,
                   std::vector<FunctionInfo>& functions, const std::vector<bool>& generator,
                   const IgnoreComments& ignore, std::optional<uint32_t> too_deep) {
  const SourceText& source = file.source;
  for (size_t i = 0; i < functions.size(); ++i) {
    FunctionInfo& f = functions[i];
    std::sort(f.verbatim_rows.begin(), f.verbatim_rows.end());
    f.verbatim_rows.erase(std::unique(f.verbatim_rows.begin(), f.verbatim_rows.end()),
                          f.verbatim_rows.end());
    if (generator[i]) f.kind = f.kind == "async_function" ? "async_generator" : "generator";

    uint32_t def_row = ts_node_start_point(f.node).row;
    bool opted_out = ignore.file;
    for (size_t k = 0; k < ignore.rows.size() && !opted_out; ++k) {
      uint32_t row = ignore.rows[k];
      opted_out =
          row == def_row || row == f.start_row || (ignore.whole_row[k] && row + 1 == f.start_row);
    }
    if (opted_out || (f.parent >= 0 && functions[f.parent].state == FunctionState::kOptedOut)) {
      f.state = FunctionState::kOptedOut;
      f.reason = ignore.file ? "file opted out (telinject: ignore)" : "telinject: ignore";
      continue;
    }
    if (f.state != FunctionState::kUninstrumented) continue;
    if (too_deep) {
      // The tree's blocks are wrong from there on, and may be before: the whole file waits.
      f.state = FunctionState::kSkipped;
      f.reason = "line " + std::to_string(*too_deep + 1) +
                 " is indented past the 255 columns tree-sitter's Python grammar can parse";
      continue;
    }
    if (ts_node_has_error(f.node)) {
      f.state = FunctionState::kSkipped;
      f.reason = "syntax error inside the function";
      continue;
    }
    Body body = function_body(f.node);
    const LanguageTemplate* found = nullptr;
    if (!body.statements.empty() && is(body.statements[0], "with_statement")) {
      std::string_view text = node_text(source, body.statements[0]);
      for (const LanguageTemplate& t : known) {
        std::string marker = t.marker();
        if (!marker.empty() && text.substr(0, marker.size()) == marker) found = &t;
      }
    }
    if (found && body.statements.size() == 1) {
      f.state = FunctionState::kInstrumented;
      f.profile = found->profile;
      continue;
    }
    if (found) {
      // Our `with` no longer holds the whole body: someone edited it. Neither wrap it again
      // nor take it out.
      f.state = FunctionState::kSkipped;
      f.reason = "telemetry edited by hand (its block no longer holds the whole body)";
      continue;
    }
    if (std::all_of(body.statements.begin(), body.statements.end(),
                    [&](TSNode s) { return is_stub_statement(source, s); })) {
      f.state = FunctionState::kSkipped;
      f.reason = "empty body (stub)";
    }
  }
}

// The file's `telinject: ignore` comments, with `file` set when one before any code and not
// directly above a function covers the file.
IgnoreComments file_ignore_comments(const ParsedSource& file,
                                    const std::vector<FunctionInfo>& functions) {
  IgnoreComments ignore = find_ignore_comments(file.source, {"#"});
  if (!ignore.file && !ignore.rows.empty()) {
    Body top = block_body(file.root, false);
    uint32_t first_code =
        top.statements.empty() ? UINT32_MAX : ts_node_start_point(top.statements[0]).row;
    for (size_t i = 0; i < ignore.rows.size(); ++i) {
      uint32_t row = ignore.rows[i];
      bool above_function =
          std::any_of(functions.begin(), functions.end(),
                      [&](const FunctionInfo& f) { return f.start_row == row + 1; });
      if (row < first_code && ignore.whole_row[i] && !above_function) ignore.file = true;
    }
  }
  return ignore;
}

}  // namespace

std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known) {
  std::vector<FunctionInfo> functions;
  std::vector<bool> generator;
  walk_functions(file, file.root, functions, generator);
  IgnoreComments ignore = file_ignore_comments(file, functions);
  decide_states(file, known, functions, generator, ignore,
                first_row_past_parser_limit(file.source));
  return functions;
}

std::optional<std::vector<FunctionInfo>> extract_top_level(
    const ParsedSource& file, const std::vector<LanguageTemplate>& known,
    const std::vector<TSNode>& statements, const std::vector<FunctionInfo>& kept) {
  // A kept function's state depends on nothing outside its top-level statement unless the
  // file has `telinject: ignore` comments or rows past the parser's limit, now or before (a
  // function opted out, or skipped for the limit, tells of before). A root on one row is not
  // descended into by the whole walk.
  if (ts_node_start_point(file.root).row == ts_node_end_point(file.root).row ||
      !find_ignore_comments(file.source, {"#"}).rows.empty() ||
      first_row_past_parser_limit(file.source))
    return std::nullopt;
  for (const FunctionInfo& f : kept)
    if (f.state == FunctionState::kOptedOut ||
        (f.state == FunctionState::kSkipped &&
         f.reason.find("tree-sitter's Python grammar can parse") != std::string::npos))
      return std::nullopt;
  std::vector<FunctionInfo> functions;
  std::vector<bool> generator;
  for (TSNode statement : statements) walk_functions(file, statement, functions, generator);
  decide_states(file, known, functions, generator, IgnoreComments{}, std::nullopt);
  return functions;
}

}  // namespace telinject::python
