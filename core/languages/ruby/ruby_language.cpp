#include "ruby/ruby_language.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "ignore_comments.h"
#include "ruby/ruby_project.h"
#include "syntax_tree.h"

extern "C" const TSLanguage* tree_sitter_ruby();

namespace telinject {

extern const std::string_view kRubyRuntime;

namespace {

bool is(TSNode node, const char* type) { return std::strcmp(ts_node_type(node), type) == 0; }

std::string_view node_text(const SourceText& source, TSNode node) {
  uint32_t begin = ts_node_start_byte(node);
  return std::string_view(source.text()).substr(begin, ts_node_end_byte(node) - begin);
}

// `value` as a double-quoted Ruby string literal (no interpolation: `#{`, `#@`, `#$` escaped).
std::string ruby_string_literal(std::string_view value) {
  std::string out = "\"";
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    char next = i + 1 < value.size() ? value[i + 1] : '\0';
    if (c == '#' && (next == '{' || next == '@' || next == '$')) {
      out += "\\#";
      continue;
    }
    switch (c) {
      case '"':
      case '\\':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
  return out + "\"";
}

// Where a method's parts are: its body, the end of what comes before the body on the `def` row
// (the parameters, or the name), its `end` keyword, and whether it is endless (`def f = expr`).
struct Shape {
  TSNode body{};
  TSNode end_keyword{};
  uint32_t header_at = 0;
  bool endless = false;
};

Shape method_shape(TSNode method) {
  Shape shape;
  shape.body = ts_node_child_by_field_name(method, "body", 4);
  TSNode parameters = ts_node_child_by_field_name(method, "parameters", 10);
  TSNode name = ts_node_child_by_field_name(method, "name", 4);
  shape.header_at = ts_node_end_byte(ts_node_is_null(parameters) ? name : parameters);
  uint32_t count = ts_node_child_count(method);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_child(method, i);
    if (ts_node_is_named(child)) continue;
    if (is(child, "=")) shape.endless = true;
    if (is(child, "end")) shape.end_keyword = child;
  }
  return shape;
}

// The statements of a body_statement, comments left out (rescue/else/ensure clauses included).
std::vector<TSNode> statements(TSNode body) {
  std::vector<TSNode> out;
  if (ts_node_is_null(body)) return out;
  uint32_t count = ts_node_named_child_count(body);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(body, i);
    if (!is(child, "comment")) out.push_back(child);
  }
  return out;
}

// An anonymous `*` or `**` parameter: Ruby 3.3.0 rejects its use inside a block.
bool has_anonymous_splat(TSNode method) {
  TSNode parameters = ts_node_child_by_field_name(method, "parameters", 10);
  if (ts_node_is_null(parameters)) return false;
  uint32_t count = ts_node_named_child_count(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode p = ts_node_named_child(parameters, i);
    if ((is(p, "splat_parameter") || is(p, "hash_splat_parameter")) &&
        ts_node_is_null(ts_node_child_by_field_name(p, "name", 4)))
      return true;
  }
  return false;
}

// The telemetry a method carries: what to delete to restore it.
struct Telemetry {
  std::vector<TextEdit> removal;
};

// The telemetry call of an instrumented method, found by a template's marker: nothing when the
// body does not start with one; an error when it does but is no longer laid out as telinject
// inserts it (removing it would not restore the original).
std::optional<Result<Telemetry>> find_telemetry(const SourceText& source, TSNode method,
                                                const std::string& marker) {
  if (marker.empty()) return std::nullopt;
  Shape shape = method_shape(method);
  if (ts_node_is_null(shape.body)) return std::nullopt;
  std::string_view text = source.text();
  auto edited = []() -> std::optional<Result<Telemetry>> {
    return Result<Telemetry>(make_error("telemetry edited by hand"));
  };
  if (shape.endless) {
    TSNode call = shape.body;
    if (!is(call, "call") || node_text(source, call).substr(0, marker.size()) != marker)
      return std::nullopt;
    TSNode block = ts_node_child_by_field_name(call, "block", 5);
    if (ts_node_is_null(block) || !is(block, "block") || ts_node_child_count(block) < 3)
      return edited();
    TSNode open = ts_node_child(block, 0);
    TSNode close = ts_node_child(block, ts_node_child_count(block) - 1);
    uint32_t open_end = ts_node_end_byte(open), close_start = ts_node_start_byte(close);
    if (!is(open, "{") || !is(close, "}") || text.substr(open_end, 1) != " " || close_start == 0 ||
        text.substr(close_start - 1, 1) != " " ||
        !ts_node_is_null(ts_node_child_by_field_name(block, "parameters", 10)))
      return edited();
    uint32_t begin = ts_node_start_byte(call);
    return Result<Telemetry>(
        Telemetry{{{begin, open_end + 1 - begin, ""},
                   {close_start - 1, ts_node_end_byte(call) - close_start + 1, ""}}});
  }
  std::vector<TSNode> body = statements(shape.body);
  if (body.empty() || !is(body.front(), "call") ||
      node_text(source, body.front()).substr(0, marker.size()) != marker)
    return std::nullopt;
  TSNode call = body.front();
  TSNode block = ts_node_child_by_field_name(call, "block", 5);
  if (body.size() != 1 || ts_node_is_null(block) || !is(block, "do_block") ||
      ts_node_is_null(shape.end_keyword) ||
      !ts_node_is_null(ts_node_child_by_field_name(block, "parameters", 10)))
    return edited();
  TSNode do_keyword = ts_node_child(block, 0);
  TSNode block_end = ts_node_child(block, ts_node_child_count(block) - 1);
  uint32_t head_end = ts_node_end_byte(do_keyword);
  std::string_view head = text.substr(shape.header_at, head_end - shape.header_at);
  uint32_t foot = ts_node_start_byte(block_end);
  uint32_t end_at = ts_node_start_byte(shape.end_keyword);
  if (!is(do_keyword, "do") || !is(block_end, "end") || head.substr(0, 2) != "; " ||
      head.find('\n') != std::string_view::npos ||
      ts_node_start_byte(call) != shape.header_at + 2 || ts_node_end_byte(call) + 1 != end_at ||
      text.substr(end_at - 1, 1) != " ")
    return edited();
  return Result<Telemetry>(
      Telemetry{{{shape.header_at, head_end - shape.header_at, ""}, {foot, end_at - foot, ""}}});
}

struct Scope {
  uint32_t depth;
  std::string owner;  // "Shop::Cart"; empty at top level
  bool singleton;     // in `class << self`
  int function;       // innermost enclosing method, -1 outside
};

// `class A::B` inside `module M` -> "M::A::B"; `class ::C` -> "C".
std::string nested_name(const std::string& owner, std::string_view name) {
  if (name.substr(0, 2) == "::") return std::string(name.substr(2));
  return owner.empty() ? std::string(name) : owner + "::" + std::string(name);
}

std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known) {
  const SourceText& source = file.source;
  std::vector<FunctionInfo> functions;
  std::vector<Scope> scopes = {{0, "", false, -1}};
  walk_tree(
      file.root,
      [&](TSNode node, uint32_t depth, const TSTreeCursor*) {
        const Scope& scope = scopes.back();
        if (is(node, "class") || is(node, "module")) {
          TSNode name = ts_node_child_by_field_name(node, "name", 4);
          if (!ts_node_is_null(name))
            scopes.push_back(
                {depth, nested_name(scope.owner, node_text(source, name)), false, scope.function});
          return true;
        }
        if (is(node, "singleton_class")) {
          TSNode value = ts_node_child_by_field_name(node, "value", 5);
          std::string_view object = ts_node_is_null(value) ? "" : node_text(source, value);
          std::string owner = object == "self" ? scope.owner
                              : (!ts_node_is_null(value) &&
                                 (is(value, "constant") || is(value, "scope_resolution")))
                                  ? nested_name(scope.owner, object)
                                  : std::string(object);
          scopes.push_back({depth, owner, true, scope.function});
          return true;
        }
        bool method = is(node, "method");
        if (!method && !is(node, "singleton_method")) return true;
        TSNode name = ts_node_child_by_field_name(node, "name", 4);
        if (ts_node_is_null(name)) return true;
        std::string short_name(node_text(source, name));
        std::string qualified;
        if (method) {
          // As Ruby 3.4 prints them: `Shop::Cart#add`, `Shop::Cart.build`, `Object#main_helper`.
          std::string owner = scope.owner.empty() ? "Object" : scope.owner;
          qualified = owner + (scope.singleton ? "." : "#") + short_name;
        } else {
          TSNode object = ts_node_child_by_field_name(node, "object", 6);
          std::string_view written = node_text(source, object);
          std::string owner = written == "self" ? (scope.owner.empty() ? "main" : scope.owner)
                                                : std::string(written);
          qualified = owner + "." + short_name;
        }
        FunctionInfo f;
        f.name = short_name;
        f.qualified_name = qualified;
        f.kind = "function";
        f.start_byte = ts_node_start_byte(node);
        f.end_byte = ts_node_end_byte(node);
        f.start_row = ts_node_start_point(node).row;
        f.end_row = ts_node_end_point(node).row;
        f.name_row = ts_node_start_point(name).row;
        f.name_column = ts_node_start_point(name).column;
        f.parent = scope.function;
        f.node = node;
        functions.push_back(std::move(f));
        // A `def` inside a method defines on the same class.
        scopes.push_back({depth, scope.owner, scope.singleton, int(functions.size() - 1)});
        return true;
      },
      [&](uint32_t depth) {
        while (scopes.size() > 1 && scopes.back().depth == depth) scopes.pop_back();
      });

  IgnoreComments ignore = find_ignore_comments(source, {"#"});
  if (!ignore.file && !ignore.rows.empty()) {
    // A whole-line `telinject: ignore` before any code, not directly above a method, covers
    // the file.
    uint32_t first_code = UINT32_MAX;
    uint32_t count = ts_node_named_child_count(file.root);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode child = ts_node_named_child(file.root, i);
      if (is(child, "comment")) continue;
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

  std::vector<std::string> markers;
  for (const LanguageTemplate& t : known) markers.push_back(t.marker());
  const bool file_has_error = ts_node_has_error(file.root);
  for (FunctionInfo& f : functions) {
    bool opted_out = ignore.file;
    for (size_t k = 0; k < ignore.rows.size() && !opted_out; ++k) {
      uint32_t row = ignore.rows[k];
      opted_out = row == f.start_row || row == f.name_row ||
                  (ignore.whole_row[k] && row + 1 == f.start_row);
    }
    if (opted_out || (f.parent >= 0 && functions[f.parent].state == FunctionState::kOptedOut)) {
      f.state = FunctionState::kOptedOut;
      f.reason = ignore.file ? "file opted out (telinject: ignore)" : "telinject: ignore";
      continue;
    }
    if (ts_node_has_error(f.node)) {
      f.state = FunctionState::kSkipped;
      f.reason = "syntax error inside the method";
      continue;
    }
    if (file_has_error) {
      // Where the parser recovers, a block added to one method can change how the broken
      // text around it parses, and then `remove` could no longer find it (Ruby does not load
      // the file anyway).
      f.state = FunctionState::kSkipped;
      f.reason = "syntax error in the file";
      continue;
    }
    bool found = false;
    for (size_t t = 0; t < known.size() && !found; ++t) {
      auto telemetry = find_telemetry(source, f.node, markers[t]);
      if (!telemetry) continue;
      found = true;
      if (telemetry->ok()) {
        f.state = FunctionState::kInstrumented;
        f.profile = known[t].profile;
      } else {
        f.state = FunctionState::kSkipped;
        f.reason = telemetry->error() + " (its block no longer holds the whole body as inserted)";
      }
    }
    if (found) continue;
    Shape shape = method_shape(f.node);
    if (ts_node_is_null(shape.body) || (!shape.endless && ts_node_is_null(shape.end_keyword))) {
      f.state = FunctionState::kSkipped;
      f.reason = "empty body";
    } else if (has_anonymous_splat(f.node)) {
      f.state = FunctionState::kSkipped;
      f.reason = "anonymous * or ** parameter (Ruby 3.3.0 rejects its use inside a block)";
    }
  }
  return functions;
}

class RubyLanguage final : public LanguageSupport {
 public:
  RubyLanguage() {
    LanguageTemplate builtin;
    builtin.profile = "builtin";
    builtin.import_line = "require_relative \"{runtime}\"";
    builtin.header = "Telinject.span({name}, {file}, {line}) do";
    builtin.footer = "end";
    // Endless methods (`def f = expr`) take a brace block: the body stays one expression.
    builtin.generator_header = "Telinject.span({name}, {file}, {line}) {";
    builtin.generator_footer = "}";
    builtin.needs_runtime = true;
    templates_.push_back(builtin);
  }

  std::string_view name() const override { return "ruby"; }
  const std::vector<std::string>& extensions() const override { return extensions_; }
  bool accepts_interpreter(std::string_view interpreter) const override {
    return interpreter == "ruby" || interpreter.substr(0, 5) == "ruby3" ||
           interpreter.substr(0, 5) == "ruby2";
  }
  const TSLanguage* grammar() const override { return tree_sitter_ruby(); }
  const std::vector<LanguageTemplate>& builtin_templates() const override { return templates_; }

  // Ruby names methods by the constant path of their class or module (the file's text alone).
  std::string module_name(const FileLocation&) const override { return ""; }

  std::vector<FunctionInfo> extract(const ParsedSource& file,
                                    const std::vector<LanguageTemplate>& known) const override {
    return extract_functions(file, known);
  }

  std::string script_context(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                             size_t index, const std::vector<size_t>&) const override {
    return "file " + ruby::path_in_project(file.location) + " line " +
           std::to_string(functions[index].start_row + 1);
  }

  Result<InsertionScript> instrument(const ParsedSource& file,
                                     const std::vector<FunctionInfo>& functions, size_t index,
                                     const LanguageTemplate& tmpl,
                                     const std::vector<size_t>&) const override {
    const SourceText& source = file.source;
    const FunctionInfo& f = functions[index];
    Shape shape = method_shape(f.node);
    if (ts_node_is_null(shape.body)) return make_error("empty body");
    if (tmpl.footer.empty()) return make_error("the template has no footer to close its block");
    bool braces = shape.endless && !tmpl.generator_header.empty();
    std::map<std::string, std::string> values = {
        {"name", ruby_string_literal(f.qualified_name)},
        {"qualname", f.qualified_name},
        {"kind", f.kind},
        {"file", ruby_string_literal(ruby::path_in_project(file.location))},
        {"line", std::to_string(f.start_row + 1)}};
    std::string header = render_template(braces ? tmpl.generator_header : tmpl.header, values);
    std::string footer = render_template(
        braces && !tmpl.generator_footer.empty() ? tmpl.generator_footer : tmpl.footer, values);

    InsertionScript script;
    script.language = "ruby";
    script.function_name = f.name;
    script.qualified_name = f.qualified_name;
    script.profile = tmpl.profile;
    auto insert = [&](uint32_t offset, std::string text) {
      uint32_t row = source.row_of(offset);
      script.insertions.push_back(
          {row - f.start_row, offset - source.row_start(row), std::move(text)});
    };
    if (shape.endless) {
      // `def f(x) = expr` -> `def f(x) = Telinject.span(...) { expr }`.
      insert(ts_node_start_byte(shape.body), header + " ");
      insert(ts_node_end_byte(shape.body), " " + footer);
      return script;
    }
    if (ts_node_is_null(shape.end_keyword)) return make_error("no `end`");
    // On the row where the parameters end, and in front of the method's `end` on its row.
    insert(shape.header_at, "; " + header);
    insert(ts_node_start_byte(shape.end_keyword), footer + " ");
    return script;
  }

  std::optional<TextEdit> add_import(const ParsedSource& file,
                                     const LanguageTemplate& tmpl) const override {
    if (tmpl.import_line.empty()) return std::nullopt;
    std::string line = import_text(file, tmpl);
    if (find_import(file, line)) return std::nullopt;
    // In front of the first statement, on its row: every line keeps its number, and the magic
    // comments above (`# frozen_string_literal: true`) stay first.
    uint32_t count = ts_node_named_child_count(file.root);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode child = ts_node_named_child(file.root, i);
      if (is(child, "comment")) continue;
      if (is(child, "uninterpreted")) return std::nullopt;  // __END__ first
      return TextEdit{ts_node_start_byte(child), 0, line + "; "};
    }
    return std::nullopt;
  }

  Result<std::vector<TextEdit>> remove(const ParsedSource& file,
                                       const std::vector<FunctionInfo>& functions,
                                       const std::vector<size_t>& selected,
                                       const std::vector<LanguageTemplate>& known) const override {
    std::vector<TextEdit> edits;
    size_t remaining = 0;
    for (size_t i : telemetry_to_remove(functions, selected, &remaining)) {
      const FunctionInfo& f = functions[i];
      auto tmpl = std::find_if(known.begin(), known.end(),
                               [&](const LanguageTemplate& t) { return t.profile == f.profile; });
      if (tmpl == known.end()) return make_error(f.qualified_name + ": unknown profile");
      auto telemetry = find_telemetry(file.source, f.node, tmpl->marker());
      if (!telemetry || !telemetry->ok())
        return make_error(f.qualified_name + " (line " + std::to_string(f.name_row + 1) +
                          "): telemetry was edited by hand; remove it by hand");
      edits.insert(edits.end(), (*telemetry)->removal.begin(), (*telemetry)->removal.end());
    }
    if (remaining == 0) {
      for (const LanguageTemplate& t : known) {
        if (t.import_line.empty()) continue;
        if (auto at = find_import(file, import_text(file, t))) {
          edits.push_back(*at);
          break;
        }
      }
    }
    return edits;
  }

  std::vector<RuntimeFile> runtime(const FileLocation& file) const override {
    return {{ruby::helper_file(file), kRubyRuntime}};
  }

  std::vector<std::string> checker_command(const std::filesystem::path& file) const override {
    return {"sh", "-c", "command -v ruby >/dev/null || exit 127; ruby -c \"$1\" >/dev/null", "sh",
            file.string()};
  }

 private:
  static std::string import_text(const ParsedSource& file, const LanguageTemplate& tmpl) {
    return render_template(tmpl.import_line,
                           {{"runtime", ruby::helper_require_path(file.location)}});
  }

  // The import as add_import puts it (a top-level statement followed by "; "): the edit that
  // takes it out, or nothing.
  static std::optional<TextEdit> find_import(const ParsedSource& file, const std::string& line) {
    std::string_view text = file.source.text();
    uint32_t count = ts_node_named_child_count(file.root);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode child = ts_node_named_child(file.root, i);
      uint32_t begin = ts_node_start_byte(child);
      if (node_text(file.source, child) == line && text.substr(begin + line.size(), 2) == "; ")
        return TextEdit{begin, static_cast<uint32_t>(line.size() + 2), ""};
    }
    return std::nullopt;
  }

  std::vector<std::string> extensions_ = {".rb", ".rake"};
  std::vector<LanguageTemplate> templates_;
};

}  // namespace

const LanguageSupport& ruby_language() {
  static const RubyLanguage language;
  return language;
}

}  // namespace telinject
