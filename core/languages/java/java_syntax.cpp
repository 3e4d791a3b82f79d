#include "java/java_syntax.h"

#include <map>

#include "ignore_comments.h"
#include "syntax_tree.h"

namespace telinject::java {
namespace {

enum class WalkKind : uint8_t {
  kOther,
  kType,         // class, interface, enum, record, annotation type declarations
  kClassBody,    // a class body: anonymous when under `new` or an enum constant
  kMethod,       // method_declaration
  kConstructor,  // constructor_declaration, compact_constructor_declaration
  kLambda,       // lambda_expression
  kStaticInit,   // static_initializer
  kField,        // field_declaration, constant_declaration
  kBlock,        // block: an instance initializer when directly in a class body
  kPackage,      // package_declaration
};

const std::vector<WalkKind>& walk_kinds(const TSLanguage* language) {
  static const std::vector<WalkKind> table = [language] {
    std::vector<WalkKind> kinds(ts_language_symbol_count(language), WalkKind::kOther);
    const std::pair<const char*, WalkKind> names[] = {
        {"class_declaration", WalkKind::kType},
        {"interface_declaration", WalkKind::kType},
        {"enum_declaration", WalkKind::kType},
        {"record_declaration", WalkKind::kType},
        {"annotation_type_declaration", WalkKind::kType},
        {"class_body", WalkKind::kClassBody},
        {"method_declaration", WalkKind::kMethod},
        {"constructor_declaration", WalkKind::kConstructor},
        {"compact_constructor_declaration", WalkKind::kConstructor},
        {"lambda_expression", WalkKind::kLambda},
        {"static_initializer", WalkKind::kStaticInit},
        {"field_declaration", WalkKind::kField},
        {"constant_declaration", WalkKind::kField},
        {"block", WalkKind::kBlock},
        {"package_declaration", WalkKind::kPackage}};
    for (TSSymbol symbol = 0; symbol < kinds.size(); ++symbol)
      for (const auto& [name, kind] : names)
        if (ts_language_symbol_type(language, symbol) == TSSymbolTypeRegular &&
            std::strcmp(ts_language_symbol_name(language, symbol), name) == 0)
          kinds[symbol] = kind;
    return kinds;
  }();
  return table;
}

bool is_member_container(TSNode node) {
  return is(node, "class_body") || is(node, "interface_body") ||
         is(node, "enum_body_declarations") || is(node, "annotation_type_body") ||
         is(node, "program");
}

bool has_static_modifier(const SourceText& source, TSNode declaration) {
  uint32_t count = ts_node_named_child_count(declaration);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(declaration, i);
    if (!is(child, "modifiers")) continue;
    uint32_t n = ts_node_child_count(child);
    for (uint32_t k = 0; k < n; ++k)
      if (node_text(source, ts_node_child(child, k)) == "static") return true;
  }
  return false;
}

// What encloses the walk's position: a class (binary name, and the counters javac numbers its
// anonymous and local classes with), or code that lambdas are named after.
struct Scope {
  Scope(uint32_t at, bool a_class, std::string scope_name, int index = -1)
      : depth(at), is_class(a_class), name(std::move(scope_name)), function(index) {}
  uint32_t depth;
  bool is_class;
  std::string name;  // class: binary name; code: the name lambdas inside take as prefix
  int function;      // code of a function: its index in the result, else -1
  uint32_t anonymous = 0;
  std::map<std::string, uint32_t> local_classes;
};

Scope* innermost_class(std::vector<Scope>& scopes) {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
    if (it->is_class) return &*it;
  return nullptr;
}

}  // namespace

Body function_body(TSNode function) {
  Body body;
  TSNode block = ts_node_child_by_field_name(function, "body", 4);
  if (ts_node_is_null(block) || !(is(block, "block") || is(block, "constructor_body"))) return body;
  body.block = block;
  body.open = ts_node_start_byte(block) + 1;
  body.close = ts_node_end_byte(block) - 1;
  uint32_t count = ts_node_named_child_count(block);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(block, i);
    if (!is(child, "line_comment") && !is(child, "block_comment")) body.statements.push_back(child);
  }
  if (!body.statements.empty() && is(body.statements.front(), "explicit_constructor_invocation"))
    body.kept_in_front = 1;
  return body;
}

std::string span_suffix(TSNode function) {
  uint32_t lambdas = 0;
  for (TSNode node = function; !ts_node_is_null(node); node = ts_node_parent(node)) {
    if (is(node, "lambda_expression")) {
      ++lambdas;
      continue;
    }
    if (is(node, "method_declaration") || is(node, "constructor_declaration") ||
        is(node, "compact_constructor_declaration") || is(node, "class_body"))
      break;
  }
  return lambdas == 0 ? "" : std::to_string(lambdas);
}

std::string declared_package(std::string_view text) {
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  auto skip_blanks_and_comments = [&] {
    for (;;) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (text.substr(i, 2) == "//") {
        size_t end = text.find('\n', i);
        i = end == std::string_view::npos ? text.size() : end + 1;
      } else if (text.substr(i, 2) == "/*") {
        size_t end = text.find("*/", i + 2);
        i = end == std::string_view::npos ? text.size() : end + 2;
      } else {
        return;
      }
    }
  };
  auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '.' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  for (;;) {
    skip_blanks_and_comments();
    if (i >= text.size() || text[i] != '@') break;
    // An annotation of the package (package-info.java): its name, then its arguments.
    ++i;
    while (i < text.size() && (is_name_char(text[i]) || text[i] == ' ')) ++i;
    if (i < text.size() && text[i] == '(') {
      int nesting = 0;
      for (; i < text.size(); ++i) {
        if (text[i] == '(') ++nesting;
        if (text[i] == ')' && --nesting == 0) {
          ++i;
          break;
        }
      }
    }
  }
  if (text.substr(i, 7) != "package" || i + 7 >= text.size() || is_name_char(text[i + 7]))
    return "";
  i += 7;
  std::string name;
  while (i < text.size() && text[i] != ';') {
    skip_blanks_and_comments();
    if (i < text.size() && is_name_char(text[i]))
      name.push_back(text[i++]);
    else if (i < text.size() && text[i] != ';')
      return "";
  }
  return i < text.size() ? name : "";
}

std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known) {
  const SourceText& source = file.source;
  std::vector<FunctionInfo> functions;
  std::vector<Scope> scopes;
  std::string package;
  uint32_t package_row = UINT32_MAX;
  const std::vector<WalkKind>& kinds = walk_kinds(ts_tree_language(file.root.tree));

  auto add_function = [&](TSNode node, std::string name, std::string qualified, const char* kind,
                          TSNode name_node) {
    FunctionInfo f;
    f.name = std::move(name);
    f.qualified_name = std::move(qualified);
    f.kind = kind;
    f.start_byte = ts_node_start_byte(node);
    f.end_byte = ts_node_end_byte(node);
    f.start_row = ts_node_start_point(node).row;
    f.end_row = ts_node_end_point(node).row;
    TSNode at = ts_node_is_null(name_node) ? node : name_node;
    f.name_row = ts_node_start_point(at).row;
    f.name_column = ts_node_start_point(at).column;
    f.node = node;
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
      if (it->function >= 0) {
        f.parent = it->function;
        break;
      }
    functions.push_back(std::move(f));
    return static_cast<int>(functions.size() - 1);
  };

  walk_tree(
      file.root,
      [&](TSNode node, uint32_t depth, const TSTreeCursor*) {
        TSSymbol symbol = ts_node_symbol(node);
        WalkKind kind = symbol < kinds.size() ? kinds[symbol] : WalkKind::kOther;
        if (kind == WalkKind::kOther) return ts_node_child_count(node) > 0;
        TSNode parent = ts_node_parent(node);
        Scope* owner = innermost_class(scopes);
        switch (kind) {
          case WalkKind::kPackage: {
            if (package_row == UINT32_MAX) {
              package_row = ts_node_start_point(node).row;
              package = declared_package(node_text(source, node));
            }
            return false;
          }
          case WalkKind::kType: {
            TSNode name_node = ts_node_child_by_field_name(node, "name", 4);
            if (ts_node_is_null(name_node)) return true;
            std::string name(node_text(source, name_node));
            std::string binary;
            if (!owner)
              binary = package.empty() ? name : package + "." + name;
            else if (is_member_container(parent))
              binary = owner->name + "$" + name;
            else  // a local class: javac numbers them per enclosing class and name
              binary = owner->name + "$" + std::to_string(++owner->local_classes[name]) + name;
            scopes.emplace_back(depth, true, binary);
            return true;
          }
          case WalkKind::kClassBody: {
            if (!ts_node_is_null(parent) &&
                (is(parent, "object_creation_expression") || is(parent, "enum_constant")) && owner)
              scopes.emplace_back(depth, true,
                                  owner->name + "$" + std::to_string(++owner->anonymous));
            return true;
          }
          case WalkKind::kMethod:
          case WalkKind::kConstructor: {
            if (!owner) return true;
            TSNode name_node = ts_node_child_by_field_name(node, "name", 4);
            if (ts_node_is_null(name_node)) return true;
            bool constructor = kind == WalkKind::kConstructor;
            std::string name = constructor ? "<init>" : std::string(node_text(source, name_node));
            std::string qualified = owner->name + "." + name;
            int index = add_function(node, name, qualified, constructor ? "constructor" : "method",
                                     name_node);
            scopes.emplace_back(depth, false, qualified, index);
            return true;
          }
          case WalkKind::kLambda: {
            std::string prefix = scopes.empty() || scopes.back().is_class
                                     ? (owner ? owner->name + ".<init>" : "<init>")
                                     : scopes.back().name;
            std::string qualified =
                prefix + "$lambda$" + std::to_string(ts_node_start_point(node).row + 1);
            int index = add_function(node, "lambda", qualified, "lambda", TSNode{});
            scopes.emplace_back(depth, false, qualified, index);
            return true;
          }
          case WalkKind::kStaticInit:
          case WalkKind::kField: {
            if (!owner) return true;
            bool is_static = kind == WalkKind::kStaticInit || is(node, "constant_declaration") ||
                             has_static_modifier(source, node);
            scopes.emplace_back(depth, false, owner->name + (is_static ? ".<clinit>" : ".<init>"));
            return true;
          }
          case WalkKind::kBlock: {
            if (owner && !ts_node_is_null(parent) && is(parent, "class_body"))
              scopes.emplace_back(depth, false, owner->name + ".<init>");
            return true;
          }
          case WalkKind::kOther:
            break;
        }
        return true;
      },
      [&](uint32_t depth) {
        while (!scopes.empty() && scopes.back().depth == depth) scopes.pop_back();
      });

  IgnoreComments ignore = find_ignore_comments(source, {"//", "/*"});
  for (size_t i = 0; i < ignore.rows.size(); ++i)
    if (ignore.whole_row[i] && package_row != UINT32_MAX && ignore.rows[i] < package_row)
      ignore.file = true;

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
    if (ts_node_has_error(f.node)) {
      f.state = FunctionState::kSkipped;
      f.reason = "syntax error inside the function";
      continue;
    }
    Body body = function_body(f.node);
    if (ts_node_is_null(body.block)) {
      f.state = FunctionState::kSkipped;
      f.reason = f.kind == "lambda" ? "expression lambda (only block bodies carry a span)"
                                    : "no body (abstract or native)";
      continue;
    }
    std::string suffix = span_suffix(f.node);
    bool decided = false;
    for (const LanguageTemplate& t : known) {
      auto telemetry = find_telemetry(source, body, t, suffix);
      if (!telemetry) continue;
      decided = true;
      if (telemetry->ok()) {
        f.state = FunctionState::kInstrumented;
        f.profile = t.profile;
      } else {
        f.state = FunctionState::kSkipped;
        f.reason = telemetry->error();
      }
      break;
    }
    if (decided) continue;
    if (body.statements.size() == body.kept_in_front) {
      f.state = FunctionState::kSkipped;
      f.reason = body.kept_in_front ? "nothing after this(...)/super(...)" : "empty body";
    }
  }
  return functions;
}

std::optional<Result<Telemetry>> find_telemetry(const SourceText& source, const Body& body,
                                                const LanguageTemplate& tmpl,
                                                const std::string& suffix) {
  const std::string marker = tmpl.marker();
  if (marker.empty() || body.statements.size() <= body.kept_in_front) return std::nullopt;
  TSNode first = body.statements[body.kept_in_front];
  if (node_text(source, first).substr(0, marker.size()) != marker) {
    for (TSNode later : body.statements)
      if (node_text(source, later).substr(0, marker.size()) == marker)
        return make_error("telemetry edited by hand (no longer the first statement)");
    return std::nullopt;
  }
  const std::string_view text = source.text();
  Result<Telemetry> edited = make_error("telemetry edited by hand (not as telinject inserts it)");
  if (body.statements.size() != body.kept_in_front + 2) return edited;
  TSNode attempt = body.statements.back();
  TSNode block = ts_node_child_by_field_name(attempt, "body", 4);
  if (!is(attempt, "try_statement") || ts_node_is_null(block)) return edited;
  const std::map<std::string, std::string> depth = {{"depth", suffix}};
  const std::string header = render_template(tmpl.header, depth);
  const std::string footer = render_template(tmpl.footer, depth);
  uint32_t header_begin = ts_node_start_byte(first);
  uint32_t block_open = ts_node_start_byte(block);
  uint32_t block_close = ts_node_end_byte(block) - 1;
  uint32_t try_end = ts_node_end_byte(attempt);
  if (!matches_row_pattern(text.substr(header_begin, block_open + 1 - header_begin), header))
    return edited;
  if (text.substr(block_close, try_end - block_close) != footer || try_end + 1 != body.close ||
      text[try_end] != ' ')
    return edited;
  Telemetry found;
  if (body.kept_in_front == 0) {
    if (header_begin != body.open + 1 || text[body.open] != ' ') return edited;
    found.header_begin = body.open;
    found.header_end = block_open + 1;
  } else {
    if (text[block_open + 1] != ' ') return edited;
    found.header_begin = header_begin;
    found.header_end = block_open + 2;
  }
  found.footer_begin = block_close;
  found.footer_end = try_end + 1;
  return found;
}

}  // namespace telinject::java
