#include "c_family/c_family_syntax.h"

#include <cctype>
#include <cstring>

#include "ignore_comments.h"

namespace telinject::c_family {
namespace {

bool is(TSNode node, const char* type) { return std::strcmp(ts_node_type(node), type) == 0; }

std::string_view node_text(const SourceText& source, TSNode node) {
  uint32_t begin = ts_node_start_byte(node);
  return std::string_view(source.text()).substr(begin, ts_node_end_byte(node) - begin);
}

// `text` with runs of blanks made one space, then the spaces C++ prints no longer dropped:
// "operator ==" -> "operator==", "~ A" -> "~A", "operator new" kept.
std::string compact(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      if (!out.empty() && out.back() == ' ') {
        char before = out.size() >= 2 ? out[out.size() - 2] : ' ';
        bool words = (std::isalnum(static_cast<unsigned char>(before)) || before == '_') &&
                     (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
        if (!words) out.pop_back();
      }
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Whether `word` appears in `text` as a whole word.
bool has_word(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    auto part_of_word = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    };
    bool before = at > 0 && part_of_word(text[at - 1]);
    bool after = at + word.size() < text.size() && part_of_word(text[at + word.size()]);
    if (!before && !after) return true;
  }
  return false;
}

// A scope's name without template arguments: `List<T>` -> `List`.
std::string scope_name(const SourceText& source, TSNode node) {
  if (is(node, "template_type")) {
    TSNode name = ts_node_child_by_field_name(node, "name", 4);
    if (!ts_node_is_null(name)) return std::string(node_text(source, name));
  }
  return compact(node_text(source, node));
}

// The name a declarator's innermost part gives: `A::B::f`, `~A`, `operator==`, `f`.
std::string declared_name(const SourceText& source, TSNode node, TSNode* name_node) {
  *name_node = node;
  if (is(node, "qualified_identifier")) {
    TSNode scope = ts_node_child_by_field_name(node, "scope", 5);
    TSNode name = ts_node_child_by_field_name(node, "name", 4);
    if (ts_node_is_null(name)) return "";
    std::string rest = declared_name(source, name, name_node);
    if (rest.empty()) return "";
    return ts_node_is_null(scope) ? rest : scope_name(source, scope) + "::" + rest;
  }
  if (is(node, "template_function") || is(node, "template_method")) {
    TSNode name = ts_node_child_by_field_name(node, "name", 4);
    return ts_node_is_null(name) ? "" : declared_name(source, name, name_node);
  }
  if (is(node, "identifier") || is(node, "field_identifier") || is(node, "destructor_name") ||
      is(node, "operator_name") || is(node, "type_identifier"))
    return compact(node_text(source, node));
  if (is(node, "operator_cast")) {
    TSNode type = ts_node_child_by_field_name(node, "type", 4);
    TSNode abstract = ts_node_child_by_field_name(node, "declarator", 10);
    std::string name =
        "operator " + (ts_node_is_null(type) ? "" : compact(node_text(source, type)));
    // `operator int*()`: the declarator's `*` without the parameter list.
    if (!ts_node_is_null(abstract)) {
      std::string rest = compact(node_text(source, abstract));
      size_t paren = rest.find('(');
      name += rest.substr(0, paren);
    }
    return compact(name);
  }
  // Declarators around the name: function, pointer, reference, parenthesized, attributed.
  TSNode inner = ts_node_child_by_field_name(node, "declarator", 10);
  if (ts_node_is_null(inner)) {
    for (uint32_t i = 0; i < ts_node_named_child_count(node); ++i) {
      TSNode child = ts_node_named_child(node, i);
      if (!is(child, "type_qualifier") && !is(child, "attribute_declaration") &&
          !is(child, "attribute_specifier") && !is(child, "ms_pointer_modifier")) {
        inner = child;
        break;
      }
    }
  }
  if (ts_node_is_null(inner) || is(node, "parameter_list")) return "";
  return declared_name(source, inner, name_node);
}

struct Walker {
  const ParsedSource& file;
  Dialect dialect;
  std::vector<FunctionInfo>& functions;
  std::vector<uint32_t> lambda_counts;  // per function: lambdas met directly inside
  std::vector<std::pair<std::string, uint32_t>> scope_lambdas;  // the same outside functions

  uint32_t next_lambda(int parent, const std::string& scope) {
    if (parent >= 0) return ++lambda_counts[parent];
    for (auto& [name, count] : scope_lambdas)
      if (name == scope) return ++count;
    scope_lambdas.push_back({scope, 1});
    return 1;
  }

  int add(TSNode node, FunctionInfo f, TSNode name_node, int parent) {
    f.start_byte = ts_node_start_byte(node);
    f.end_byte = ts_node_end_byte(node);
    f.start_row = ts_node_start_point(node).row;
    f.end_row = ts_node_end_point(node).row;
    f.name_row = ts_node_start_point(name_node).row;
    f.name_column = ts_node_start_point(name_node).column;
    f.node = node;
    f.parent = parent;
    functions.push_back(std::move(f));
    lambda_counts.push_back(0);
    return static_cast<int>(functions.size()) - 1;
  }

  void children(TSNode node, const std::string& scope, const std::string& class_name, int parent) {
    uint32_t count = ts_node_named_child_count(node);
    for (uint32_t i = 0; i < count; ++i)
      visit(ts_node_named_child(node, i), scope, class_name, parent);
  }

  void visit(TSNode node, const std::string& scope, const std::string& class_name, int parent) {
    const SourceText& source = file.source;
    auto join = [&](const std::string& name) { return scope.empty() ? name : scope + "::" + name; };
    if (is(node, "namespace_definition")) {
      TSNode name = ts_node_child_by_field_name(node, "name", 4);
      TSNode body = ts_node_child_by_field_name(node, "body", 4);
      std::string inner =
          join(ts_node_is_null(name) ? "(anonymous namespace)" : compact(node_text(source, name)));
      if (!ts_node_is_null(body)) children(body, inner, "", parent);
      return;
    }
    if (is(node, "class_specifier") || is(node, "struct_specifier") ||
        is(node, "union_specifier")) {
      TSNode name = ts_node_child_by_field_name(node, "name", 4);
      TSNode body = ts_node_child_by_field_name(node, "body", 4);
      if (ts_node_is_null(body)) return;
      std::string own = ts_node_is_null(name) ? "(anonymous)" : scope_name(source, name);
      if (dialect == Dialect::kC) {
        children(body, scope, "", parent);  // C structs are no scope
        return;
      }
      size_t colons = own.rfind("::");
      children(body, join(own), colons == std::string::npos ? own : own.substr(colons + 2), parent);
      return;
    }
    if (is(node, "function_definition")) {
      TSNode declarator = ts_node_child_by_field_name(node, "declarator", 10);
      TSNode type = ts_node_child_by_field_name(node, "type", 4);
      if (dialect == Dialect::kCpp && !ts_node_is_null(type) && !ts_node_is_null(declarator) &&
          (is(type, "class_specifier") || is(type, "struct_specifier")) &&
          is(declarator, "identifier")) {
        // `class EXPORT_MACRO Name { ... }` read as a function `Name` returning
        // `class EXPORT_MACRO`: a class, whose members the parser recovers as it can.
        std::string own(node_text(source, declarator));
        TSNode body = ts_node_child_by_field_name(node, "body", 4);
        if (!ts_node_is_null(body)) children(body, join(own), own, parent);
        return;
      }
      TSNode name_node{};
      std::string name =
          ts_node_is_null(declarator) ? "" : declared_name(source, declarator, &name_node);
      TSNode body = ts_node_child_by_field_name(node, "body", 4);
      if (name.empty() || ts_node_is_null(name_node)) {
        if (!ts_node_is_null(body)) children(body, scope, "", parent);
        return;
      }
      FunctionInfo f;
      f.qualified_name = dialect == Dialect::kC ? name : join(name);
      size_t colons = name.rfind("::");
      f.name = colons == std::string::npos ? name : name.substr(colons + 2);
      std::string owner = class_name;
      if (colons != std::string::npos) {
        size_t before = name.rfind("::", colons - 1);
        owner = name.substr(before == std::string::npos || colons == 0 ? 0 : before + 2,
                            colons - (before == std::string::npos || colons == 0 ? 0 : before + 2));
      }
      if (!f.name.empty() && f.name[0] == '~')
        f.kind = "destructor";
      else if (f.name.compare(0, 8, "operator") == 0 &&
               (f.name.size() == 8 || !std::isalnum(static_cast<unsigned char>(f.name[8])) ||
                f.name[8] == ' '))
        f.kind = "operator";
      else if (!owner.empty() && f.name == owner)
        f.kind = "constructor";
      else if (!owner.empty())
        f.kind = "method";
      else
        f.kind = "function";
      int index = add(node, std::move(f), name_node, parent);
      if (!ts_node_is_null(body)) children(body, functions[index].qualified_name, "", index);
      return;
    }
    if (is(node, "lambda_expression")) {
      TSNode body = ts_node_child_by_field_name(node, "body", 4);
      std::string owner = parent >= 0 ? functions[parent].qualified_name : scope;
      FunctionInfo f;
      f.name = "{lambda#" + std::to_string(next_lambda(parent, scope)) + "}";
      f.qualified_name = owner.empty() ? f.name : owner + "::" + f.name;
      f.kind = "lambda";
      int index = add(node, std::move(f), node, parent);
      // Captures' initialisers and default arguments may hold lambdas too.
      uint32_t count = ts_node_named_child_count(node);
      for (uint32_t i = 0; i < count; ++i) {
        TSNode child = ts_node_named_child(node, i);
        if (ts_node_eq(child, body))
          children(child, functions[index].qualified_name, "", index);
        else
          visit(child, scope, "", parent);
      }
      return;
    }
    children(node, scope, class_name, parent);
  }
};

bool only_comments(TSNode body) {
  uint32_t count = ts_node_named_child_count(body);
  for (uint32_t i = 0; i < count; ++i)
    if (!is(ts_node_named_child(body, i), "comment")) return false;
  return true;
}

// The reason `f` cannot carry a span, or empty.
std::string skip_reason(const SourceText& source, const FunctionInfo& f, TSNode body,
                        Dialect dialect) {
  if (ts_node_is_null(body)) {
    TSNode other = ts_node_child_by_field_name(f.node, "body", 4);
    return ts_node_is_null(other) ? "no body"
                                  : "function-try-block (the span would miss the handlers)";
  }
  if (ts_node_has_error(f.node))
    return "syntax error inside the function (or a macro the parser cannot read)";
  std::string_view text =
      std::string_view(source.text()).substr(f.start_byte, ts_node_start_byte(body) - f.start_byte);
  if (dialect == Dialect::kCpp && (has_word(text, "constexpr") || has_word(text, "consteval")))
    return "constexpr or consteval (a span cannot run at compile time)";
  if (dialect == Dialect::kC)
    for (uint32_t i = 0; i < ts_node_named_child_count(f.node); ++i)
      if (is(ts_node_named_child(f.node, i), "declaration"))
        return "K&R definition (parameters declared after the parameter list)";
  std::string_view inside = node_text(source, body);
  if (dialect == Dialect::kCpp && (has_word(inside, "co_await") || has_word(inside, "co_yield") ||
                                   has_word(inside, "co_return")))
    return "coroutine (a span would stay open across suspensions)";
  if (only_comments(body)) return "empty body";
  return "";
}

}  // namespace

TSNode function_body(TSNode function) {
  TSNode body = ts_node_child_by_field_name(function, "body", 4);
  if (ts_node_is_null(body) || !is(body, "compound_statement")) return TSNode{};
  return body;
}

std::optional<Result<SpanStatement>> find_span_statement(const SourceText& source, TSNode body,
                                                         const std::string& marker) {
  if (marker.empty()) return std::nullopt;
  uint32_t count = ts_node_named_child_count(body);
  bool first = true;
  for (uint32_t i = 0; i < count; ++i) {
    TSNode statement = ts_node_named_child(body, i);
    if (is(statement, "comment")) continue;
    bool marked = node_text(source, statement).substr(0, marker.size()) == marker;
    if (marked && !first)
      return make_error("telemetry edited by hand (no longer the first statement)");
    if (marked) {
      uint32_t open = ts_node_start_byte(body);
      if (ts_node_start_byte(statement) != open + 2 || source.text()[open + 1] != ' ' ||
          ts_node_start_point(statement).row != ts_node_end_point(statement).row)
        return make_error("telemetry edited by hand (not where telinject inserts it)");
      return SpanStatement{open + 1, ts_node_end_byte(statement)};
    }
    first = false;
  }
  return std::nullopt;
}

std::vector<FunctionInfo> extract_functions(const ParsedSource& file, Dialect dialect,
                                            const std::vector<LanguageTemplate>& known) {
  std::vector<FunctionInfo> functions;
  Walker walker{file, dialect, functions, {}, {}};
  walker.visit(file.root, "", "", -1);
  IgnoreComments ignore = find_ignore_comments(file.source, {"//", "/*"});
  for (FunctionInfo& f : functions) {
    bool opted_out = ignore.file;
    for (size_t k = 0; k < ignore.rows.size() && !opted_out; ++k)
      opted_out = ignore.rows[k] == f.start_row ||
                  (ignore.whole_row[k] && ignore.rows[k] + 1 == f.start_row);
    if (opted_out || (f.parent >= 0 && functions[f.parent].state == FunctionState::kOptedOut)) {
      f.state = FunctionState::kOptedOut;
      f.reason = ignore.file ? "file opted out (telinject: ignore-file)" : "telinject: ignore";
      continue;
    }
    TSNode body = function_body(f.node);
    bool decided = false;
    if (!ts_node_is_null(body) && !ts_node_has_error(f.node)) {
      for (const LanguageTemplate& t : known) {
        auto found = find_span_statement(file.source, body, t.marker());
        if (!found) continue;
        decided = true;
        if (found->ok()) {
          f.state = FunctionState::kInstrumented;
          f.profile = t.profile;
        } else {
          f.state = FunctionState::kSkipped;
          f.reason = found->error();
        }
        break;
      }
    }
    if (decided) continue;
    std::string reason = skip_reason(file.source, f, body, dialect);
    // A lambda inside a constexpr function runs at compile time with it.
    if (reason.empty() && f.parent >= 0 && functions[f.parent].state == FunctionState::kSkipped &&
        functions[f.parent].reason.compare(0, 9, "constexpr") == 0)
      reason = "inside a constexpr function";
    if (!reason.empty()) {
      f.state = FunctionState::kSkipped;
      f.reason = reason;
    }
  }
  return functions;
}

std::string include_text(const std::string& include_line, uint32_t line_after) {
  return include_line + "\n#line " + std::to_string(line_after) + "\n";
}

uint32_t include_row(const SourceText& source, TSNode root, bool* at_start) {
  (void)source;
  // The top level, or the inside of a header guard when it is all the file holds.
  TSNode level = root;
  TSNode only{};
  uint32_t named = 0;
  for (uint32_t i = 0; i < ts_node_named_child_count(root); ++i) {
    TSNode child = ts_node_named_child(root, i);
    if (is(child, "comment")) continue;
    ++named;
    only = child;
  }
  if (named == 1 && (is(only, "preproc_ifdef") || is(only, "preproc_if"))) level = only;
  uint32_t row = 0;
  *at_start = true;
  for (uint32_t i = 0; i < ts_node_named_child_count(level); ++i) {
    TSNode child = ts_node_named_child(level, i);
    if (is(child, "function_definition") || is(child, "linkage_specification") ||
        is(child, "namespace_definition") || is(child, "template_declaration"))
      break;
    if (!is(child, "preproc_include")) continue;
    TSPoint end = ts_node_end_point(child);
    if (end.column != 0) break;  // the last row of a file without a final line break
    row = end.row;
    *at_start = false;
  }
  return row;
}

std::optional<TextEdit> find_include(const SourceText& source, const std::string& include_line) {
  for (uint32_t row = 0; row + 1 < source.row_count(); ++row) {
    std::string_view text = source.row_text(row);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text != include_line) continue;
    std::string_view next = source.row_text(row + 1);
    if (next.substr(0, 6) != "#line ") continue;
    uint32_t end = row + 2 < source.row_count() ? source.row_start(row + 2)
                                                : static_cast<uint32_t>(source.text().size());
    return TextEdit{source.row_start(row), end - source.row_start(row), ""};
  }
  return std::nullopt;
}

}  // namespace telinject::c_family
