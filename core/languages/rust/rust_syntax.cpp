#include "rust/rust_syntax.h"

#include <cctype>

#include "ignore_comments.h"
#include "syntax_tree.h"

namespace telinject::rust {
namespace {

enum class ScopeKind : uint8_t { kModule, kType, kFunction };

struct Scope {
  uint32_t depth;
  ScopeKind kind;
  std::string path;   // what names inside start with
  int function = -1;  // index into the result, for kFunction
};

std::string joined(const std::string& prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return prefix + "::" + std::string(name);
}

bool is_primitive(std::string_view type) {
  static constexpr std::string_view kPrimitives[] = {"bool", "char", "str",   "u8",  "u16", "u32",
                                                     "u64",  "u128", "usize", "i8",  "i16", "i32",
                                                     "i64",  "i128", "isize", "f32", "f64"};
  for (std::string_view primitive : kPrimitives)
    if (type == primitive) return true;
  return false;
}

// The path an impl's type is named by: inside the enclosing module unless it is a primitive,
// a reference, slice, tuple, pointer or trait object (named as written).
std::string qualified_type(const std::string& prefix, const std::string& type) {
  if (type.empty()) return prefix;
  unsigned char first = static_cast<unsigned char>(type[0]);
  if (!(std::isalpha(first) || first == '_') || is_primitive(type) || type.rfind("dyn ", 0) == 0)
    return type;
  return joined(prefix, type);
}

bool has_modifier(const SourceText& source, TSNode function, std::string_view keyword) {
  uint32_t count = ts_node_child_count(function);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_child(function, i);
    if (!is(child, "function_modifiers")) continue;
    uint32_t modifiers = ts_node_child_count(child);
    for (uint32_t k = 0; k < modifiers; ++k)
      if (node_text(source, ts_node_child(child, k)) == keyword) return true;
  }
  return false;
}

// The first row of a definition with the attributes right above it (`#[test]`): an opt-out
// comment above them applies to it.
uint32_t first_row_with_attributes(TSNode node) {
  uint32_t row = ts_node_start_point(node).row;
  for (TSNode previous = ts_node_prev_named_sibling(node);
       !ts_node_is_null(previous) && is(previous, "attribute_item");
       previous = ts_node_prev_named_sibling(previous))
    row = ts_node_start_point(previous).row;
  return row;
}

// clippy's non_canonical_partial_ord_impl and non_canonical_clone_impl (warned by default) want
// `partial_cmp` and `clone` of some impls to be exactly one expression (`Some(self.cmp(other))`,
// `*self`): a guard before it would add a warning, so such one-expression bodies are left alone.
bool clippy_canonical_body(const SourceText& source, TSNode function, TSNode body) {
  TSNode name = ts_node_child_by_field_name(function, "name", 4);
  TSNode list = ts_node_parent(function);
  TSNode impl = ts_node_is_null(list) ? TSNode{} : ts_node_parent(list);
  if (ts_node_is_null(name) || ts_node_is_null(impl) || !is(impl, "impl_item")) return false;
  TSNode trait = ts_node_child_by_field_name(impl, "trait", 5);
  if (ts_node_is_null(trait)) return false;
  std::string trait_name = simplified_type(node_text(source, trait));
  std::string_view method = node_text(source, name);
  auto ends_with = [&](std::string_view suffix) {
    return trait_name.size() >= suffix.size() &&
           trait_name.compare(trait_name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (!((method == "partial_cmp" && ends_with("PartialOrd")) ||
        (method == "clone" && ends_with("Clone"))))
    return false;
  uint32_t code = 0;
  uint32_t count = ts_node_named_child_count(body);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(body, i);
    if (is(child, "line_comment") || is(child, "block_comment")) continue;
    if (is(child, "expression_statement") || is(child, "let_declaration")) return false;
    ++code;
  }
  return code == 1;
}

}  // namespace

std::string rust_string_literal(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

TSNode function_body(TSNode function) {
  TSNode body = ts_node_child_by_field_name(function, "body", 4);
  if (ts_node_is_null(body) || !is(body, "block")) return TSNode{};
  return body;
}

TSNode opening_brace(TSNode block) {
  uint32_t count = ts_node_child_count(block);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_child(block, i);
    if (is(child, "{")) return child;
  }
  return TSNode{};
}

std::string simplified_type(std::string_view type) {
  std::string out;
  int angle = 0;
  bool blank = false;
  for (size_t i = 0; i < type.size(); ++i) {
    char c = type[i];
    if (c == '<') {
      ++angle;
      continue;
    }
    if (c == '>' && angle > 0 && (i == 0 || type[i - 1] != '-')) {  // not `->`
      --angle;
      continue;
    }
    if (angle > 0) continue;
    if (c == '\'') {  // a lifetime: skip it and the blank after it
      while (i + 1 < type.size() &&
             (std::isalnum(static_cast<unsigned char>(type[i + 1])) || type[i + 1] == '_'))
        ++i;
      while (i + 1 < type.size() && std::isspace(static_cast<unsigned char>(type[i + 1]))) ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      blank = !out.empty();
      continue;
    }
    if (blank) out.push_back(' ');
    blank = false;
    out.push_back(c);
  }
  return out;
}

std::optional<Result<Telemetry>> find_telemetry(const SourceText& source, TSNode body,
                                                const std::string& marker) {
  if (marker.empty() || ts_node_is_null(body)) return std::nullopt;
  TSNode brace = opening_brace(body);
  if (ts_node_is_null(brace)) return std::nullopt;
  const std::string& text = source.text();
  uint32_t open = ts_node_start_byte(brace);
  uint32_t count = ts_node_named_child_count(body);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode statement = ts_node_named_child(body, i);
    if (node_text(source, statement).substr(0, marker.size()) != marker) continue;
    // `{ let _telinject_span = ...;` as inserted: one blank after the brace, first statement.
    if (i != 0 || !is(statement, "let_declaration") || ts_node_start_byte(statement) != open + 2 ||
        text[open + 1] != ' ')
      return make_error("telemetry edited by hand (not laid out as telinject inserts it)");
    return Telemetry{open + 1, ts_node_end_byte(statement)};
  }
  return std::nullopt;
}

std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known,
                                            const FileContext& context) {
  const SourceText& source = file.source;
  std::vector<FunctionInfo> functions;
  std::vector<uint32_t> first_rows;  // per function: its row with the attributes above it
  std::vector<Scope> scopes;
  scopes.push_back({0, ScopeKind::kModule, context.prefix});

  walk_tree(
      file.root,
      [&](TSNode node, uint32_t depth, const TSTreeCursor*) {
        bool descend = ts_node_child_count(node) > 0;
        const Scope& parent = scopes.back();
        std::string_view type = ts_node_type(node);
        if (type == "mod_item" || type == "trait_item" || type == "impl_item") {
          std::string path;
          if (type == "impl_item") {
            TSNode self = ts_node_child_by_field_name(node, "type", 4);
            TSNode trait = ts_node_child_by_field_name(node, "trait", 5);
            std::string self_name =
                ts_node_is_null(self) ? "" : simplified_type(node_text(source, self));
            path = qualified_type(parent.path, self_name);
            if (!ts_node_is_null(trait))
              path = "<" + path + " as " + simplified_type(node_text(source, trait)) + ">";
          } else {
            TSNode name = ts_node_child_by_field_name(node, "name", 4);
            if (ts_node_is_null(name)) return descend;
            path = joined(parent.path, node_text(source, name));
          }
          scopes.push_back(
              {depth, type == "mod_item" ? ScopeKind::kModule : ScopeKind::kType, path});
          return descend;
        }
        bool closure = type == "closure_expression";
        if (type != "function_item" && !closure) return descend;
        FunctionInfo f;
        if (closure) {
          f.name = "{{closure}}";
          f.kind = "closure";
          f.name_row = ts_node_start_point(node).row;
          f.name_column = ts_node_start_point(node).column;
        } else {
          TSNode name = ts_node_child_by_field_name(node, "name", 4);
          // Error recovery can leave an item without its name: not a function to name.
          if (ts_node_is_null(name)) return descend;
          f.name = std::string(node_text(source, name));
          f.kind = parent.kind == ScopeKind::kType       ? "method"
                   : has_modifier(source, node, "async") ? "async_function"
                                                         : "function";
          if (f.kind == "method" && has_modifier(source, node, "async")) f.kind = "async_method";
          f.name_row = ts_node_start_point(name).row;
          f.name_column = ts_node_start_point(name).column;
        }
        f.qualified_name = joined(parent.path, f.name);
        f.start_byte = ts_node_start_byte(node);
        f.end_byte = ts_node_end_byte(node);
        f.start_row = ts_node_start_point(node).row;
        f.end_row = ts_node_end_point(node).row;
        f.node = node;
        for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
          if (it->kind == ScopeKind::kFunction) {
            f.parent = it->function;
            break;
          }
        int index = static_cast<int>(functions.size());
        first_rows.push_back(closure ? f.start_row : first_row_with_attributes(node));
        functions.push_back(std::move(f));
        scopes.push_back({depth, ScopeKind::kFunction, functions.back().qualified_name, index});
        return descend;
      },
      [&](uint32_t depth) {
        while (scopes.size() > 1 && scopes.back().depth == depth) scopes.pop_back();
      });

  IgnoreComments ignore = find_ignore_comments(source, {"//", "/*"});
  for (size_t i = 0; i < functions.size(); ++i) {
    FunctionInfo& f = functions[i];
    const FunctionInfo* parent = f.parent >= 0 ? &functions[f.parent] : nullptr;
    bool opted_out = ignore.file;
    for (size_t k = 0; k < ignore.rows.size() && !opted_out; ++k) {
      uint32_t row = ignore.rows[k];
      opted_out = row == f.start_row || row == first_rows[i] ||
                  (ignore.whole_row[k] && row + 1 == first_rows[i]);
    }
    if (opted_out || (parent && parent->state == FunctionState::kOptedOut)) {
      f.state = FunctionState::kOptedOut;
      f.reason = ignore.file ? "file opted out (telinject: ignore)" : "telinject: ignore";
      continue;
    }
    if (ts_node_has_error(f.node)) {
      f.state = FunctionState::kSkipped;
      f.reason = "syntax error inside the function";
      continue;
    }
    TSNode body = function_body(f.node);
    if (ts_node_is_null(body)) {
      f.state = FunctionState::kSkipped;
      f.reason = "closure without a block body";
      continue;
    }
    bool decided = false;
    for (const LanguageTemplate& t : known) {
      auto telemetry = find_telemetry(source, body, t.marker());
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
    if (!context.skip_reason.empty()) {
      f.state = FunctionState::kSkipped;
      f.reason = context.skip_reason;
    } else if (f.kind != "closure" && has_modifier(source, f.node, "const")) {
      f.state = FunctionState::kSkipped;
      f.reason = "const fn (a span guard is not const)";
    } else if (parent && parent->kind != "closure" && has_modifier(source, parent->node, "const")) {
      f.state = FunctionState::kSkipped;
      f.reason = "closure inside a const fn";
    } else if (f.kind == "method" && clippy_canonical_body(source, f.node, body)) {
      f.state = FunctionState::kSkipped;
      f.reason = "one-expression partial_cmp or clone that clippy wants canonical";
    } else if (f.kind == "closure" && !parent) {
      f.state = FunctionState::kSkipped;
      f.reason = "closure outside a function (a const or static initialiser)";
    }
  }
  return functions;
}

}  // namespace telinject::rust
