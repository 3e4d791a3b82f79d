#include "javascript/javascript_syntax.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "ignore_comments.h"
#include "javascript/telemetry_shape.h"
#include "syntax_tree.h"

namespace telinject::javascript {
namespace {

bool is_directive(TSNode statement) {
  return is(statement, "expression_statement") && ts_node_named_child_count(statement) == 1 &&
         is(ts_node_named_child(statement, 0), "string");
}

bool is_super_call(TSNode statement) {
  if (!is(statement, "expression_statement") || ts_node_named_child_count(statement) != 1)
    return false;
  TSNode call = ts_node_named_child(statement, 0);
  if (!is(call, "call_expression")) return false;
  TSNode callee = ts_node_child_by_field_name(call, "function", 8);
  return !ts_node_is_null(callee) && is(callee, "super");
}

// Identifier-like text of a declarator or assignment target: "a", "exports.f", "A.prototype.b".
bool is_simple_path(std::string_view text) {
  if (text.empty() || text.size() > 200) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '.' ||
           c == '#' || static_cast<unsigned char>(c) >= 0x80;
  });
}

std::string strip_quotes(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front())
    return std::string(text.substr(1, text.size() - 2));
  return std::string(text);
}

// One line, no runs of spaces: computed names like `[Symbol.iterator]` may span lines.
std::string squeeze(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out.size() > 80 ? out.substr(0, 80) : out;
}

// The name a nameless function, class or object gets from where it stands, as V8 infers it
// for stack traces: `const f = ...`, `obj.f = ...`, `f ||= ...`, `{ f: ... }`, `class { f = ... }`,
// a parameter's default `(f = ...) =>`, a JSX attribute `onClick={...}` (an object property once
// compiled), `export default ...`. Empty when none.
std::string name_from_context(const SourceText& source, TSNode parent, const char* field) {
  if (ts_node_is_null(parent) || !field) return "";
  std::string_view f(field);
  if (is(parent, "variable_declarator") && f == "value") {
    TSNode name = ts_node_child_by_field_name(parent, "name", 4);
    if (!ts_node_is_null(name) && is(name, "identifier"))
      return std::string(node_text(source, name));
  } else if ((is(parent, "assignment_expression") ||
              is(parent, "augmented_assignment_expression") || is(parent, "assignment_pattern")) &&
             f == "right") {
    TSNode left = ts_node_child_by_field_name(parent, "left", 4);
    std::string_view text = node_text(source, left);
    if (!ts_node_is_null(left) && is_simple_path(text)) return std::string(text);
  } else if (is(parent, "pair") && f == "value") {
    TSNode key = ts_node_child_by_field_name(parent, "key", 3);
    if (!ts_node_is_null(key)) return squeeze(strip_quotes(node_text(source, key)));
  } else if (is(parent, "field_definition") && f == "value") {
    TSNode key = ts_node_child_by_field_name(parent, "property", 8);
    if (!ts_node_is_null(key)) return squeeze(strip_quotes(node_text(source, key)));
  } else if (is(parent, "public_field_definition") && f == "value") {
    TSNode key = ts_node_child_by_field_name(parent, "name", 4);
    if (!ts_node_is_null(key)) return squeeze(strip_quotes(node_text(source, key)));
  } else if (is(parent, "export_statement") && f == "value") {
    return "default";
  }
  return "";
}

// The name of a function passed to a call, after what it is passed to: `app.get(...)` ->
// "app.get callback", `promise.then(...)` -> "promise.then callback", `foo().then(...)` ->
// "then callback", `new Promise(...)` -> "Promise callback". Empty when the callee is not a
// name (V8 prints such functions as `<anonymous>`).
std::string callback_name(const SourceText& source, TSNode arguments, TSNode call) {
  if (ts_node_is_null(arguments) || ts_node_is_null(call) || !is(arguments, "arguments")) return "";
  TSNode callee;
  if (is(call, "call_expression"))
    callee = ts_node_child_by_field_name(call, "function", 8);
  else if (is(call, "new_expression"))
    callee = ts_node_child_by_field_name(call, "constructor", 11);
  else
    return "";
  if (ts_node_is_null(callee)) return "";
  std::string_view text = node_text(source, callee);
  if (!is_simple_path(text) && is(callee, "member_expression")) {
    TSNode property = ts_node_child_by_field_name(callee, "property", 8);
    text = ts_node_is_null(property) ? std::string_view() : node_text(source, property);
  }
  if (!is_simple_path(text)) return "";
  return std::string(text) + " callback";
}

// A JSX attribute's name for a function written as its value: `onClick={() => ...}`.
std::string jsx_attribute_name(const SourceText& source, TSNode expression, TSNode attribute) {
  if (ts_node_is_null(expression) || ts_node_is_null(attribute) ||
      !is(expression, "jsx_expression") || !is(attribute, "jsx_attribute"))
    return "";
  TSNode name = ts_node_named_child(attribute, 0);
  if (ts_node_is_null(name)) return "";
  std::string_view text = node_text(source, name);
  return is_simple_path(text) ? std::string(text) : "";
}

// `async` and `*` are anonymous children in front of the body.
void read_modifiers(TSNode function, bool* async, bool* generator) {
  *async = false;
  *generator = is(function, "generator_function") || is(function, "generator_function_declaration");
  uint32_t count = ts_node_child_count(function);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_child(function, i);
    if (ts_node_is_named(child)) {
      // Modifiers come before the name or the parameters; stop at the first named part
      // except decorators and accessibility modifiers, which may precede them.
      if (is(child, "decorator") || is(child, "accessibility_modifier") ||
          is(child, "override_modifier"))
        continue;
      break;
    }
    if (is(child, "async")) *async = true;
    if (is(child, "*")) *generator = true;
  }
}

struct Scope {
  uint32_t depth;
  int function;           // index into the result, or -1 for classes, objects, namespaces
  std::string qualified;  // the dotted path of this scope, without the module
  /// How many functions directly inside got each name that is not their own ("<anonymous>",
  /// "app.get callback"): the second is "<anonymous>[2]", and so on.
  std::unordered_map<std::string, int> inferred = {};
};

}  // namespace

NodeKinds::NodeKinds(const TSLanguage* grammar) {
  kinds_.assign(ts_language_symbol_count(grammar), kOther);
  const std::pair<const char*, Kind> names[] = {{"function_declaration", kFunction},
                                                {"generator_function_declaration", kFunction},
                                                {"function_expression", kFunction},
                                                {"function", kFunction},
                                                {"generator_function", kFunction},
                                                {"arrow_function", kFunction},
                                                {"method_definition", kFunction},
                                                {"class_declaration", kClass},
                                                {"class", kClass},
                                                {"abstract_class_declaration", kClass},
                                                {"object", kObject},
                                                {"internal_module", kNamespace},
                                                {"comment", kComment}};
  for (TSSymbol symbol = 0; symbol < kinds_.size(); ++symbol) {
    // Only named symbols: the keyword `function` or `class` shares the node's name.
    if (ts_language_symbol_type(grammar, symbol) != TSSymbolTypeRegular) continue;
    for (const auto& [name, kind] : names)
      if (std::strcmp(ts_language_symbol_name(grammar, symbol), name) == 0) kinds_[symbol] = kind;
  }
}

bool is_derived_constructor(const SourceText& source, TSNode function) {
  if (!is(function, "method_definition")) return false;
  TSNode name = ts_node_child_by_field_name(function, "name", 4);
  if (ts_node_is_null(name) || node_text(source, name) != "constructor") return false;
  TSNode class_body = ts_node_parent(function);
  if (ts_node_is_null(class_body) || !is(class_body, "class_body")) return false;
  TSNode owner = ts_node_parent(class_body);
  if (ts_node_is_null(owner)) return false;
  uint32_t count = ts_node_named_child_count(owner);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(owner, i);
    if (!is(child, "class_heritage")) continue;
    // JavaScript: `extends X` is the heritage itself; TypeScript: an extends_clause inside it
    // (`implements` alone does not make a derived class).
    uint32_t parts = ts_node_named_child_count(child);
    bool typescript_clauses = false;
    for (uint32_t k = 0; k < parts; ++k) {
      TSNode part = ts_node_named_child(child, k);
      if (is(part, "extends_clause")) return true;
      if (is(part, "implements_clause")) typescript_clauses = true;
    }
    return !typescript_clauses;
  }
  return false;
}

BodyLayout body_layout(TSNode function, bool derived_constructor) {
  BodyLayout layout;
  layout.body = ts_node_child_by_field_name(function, "body", 4);
  if (ts_node_is_null(layout.body)) return layout;
  if (!is(layout.body, "statement_block")) {
    layout.expression = true;
    return layout;
  }
  layout.open = ts_node_start_byte(layout.body) + 1;
  uint32_t count = ts_node_child_count(layout.body);
  TSNode last = ts_node_child(layout.body, count - 1);
  layout.close = is(last, "}") && !ts_node_is_missing(last) ? ts_node_start_byte(last) : 0;
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_child(layout.body, i);
    if (ts_node_is_named(child) && !is(child, "comment")) layout.statements.push_back(child);
  }
  while (layout.kept_in_front < layout.statements.size() &&
         is_directive(layout.statements[layout.kept_in_front]))
    ++layout.kept_in_front;
  if (derived_constructor) {
    for (size_t i = layout.kept_in_front; i < layout.statements.size(); ++i)
      if (is_super_call(layout.statements[i])) {
        layout.kept_in_front = i + 1;
        break;
      }
  }
  return layout;
}

namespace {

// True when `path` (root to node) ends at the callback a template's header wraps a body in:
// `DECLARATION try { return [await] wrap(..., () => {BODY}); }` where DECLARATION starts with
// the marker of a known template whose header does that. That arrow is telemetry, not one of
// the program's functions.
bool is_telemetry_callback(const SourceText& source, const std::vector<TSNode>& path,
                           const std::vector<std::string>& markers,
                           const std::vector<TemplateShape>& marker_shapes) {
  size_t d = path.size() - 1;
  if (markers.empty() || d < 5 || !is(path[d], "arrow_function") || !is(path[d - 1], "arguments") ||
      !is(path[d - 2], "call_expression"))
    return false;
  TSNode parameters = ts_node_child_by_field_name(path[d], "parameters", 10);
  if (ts_node_is_null(parameters) || ts_node_named_child_count(parameters) != 0 ||
      !ts_node_is_null(ts_node_next_named_sibling(path[d])))
    return false;
  size_t up = d - 3;
  if (is(path[up], "await_expression")) --up;
  if (up < 2 || !is(path[up], "return_statement") || !is(path[up - 1], "statement_block") ||
      !is(path[up - 2], "try_statement"))
    return false;
  TSNode declaration = ts_node_prev_named_sibling(path[up - 2]);
  if (ts_node_is_null(declaration) || !is(declaration, "lexical_declaration")) return false;
  std::string_view text = node_text(source, declaration);
  for (size_t t = 0; t < markers.size(); ++t)
    if (!markers[t].empty() &&
        (text.substr(0, markers[t].size()) == markers[t] || marker_shapes[t].starts(text)))
      return true;
  return false;
}

}  // namespace

std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known,
                                            const NodeKinds& kinds) {
  const SourceText& source = file.source;
  std::vector<std::string> markers;
  std::vector<TemplateShape> marker_shapes;
  for (const LanguageTemplate& t : known) {
    markers.push_back(t.marker());
    marker_shapes.emplace_back(markers.back());
  }
  // The markers of templates whose header wraps the body in a callback.
  std::vector<std::string> wrapping_markers;
  std::vector<TemplateShape> wrapping_shapes;
  for (size_t t = 0; t < known.size(); ++t) {
    if (header_tail(known[t].header) == " try {") continue;
    wrapping_markers.push_back(markers[t]);
    wrapping_shapes.push_back(marker_shapes[t]);
  }
  std::vector<FunctionInfo> functions;
  std::vector<Scope> scopes;
  std::unordered_map<std::string, int> top_level_inferred;  // Scope::inferred of the file
  std::vector<TSNode> path;  // path[d]: the node at depth d on the way down
  const std::string module_prefix = file.module_name.empty() ? "" : file.module_name + ".";

  walk_tree(
      file.root,
      [&](TSNode node, uint32_t depth, const TSTreeCursor* cursor) {
        path.resize(depth);
        path.push_back(node);
        bool descend = ts_node_child_count(node) > 0;
        NodeKinds::Kind kind = kinds.of(node);
        if (kind == NodeKinds::kFunction &&
            is_telemetry_callback(source, path, wrapping_markers, wrapping_shapes))
          return descend;  // its body's functions are the enclosing function's
        if (kind == NodeKinds::kFunction || kind == NodeKinds::kClass ||
            kind == NodeKinds::kObject || kind == NodeKinds::kNamespace) {
          TSNode parent = depth > 0 ? path[depth - 1] : TSNode{};
          const char* field = ts_tree_cursor_current_field_name(cursor);
          TSNode name_node =
              kind == NodeKinds::kObject ? TSNode{} : ts_node_child_by_field_name(node, "name", 4);
          std::string name = ts_node_is_null(name_node) ? name_from_context(source, parent, field)
                                                        : squeeze(node_text(source, name_node));
          if (kind == NodeKinds::kObject && name.empty()) {
            // An object literal without a name adds nothing to the names inside it.
          } else {
            if (name.empty()) {
              // No line numbers: a name must not change when unrelated code moves. A callback is
              // named after its callee; otherwise "<anonymous>"; repeats in one scope are numbered.
              TSNode grandparent = depth > 1 ? path[depth - 2] : TSNode{};
              if (kind == NodeKinds::kFunction) name = callback_name(source, parent, grandparent);
              if (name.empty()) name = jsx_attribute_name(source, parent, grandparent);
              if (name.empty()) name = "<anonymous>";
              int seen = ++(scopes.empty() ? top_level_inferred : scopes.back().inferred)[name];
              if (seen > 1) name += "[" + std::to_string(seen) + "]";
            }
            std::string qualified = scopes.empty() ? name : scopes.back().qualified + "." + name;
            int index = -1;
            if (kind == NodeKinds::kFunction) {
              FunctionInfo f;
              f.name = name;
              f.qualified_name = module_prefix + qualified;
              f.start_byte = ts_node_start_byte(node);
              f.end_byte = ts_node_end_byte(node);
              f.start_row = ts_node_start_point(node).row;
              f.end_row = ts_node_end_point(node).row;
              TSNode where = ts_node_is_null(name_node) ? node : name_node;
              f.name_row = ts_node_start_point(where).row;
              f.name_column = ts_node_start_point(where).column;
              f.node = node;
              bool async = false, generator = false;
              read_modifiers(node, &async, &generator);
              f.kind = async ? (generator ? "async_generator" : "async_function")
                             : (generator ? "generator" : "function");
              for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
                if (it->function >= 0) {
                  f.parent = it->function;
                  break;
                }
              index = static_cast<int>(functions.size());
              functions.push_back(std::move(f));
            }
            scopes.push_back({depth, index, std::move(qualified)});
          }
        } else if (kind == NodeKinds::kComment) {
          descend = false;
        }

        return descend;
      },
      [&](uint32_t depth) {
        while (!scopes.empty() && scopes.back().depth == depth) scopes.pop_back();
      });

  IgnoreComments ignore = find_ignore_comments(source, {"//", "/*"});
  if (!ignore.file && !ignore.rows.empty()) {
    // A whole-line `telinject: ignore` before any code, not directly above a function, covers
    // the file.
    uint32_t first_code = UINT32_MAX;
    uint32_t count = ts_node_named_child_count(file.root);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode child = ts_node_named_child(file.root, i);
      if (is(child, "comment") || is(child, "hash_bang_line")) continue;
      first_code = ts_node_start_point(child).row;
      break;
    }
    for (size_t i = 0; i < ignore.rows.size(); ++i) {
      uint32_t row = ignore.rows[i];
      bool above_function =
          std::any_of(functions.begin(), functions.end(),
                      [&](const FunctionInfo& f) { return f.start_row == row + 1; });
      if (row < first_code && ignore.whole_row[i] && !above_function) ignore.file = true;
    }
  }

  // A function whose closing text would go where a nested function ends (`a => b => a + b`,
  // minified `function(){return x=>x}`) is left alone: both closings would be inserted at one
  // offset, in the wrong order. The rule looks only at where functions end, which telemetry
  // does not change, so a second run decides the same.
  // End byte -> the latest start of a function ending there: one starting after `f` and
  // ending at f's closing offset is nested in `f`.
  std::unordered_map<uint32_t, uint32_t> latest_start_ending_at;
  for (const FunctionInfo& f : functions) {
    uint32_t& latest = latest_start_ending_at[f.end_byte];
    latest = std::max(latest, f.start_byte);
  }

  // True when a function starts on the row after `row` (a comment there is that function's).
  auto starts_below = [&](uint32_t row) {
    return std::any_of(functions.begin(), functions.end(),
                       [&](const FunctionInfo& g) { return g.start_row == row + 1; });
  };
  for (size_t i = 0; i < functions.size(); ++i) {
    FunctionInfo& f = functions[i];
    bool opted_out = ignore.file;
    // Also a comment at the start of the body, before its first statement: where formatters
    // move `function f() { // telinject: ignore`.
    uint32_t body_open = UINT32_MAX, body_first = 0;
    TSNode body = ts_node_child_by_field_name(f.node, "body", 4);
    if (!ignore.rows.empty() && !ts_node_is_null(body) && is(body, "statement_block")) {
      body_open = ts_node_start_byte(body);
      body_first = ts_node_end_byte(body);
      uint32_t count = ts_node_named_child_count(body);
      for (uint32_t c = 0; c < count; ++c) {
        TSNode child = ts_node_named_child(body, c);
        if (is(child, "comment")) continue;
        body_first = ts_node_start_byte(child);
        break;
      }
    }
    for (size_t k = 0; k < ignore.rows.size() && !opted_out; ++k) {
      uint32_t row = ignore.rows[k];
      opted_out = row == f.start_row || row == f.name_row ||
                  (ignore.whole_row[k] && row + 1 == f.start_row) ||
                  (ignore.offsets[k] > body_open && ignore.offsets[k] < body_first &&
                   !(ignore.whole_row[k] && starts_below(row)));
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
    BodyLayout layout = body_layout(f.node, is_derived_constructor(source, f.node));
    if (ts_node_is_null(layout.body)) {
      f.state = FunctionState::kSkipped;
      f.reason = "no body";
      continue;
    }
    if (layout.expression || layout.close != 0) {
      uint32_t closing = layout.expression ? ts_node_end_byte(layout.body) : layout.close;
      auto ending = latest_start_ending_at.find(closing);
      if (ending != latest_start_ending_at.end() && ending->second > f.start_byte) {
        f.state = FunctionState::kSkipped;
        f.reason = "a nested function ends where this one's telemetry would close";
        continue;
      }
    }
    if (layout.expression) continue;
    if (layout.close == 0) {
      f.state = FunctionState::kSkipped;
      f.reason = "body has no closing brace";
      continue;
    }
    const LanguageTemplate* found = nullptr;
    size_t marker_at = layout.statements.size();
    for (size_t k = layout.kept_in_front; k < layout.statements.size() && !found; ++k) {
      TSNode statement = layout.statements[k];
      if (!is(statement, "lexical_declaration")) continue;
      std::string_view text = node_text(source, statement);
      for (size_t t = 0; t < known.size(); ++t) {
        const std::string& marker = markers[t];
        if (marker.empty() || known[t].footer.empty()) continue;
        // As written, or as a formatter rewrote it.
        if (text.substr(0, marker.size()) == marker || marker_shapes[t].starts(text)) {
          found = &known[t];
          marker_at = k;
        }
      }
    }
    if (found) {
      bool whole = marker_at + 2 == layout.statements.size() &&
                   is(layout.statements.back(), "try_statement");
      if (whole) {
        f.state = FunctionState::kInstrumented;
        f.profile = found->profile;
      } else {
        f.state = FunctionState::kSkipped;
        f.reason = "telemetry edited by hand (its try block no longer holds the whole body)";
      }
      continue;
    }
    if (layout.statements.size() == layout.kept_in_front) {
      f.state = FunctionState::kSkipped;
      f.reason = layout.kept_in_front == 0 ? "empty body" : "nothing after the prologue";
    }
  }
  return functions;
}

}  // namespace telinject::javascript
