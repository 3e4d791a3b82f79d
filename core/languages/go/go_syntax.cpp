#include "go/go_syntax.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "ignore_comments.h"
#include "syntax_tree.h"

namespace telinject::go {
namespace {

// gofmt's limits for keeping a function body on the row of its header (go/printer funcBody).
constexpr size_t kOneLineMaxSize = 100;
constexpr size_t kOneLineMaxStatements = 5;

bool parse_number(std::string_view digits, uint32_t* value) {
  if (digits.empty() || digits.size() > 9) return false;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
  return error == std::errc() && end == digits.data() + digits.size() && *value > 0;
}

// The line a directive's text ("file:line", ":line:col", "file:line:col") names, as the Go
// compiler reads it (cmd/compile/internal/syntax, updateBase).
std::optional<uint32_t> directive_line(std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  size_t last = text.rfind(':');
  if (last == std::string_view::npos) return std::nullopt;
  uint32_t value = 0;
  if (!parse_number(text.substr(last + 1), &value)) return std::nullopt;
  size_t before = last == 0 ? std::string_view::npos : text.rfind(':', last - 1);
  uint32_t line = 0;
  if (before != std::string_view::npos &&
      parse_number(text.substr(before + 1, last - before - 1), &line))
    return line;  // line:col
  return value;
}

enum class WalkKind : uint8_t { kOther, kFunction, kMethod, kLiteral, kPackage };

const std::vector<WalkKind>& walk_kinds(const TSLanguage* language) {
  static const std::vector<WalkKind> table = [language] {
    std::vector<WalkKind> kinds(ts_language_symbol_count(language), WalkKind::kOther);
    const std::pair<const char*, WalkKind> names[] = {{"function_declaration", WalkKind::kFunction},
                                                      {"method_declaration", WalkKind::kMethod},
                                                      {"func_literal", WalkKind::kLiteral},
                                                      {"package_clause", WalkKind::kPackage}};
    for (TSSymbol symbol = 0; symbol < kinds.size(); ++symbol)
      for (const auto& [name, kind] : names)
        if (ts_language_symbol_type(language, symbol) == TSSymbolTypeRegular &&
            std::strcmp(ts_language_symbol_name(language, symbol), name) == 0)
          kinds[symbol] = kind;
    return kinds;
  }();
  return table;
}

// "(*List[T])" -> "(*List)", "Point" -> "Point": the receiver as Go's runtime names methods,
// without type parameters.
std::string receiver_name(const SourceText& source, TSNode method) {
  TSNode receiver = ts_node_child_by_field_name(method, "receiver", 8);
  TSNode parameter = ts_node_is_null(receiver) ? TSNode{} : ts_node_named_child(receiver, 0);
  if (ts_node_is_null(parameter)) return "";
  TSNode type = ts_node_child_by_field_name(parameter, "type", 4);
  if (ts_node_is_null(type)) return "";
  std::string name;
  bool pointer = false;
  for (char c : node_text(source, type)) {
    if (c == '[') break;
    if (c == '*')
      pointer = true;
    else if (c != '(' && c != ')' && c != ' ' && c != '\t')
      name.push_back(c);
  }
  return pointer ? "(*" + name + ")" : name;
}

struct Scope {
  uint32_t depth;
  int function;           // index into the result
  uint32_t literals = 0;  // function literals met directly inside, for their names
};

// Keywords gofmt always follows with a space.
bool is_spaced_keyword(std::string_view type) {
  static constexpr std::string_view kKeywords[] = {"return", "go",    "defer",  "if",   "else",
                                                   "for",    "range", "switch", "case", "select",
                                                   "var",    "const", "type"};
  for (std::string_view keyword : kKeywords)
    if (type == keyword) return true;
  return false;
}

// Parents whose operator token gofmt may write between spaces.
bool has_spaced_operator(std::string_view parent) {
  return parent == "binary_expression" || parent == "assignment_statement" ||
         parent == "short_var_declaration" || parent == "var_spec" || parent == "const_spec" ||
         parent == "send_statement";
}

// Where gofmt may put a space beside `leaf` that the source does not have.
struct Spacing {
  bool before = false;
  bool after = false;
};

Spacing gofmt_spacing(TSNode leaf) {
  std::string_view type = ts_node_type(leaf);
  TSNode parent = ts_node_parent(leaf);
  std::string_view parent_type = ts_node_is_null(parent) ? "" : ts_node_type(parent);
  if (type == "," || type == ";") return {false, true};
  if (type == ":" && parent_type == "keyed_element") return {false, true};
  if (!ts_node_is_named(leaf) && has_spaced_operator(parent_type)) return {true, true};
  if (parent_type == "block" && (type == "{" || type == "}")) return {true, true};
  if (!ts_node_is_named(leaf) && is_spaced_keyword(type)) return {false, true};
  return {};
}

// The tokens of `node` that lie within [begin, end), in order; literals count as one token.
void collect_tokens(TSNode node, uint32_t begin, uint32_t end, std::vector<TSNode>* tokens) {
  if (ts_node_end_byte(node) <= begin || ts_node_start_byte(node) >= end) return;
  uint32_t count = ts_node_child_count(node);
  std::string_view type = ts_node_type(node);
  if (count == 0 || type == "interpreted_string_literal" || type == "raw_string_literal" ||
      type == "rune_literal") {
    if (ts_node_start_byte(node) >= begin && ts_node_end_byte(node) <= end) tokens->push_back(node);
    return;
  }
  for (uint32_t i = 0; i < count; ++i) collect_tokens(ts_node_child(node, i), begin, end, tokens);
}

// At most how many bytes gofmt adds to the text of `node` within [begin, end) when it lays it
// out on one row: a space wherever it may put one and the source has none. An upper bound
// (gofmt writes `a*b + c`), so that a file gofmt has not formatted cannot have a one-line body
// taken for one that stays on one row, and then split by gofmt, where `remove` could no longer
// put it back on one row.
size_t spacing_slack(TSNode node, uint32_t begin, uint32_t end) {
  std::vector<TSNode> tokens;
  collect_tokens(node, begin, end, &tokens);
  size_t slack = 0;
  for (size_t i = 1; i < tokens.size(); ++i)
    if (ts_node_end_byte(tokens[i - 1]) == ts_node_start_byte(tokens[i]) &&
        (gofmt_spacing(tokens[i - 1]).after || gofmt_spacing(tokens[i]).before))
      ++slack;
  return slack;
}

// What Go's runtime starts the names of the package's functions with: the import path (see
// LanguageSupport::module_name), but "main" for a program's package main, and the path with
// "_test" for an external test package (`package foo_test` in a _test.go file, as go/build
// tells one). Without an import path (no module, text from a test) the package clause.
std::string package_prefix(const ParsedSource& file, const std::string& clause) {
  if (clause == "main" || file.module_name.empty()) return clause;
  constexpr std::string_view kTest = "_test";
  std::string name = file.location.relative.filename().string();
  bool test_file = name.size() > 8 && name.compare(name.size() - 8, 8, "_test.go") == 0;
  bool test_package = clause.size() > kTest.size() &&
                      clause.compare(clause.size() - kTest.size(), kTest.size(), kTest) == 0;
  return test_file && test_package ? file.module_name + "_test" : file.module_name;
}

std::string_view trimmed_rest(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  return begin == std::string_view::npos ? std::string_view() : text.substr(begin);
}

}  // namespace

std::string_view quoted_path(std::string_view spec) {
  size_t open = spec.find_first_of("\"`");
  if (open == std::string_view::npos) return {};
  size_t close = spec.find(spec[open], open + 1);
  if (close == std::string_view::npos) return {};
  return spec.substr(open + 1, close - open - 1);
}

std::string_view trimmed(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::string go_string_literal(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string render_header(const LanguageTemplate& tmpl, const FunctionInfo& f) {
  return render_template(tmpl.header, {{"name", go_string_literal(f.qualified_name)},
                                       {"qualname", f.qualified_name},
                                       {"kind", f.kind}});
}

std::vector<std::string> render_header_rows(const LanguageTemplate& tmpl, const FunctionInfo& f,
                                            const ParsedSource& file) {
  std::string context = context_parameter(file.source, f.node);
  std::string text = render_template(
      tmpl.header, {{"name", go_string_literal(f.qualified_name)},
                    {"qualname", f.qualified_name},
                    {"kind", f.kind},
                    // The conversion uses the import in every function: never unused.
                    {"context", context.empty() ? "_telinject_context.Background()"
                                                : "_telinject_context.Context(" + context + ")"},
                    {"ctx", context.empty() ? "_" : context},
                    {"file", go_string_literal(file.location.relative.generic_string())},
                    {"line", std::to_string(logical_line(file.source, f.start_row))}});
  std::vector<std::string> rows;
  for (size_t begin = 0;;) {
    size_t end = text.find('\n', begin);
    rows.push_back(text.substr(begin, end - begin));
    if (end == std::string::npos) return rows;
    begin = end + 1;
  }
}

std::string context_parameter(const SourceText& source, TSNode function) {
  TSNode parameters = ts_node_child_by_field_name(function, "parameters", 10);
  if (ts_node_is_null(parameters)) return "";
  uint32_t count = ts_node_named_child_count(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode parameter = ts_node_named_child(parameters, i);
    if (!is(parameter, "parameter_declaration")) continue;
    TSNode type = ts_node_child_by_field_name(parameter, "type", 4);
    if (ts_node_is_null(type) || node_text(source, type) != "context.Context") continue;
    TSNode name = ts_node_child_by_field_name(parameter, "name", 4);
    if (ts_node_is_null(name)) return "";
    std::string text(node_text(source, name));
    return text == "_" ? "" : text;
  }
  return "";
}

Body function_body(TSNode function) {
  Body body;
  body.block = ts_node_child_by_field_name(function, "body", 4);
  if (ts_node_is_null(body.block)) return body;
  body.open_row = ts_node_start_point(body.block).row;
  body.close_row = ts_node_end_point(body.block).row;
  uint32_t count = ts_node_named_child_count(body.block);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(body.block, i);
    if (!is(child, "comment")) body.statements.push_back(child);
  }
  return body;
}

uint32_t logical_line(const SourceText& source, uint32_t row) {
  const std::string& text = source.text();
  for (uint32_t r = row; r-- > 0;) {
    uint32_t start = source.row_start(r);
    uint32_t end = row_end(source, r);
    // `//line` must start its row; `/*line ...*/` counts here only when it ends the row.
    if (start < end && text[start] == '/') {
      std::string_view line = source.row_text(r);
      if (line.substr(0, 7) == "//line ")
        if (auto n = directive_line(line.substr(7))) return *n + (row - r - 1);
    }
    if (end >= start + 2 && text[end - 1] == '/' && text[end - 2] == '*') {
      std::string_view line = source.row_text(r);
      size_t open = line.rfind("/*line ");
      if (open != std::string_view::npos)
        if (auto n = directive_line(line.substr(open + 7, line.size() - 2 - open - 7)))
          return *n + (row - r);
    }
  }
  return row + 1;
}

std::optional<Result<Telemetry>> find_telemetry(const SourceText& source, const Body& body,
                                                const std::string& marker) {
  if (marker.empty() || body.statements.empty()) return std::nullopt;
  TSNode first = body.statements.front();
  std::string_view statement = node_text(source, first);
  if (statement.substr(0, marker.size()) != marker) {
    for (TSNode later : body.statements)
      if (node_text(source, later).substr(0, marker.size()) == marker)
        return make_error("telemetry edited by hand (no longer the first statement)");
    return std::nullopt;
  }
  const std::string_view text = source.text();
  const uint32_t open = ts_node_start_byte(body.block);
  const uint32_t begin = ts_node_start_byte(first), end = ts_node_end_byte(first);
  const uint32_t row = ts_node_start_point(first).row;
  Telemetry found{first, 0, 0};
  if (row == body.open_row) {
    // `{ telemetry; statements }`: telinject inserted " telemetry;" after the brace.
    if (begin != open + 2 || text[open + 1] != ' ' || end >= text.size() || text[end] != ';' ||
        body.statements.size() < 2)
      return make_error("telemetry edited by hand (not laid out as telinject inserts it)");
    found.remove_begin = open + 1;
    found.remove_end = end + 1;
    return found;
  }
  // The telemetry takes a row of its own after the brace's row and a `//line` directive (or
  // directly after the brace's row, when someone took the directive out).
  std::string_view line = source.row_text(row);
  size_t indent = line.find_first_not_of(" \t");
  bool after_directive = row == body.open_row + 2 &&
                         source.row_text(row - 1).substr(0, 7) == "//line " &&
                         directive_line(source.row_text(row - 1).substr(7));
  if ((row != body.open_row + 1 && !after_directive) || line.substr(indent) != statement)
    return make_error("telemetry edited by hand (not alone on its row after the brace)");
  found.remove_begin = row_end(source, body.open_row);
  found.remove_end = row_end(source, row);
  return found;
}

std::optional<Result<Telemetry>> find_template_telemetry(const SourceText& source, const Body& body,
                                                         const LanguageTemplate& tmpl) {
  std::string marker = tmpl.marker();
  if (!is_multi_row(tmpl)) return find_telemetry(source, body, marker);
  if (marker.empty() || body.statements.empty()) return std::nullopt;
  std::vector<std::string_view> patterns;
  std::string_view header = tmpl.header;
  for (size_t begin = 0;;) {
    size_t end = header.find('\n', begin);
    patterns.push_back(header.substr(begin, end - begin));
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  TSNode first = body.statements.front();
  if (node_text(source, first).substr(0, marker.size()) != marker) {
    for (TSNode later : body.statements)
      if (node_text(source, later).substr(0, marker.size()) == marker)
        return make_error("telemetry edited by hand (no longer the first statement)");
    return std::nullopt;
  }
  // Rows: the brace's, then for each header row a `//line` directive and the row.
  uint32_t last = body.open_row + 2 * static_cast<uint32_t>(patterns.size());
  if (ts_node_start_point(first).row != body.open_row + 2 || last >= body.close_row)
    return make_error("telemetry edited by hand (not laid out as telinject inserts it)");
  for (size_t i = 0; i < patterns.size(); ++i) {
    uint32_t row = body.open_row + 1 + 2 * static_cast<uint32_t>(i);
    std::string_view directive = source.row_text(row);
    if (directive.substr(0, 7) != "//line " || !directive_line(directive.substr(7)) ||
        !matches_row_pattern(trimmed(source.row_text(row + 1)), trimmed(patterns[i])))
      return make_error("telemetry edited by hand (row " + std::to_string(row + 2) +
                        " is not the template's)");
  }
  Telemetry found{first, row_end(source, body.open_row), row_end(source, last)};
  return found;
}

bool one_line_body_fits(const SourceText& source, TSNode function, const Body& body,
                        std::string_view statement) {
  if (body.statements.size() + 1 > kOneLineMaxStatements) return false;
  const std::string_view text = source.text();
  uint32_t open = ts_node_start_byte(body.block), close = ts_node_end_byte(body.block) - 1;
  // A comment after the body is aligned with the comments of the rows around it, by the width
  // of the body: a longer body would move them all.
  if (trimmed_rest(source.row_text(body.close_row).substr(ts_node_end_point(body.block).column)) !=
      "")
    return false;
  if (std::string_view(text).substr(open, close - open).find("/*") != std::string_view::npos ||
      std::string_view(text).substr(open, close - open).find("//") != std::string_view::npos)
    return false;
  uint32_t header_end = open;
  while (header_end > 0 && (text[header_end - 1] == ' ' || text[header_end - 1] == '\t'))
    --header_end;
  size_t header = header_end - ts_node_start_byte(function);
  std::string_view inner = text.substr(open + 1, close - open - 1);
  size_t first = inner.find_first_not_of(" \t"), last = inner.find_last_not_of(" \t");
  size_t statements = first == std::string_view::npos ? 0 : last - first + 1;
  // gofmt counts the header one byte longer than its text (measured with gofmt 1.19).
  size_t slack = spacing_slack(function, ts_node_start_byte(function), header_end) +
                 spacing_slack(body.block, open + 1, close);
  return header + 1 + statements + statement.size() + 2 + slack <= kOneLineMaxSize;
}

namespace {

// What the walk carries from one top-level declaration to the next.
struct WalkState {
  std::string package;  // the first package clause's name
  uint32_t package_row = UINT32_MAX;
  uint32_t top_literals = 0;  // function literals outside functions met so far
};

// The functions defined in `subtree` (the file's root, or one of its top-level declarations),
// appended to `functions` in source order with their states not yet decided. Parents index
// into `functions`.
void walk_functions(const ParsedSource& file, TSNode subtree, WalkState& state,
                    std::vector<FunctionInfo>& functions) {
  const SourceText& source = file.source;
  std::vector<Scope> scopes;
  std::string& package = state.package;
  uint32_t& package_row = state.package_row;
  uint32_t& top_literals = state.top_literals;

  const std::vector<WalkKind>& kinds = walk_kinds(ts_tree_language(file.root.tree));
  walk_tree(
      subtree,
      [&](TSNode node, uint32_t depth, const TSTreeCursor*) {
        bool descend = ts_node_child_count(node) > 0;
        TSSymbol symbol = ts_node_symbol(node);
        WalkKind kind = symbol < kinds.size() ? kinds[symbol] : WalkKind::kOther;
        if (kind == WalkKind::kPackage && package_row == UINT32_MAX) {
          package_row = ts_node_start_point(node).row;
          TSNode name = ts_node_named_child(node, 0);
          if (!ts_node_is_null(name)) package = std::string(node_text(source, name));
          descend = false;
        } else if (kind != WalkKind::kOther) {
          FunctionInfo f;
          Scope* parent = scopes.empty() ? nullptr : &scopes.back();
          std::string prefix = package.empty() ? "" : package_prefix(file, package) + ".";
          if (kind == WalkKind::kLiteral) {
            // Named as Go's runtime names closures: F.func1, F.func1.1, and pkg.init.func1 for
            // literals outside functions.
            f.kind = "function_literal";
            f.name = "func";
            if (!parent)
              f.qualified_name = prefix + "init.func" + std::to_string(++top_literals);
            else if (functions[parent->function].kind == "function_literal")
              f.qualified_name = functions[parent->function].qualified_name + "." +
                                 std::to_string(++parent->literals);
            else
              f.qualified_name = functions[parent->function].qualified_name + ".func" +
                                 std::to_string(++parent->literals);
            f.name_row = ts_node_start_point(node).row;
            f.name_column = ts_node_start_point(node).column;
          } else {
            TSNode name_node = ts_node_child_by_field_name(node, "name", 4);
            // Error recovery can leave a declaration without its name: not a function to name.
            if (ts_node_is_null(name_node)) return descend;
            f.name = std::string(node_text(source, name_node));
            f.kind = kind == WalkKind::kMethod ? "method" : "function";
            std::string receiver =
                kind == WalkKind::kMethod ? receiver_name(source, node) + "." : "";
            f.qualified_name = prefix + receiver + f.name;
            f.name_row = ts_node_start_point(name_node).row;
            f.name_column = ts_node_start_point(name_node).column;
          }
          f.start_byte = ts_node_start_byte(node);
          f.end_byte = ts_node_end_byte(node);
          f.start_row = ts_node_start_point(node).row;
          f.end_row = ts_node_end_point(node).row;
          f.node = node;
          f.parent = parent ? parent->function : -1;
          int index = static_cast<int>(functions.size());
          functions.push_back(std::move(f));
          scopes.push_back({depth, index});
        }

        return descend;
      },
      [&](uint32_t depth) {
        while (!scopes.empty() && scopes.back().depth == depth) scopes.pop_back();
      });
}

// Decides the state of `functions` (as walk_functions left them) from their bodies and the
// file's `telinject: ignore` comments, and drops the function literals of multi-row telemetry.
std::vector<FunctionInfo> decide_states(const ParsedSource& file,
                                        const std::vector<LanguageTemplate>& known,
                                        std::vector<FunctionInfo> functions,
                                        const IgnoreComments& ignore) {
  const SourceText& source = file.source;

  // The template in use comes first (templates_for); one-line bodies must fit with its header.
  const LanguageTemplate* active = known.empty() ? nullptr : &known.front();
  // Where telemetry of several rows sits: the function literals in it are the profile's.
  std::vector<std::pair<uint32_t, uint32_t>> telemetry_ranges;

  for (FunctionInfo& f : functions) {
    bool opted_out = ignore.file;
    for (size_t k = 0; k < ignore.rows.size() && !opted_out; ++k) {
      uint32_t row = ignore.rows[k];
      opted_out = row == f.start_row || (ignore.whole_row[k] && row + 1 == f.start_row);
    }
    if (opted_out || (f.parent >= 0 && functions[f.parent].state == FunctionState::kOptedOut)) {
      f.state = FunctionState::kOptedOut;
      f.reason = ignore.file ? "file opted out (telinject: ignore)" : "telinject: ignore";
      continue;
    }
    if (f.kind == "function_literal") {
      f.state = FunctionState::kSkipped;
      f.reason = "function literal (only declared functions and methods are instrumented)";
      continue;
    }
    if (ts_node_has_error(f.node)) {
      f.state = FunctionState::kSkipped;
      f.reason = "syntax error inside the function";
      continue;
    }
    Body body = function_body(f.node);
    if (ts_node_is_null(body.block)) {
      f.state = FunctionState::kSkipped;
      f.reason = "no body (implemented outside Go)";
      continue;
    }
    bool decided = false;
    for (const LanguageTemplate& t : known) {
      auto telemetry = find_template_telemetry(source, body, t);
      if (!telemetry) continue;
      decided = true;
      if (telemetry->ok()) {
        f.state = FunctionState::kInstrumented;
        f.profile = t.profile;
        if (is_multi_row(t))
          telemetry_ranges.push_back({(**telemetry).remove_begin, (**telemetry).remove_end});
      } else {
        // Neither wrap it again nor take it out.
        f.state = FunctionState::kSkipped;
        f.reason = telemetry->error();
      }
      break;
    }
    if (decided) continue;
    if (body.statements.empty()) {
      f.state = FunctionState::kSkipped;
      f.reason = "empty body";
      continue;
    }
    if (body.open_row == body.close_row && active && is_multi_row(*active)) {
      f.state = FunctionState::kSkipped;
      f.reason = "one-line body: the profile's telemetry takes rows of its own";
      continue;
    }
    if (body.open_row == body.close_row) {
      std::string statement = active ? render_header(*active, f) : "";
      if (!one_line_body_fits(source, f.node, body, statement)) {
        f.state = FunctionState::kSkipped;
        f.reason =
            "one-line body: with telemetry gofmt would no longer keep it on one line, or would "
            "realign the comments beside it";
      }
      continue;
    }
    std::string_view after_brace =
        source.row_text(body.open_row).substr(ts_node_start_point(body.block).column + 1);
    size_t code = after_brace.find_first_not_of(" \t");
    if (code != std::string_view::npos && after_brace.substr(code, 2) != "//") {
      f.state = FunctionState::kSkipped;
      f.reason = "code after the opening brace on its row (not gofmt layout)";
    }
  }
  if (telemetry_ranges.empty()) return functions;
  std::vector<int> renumbered(functions.size(), -1);
  std::vector<FunctionInfo> programs;
  for (size_t i = 0; i < functions.size(); ++i) {
    bool telemetry = false;
    for (const auto& [begin, end] : telemetry_ranges)
      telemetry |= functions[i].start_byte >= begin && functions[i].end_byte <= end;
    if (telemetry) continue;
    renumbered[i] = static_cast<int>(programs.size());
    programs.push_back(std::move(functions[i]));
  }
  for (FunctionInfo& f : programs)
    if (f.parent >= 0) f.parent = renumbered[f.parent];
  return programs;
}

bool top_level_literal(const FunctionInfo& f) {
  return f.parent < 0 && f.kind == "function_literal";
}

}  // namespace

std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known) {
  std::vector<FunctionInfo> functions;
  WalkState state;
  walk_functions(file, file.root, state, functions);
  IgnoreComments ignore = find_ignore_comments(file.source, {"//"});
  for (size_t i = 0; i < ignore.rows.size(); ++i)
    if (ignore.whole_row[i] && ignore.rows[i] < state.package_row) ignore.file = true;
  return decide_states(file, known, std::move(functions), ignore);
}

std::optional<std::vector<FunctionInfo>> extract_top_level(
    const ParsedSource& file, const std::vector<LanguageTemplate>& known,
    const std::vector<TSNode>& declarations, const std::vector<FunctionInfo>& kept) {
  // Kept functions keep their names and states while the package clause (the first in the
  // file, with nothing but comments before it) is untouched, there is no `telinject: ignore`,
  // and no function literal outside functions (they are numbered across the file).
  if (!find_ignore_comments(file.source, {"//"}).rows.empty()) return std::nullopt;
  for (const FunctionInfo& f : kept)
    if (f.state == FunctionState::kOptedOut || top_level_literal(f)) return std::nullopt;
  WalkState state;
  uint32_t count = ts_node_child_count(file.root);
  for (uint32_t i = 0; i < count && state.package_row == UINT32_MAX; ++i) {
    TSNode child = ts_node_child(file.root, i);
    if (is(child, "comment")) continue;
    if (!is(child, "package_clause")) return std::nullopt;
    for (TSNode declaration : declarations)
      if (ts_node_eq(declaration, child)) return std::nullopt;
    state.package_row = ts_node_start_point(child).row;
    TSNode name = ts_node_named_child(child, 0);
    if (!ts_node_is_null(name)) state.package = std::string(node_text(file.source, name));
  }
  if (state.package_row == UINT32_MAX) return std::nullopt;
  std::vector<FunctionInfo> functions;
  for (TSNode declaration : declarations) walk_functions(file, declaration, state, functions);
  for (const FunctionInfo& f : functions)
    if (top_level_literal(f)) return std::nullopt;
  return decide_states(file, known, std::move(functions), IgnoreComments{});
}

}  // namespace telinject::go
