#include "javascript/javascript_language.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "javascript/javascript_syntax.h"
#include "javascript/module_system.h"
#include "javascript/telemetry_removal.h"
#include "javascript/telemetry_shape.h"

extern "C" const TSLanguage* tree_sitter_javascript();
extern "C" const TSLanguage* tree_sitter_typescript();
extern "C" const TSLanguage* tree_sitter_tsx();

namespace telinject {

extern const std::string_view kJsRuntimeCjs;
extern const std::string_view kJsRuntimeMjs;
extern const std::string_view kJsRuntimeDcts;
extern const std::string_view kJsRuntimeDmts;

namespace {

using javascript::body_layout;
using javascript::BodyLayout;
using javascript::is;
using javascript::is_derived_constructor;
using javascript::node_text;

std::string js_string_literal(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

// The import as inserted: the template's line without a trailing `//` comment and ending with
// `;` (it shares the line of the file's first statement, so that no line moves).
std::string inline_import(std::string line) {
  size_t comment = line.rfind("//");
  if (comment != std::string::npos && line.find('"', comment) == std::string::npos &&
      line.find('\'', comment) == std::string::npos) {
    line.erase(comment);
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
  // Code follows on the same line: a statement without its `;` would run into it.
  if (!line.empty() && line.back() != ';') line.push_back(';');
  return line;
}

// The first top-level statement after the `#!` line, comments and the directive prologue:
// where the import goes (in front of it, on its line). Null when there is none.
TSNode first_statement(TSNode root) {
  uint32_t count = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(root, i);
    if (is(child, "comment") || is(child, "hash_bang_line")) continue;
    if (is(child, "expression_statement") && ts_node_named_child_count(child) == 1 &&
        is(ts_node_named_child(child, 0), "string"))
      continue;
    return child;
  }
  return TSNode{};
}

// True when the file is written with `import`/`export` (an ES module by syntax, even where
// package.json says CommonJS: sources for bundlers and Babel).
bool has_module_syntax(TSNode root) {
  uint32_t count = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(root, i);
    if (is(child, "import_statement") || is(child, "export_statement")) return true;
  }
  return false;
}

struct Rendered {
  std::string header;
  std::string footer;
};

// `{file}` is the path below the package root (the same wherever the tree is checked out, so
// output is deterministic), `{line}` the function's first line, which telinject never moves.
// `{async}` and `{await}` are "async " and "await " in async functions and empty elsewhere.
Rendered render(const LanguageTemplate& tmpl, const FunctionInfo& f, const FileLocation& file) {
  const bool generator = f.kind == "generator" || f.kind == "async_generator";
  const bool async = f.kind == "async_function";
  const std::string& header =
      generator && !tmpl.generator_header.empty() ? tmpl.generator_header : tmpl.header;
  const std::string& footer =
      generator && !tmpl.generator_footer.empty() ? tmpl.generator_footer : tmpl.footer;
  std::map<std::string, std::string> values = {
      {"name", js_string_literal(f.qualified_name)},
      {"qualname", f.qualified_name},
      {"kind", f.kind},
      {"file", js_string_literal(javascript::path_in_package(file).generic_string())},
      {"line", std::to_string(f.start_row + 1)},
      {"async", async ? "async " : ""},
      {"await", async ? "await " : ""}};
  return {render_template(header, values), render_template(footer, values)};
}

bool is_function_node(TSNode node) {
  const char* type = ts_node_type(node);
  for (const char* kind :
       {"function_declaration", "function_expression", "function", "arrow_function",
        "method_definition", "generator_function", "generator_function_declaration", "class_body"})
    if (std::strcmp(type, kind) == 0) return true;
  return false;
}

// The identifiers a parameter list or a binding pattern binds (default values included: more
// names only make the check below more careful).
void bound_names(const SourceText& source, TSNode node, std::set<std::string>* out) {
  const char* type = ts_node_type(node);
  if (std::strcmp(type, "identifier") == 0 ||
      std::strcmp(type, "shorthand_property_identifier_pattern") == 0) {
    out->insert(std::string(javascript::node_text(source, node)));
    return;
  }
  uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) bound_names(source, ts_node_named_child(node, i), out);
}

// The first name a `var` in `node` (outside nested functions) declares that is in `parameters`.
std::string var_named_like(const SourceText& source, TSNode node,
                           const std::set<std::string>& parameters) {
  uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(node, i);
    if (is_function_node(child)) continue;
    if (std::strcmp(ts_node_type(child), "variable_declarator") == 0 &&
        std::strcmp(ts_node_type(node), "variable_declaration") == 0) {
      std::set<std::string> names;
      bound_names(source, ts_node_child_by_field_name(child, "name", 4), &names);
      for (const std::string& name : names)
        if (parameters.count(name)) return name;
    }
    std::string found = var_named_like(source, child, parameters);
    if (!found.empty()) return found;
  }
  return "";
}

// A header that goes on inside the try block wraps the body in an arrow: a `var` there naming a
// parameter would start out undefined instead of holding the argument (`var x = x || 1`). The
// name of such a parameter, or "".
std::string parameter_a_callback_would_hide(const SourceText& source, TSNode function,
                                            TSNode body) {
  std::set<std::string> parameters;
  for (const char* field : {"parameters", "parameter"}) {
    TSNode list =
        ts_node_child_by_field_name(function, field, static_cast<uint32_t>(std::strlen(field)));
    if (!ts_node_is_null(list)) bound_names(source, list, &parameters);
  }
  if (parameters.empty()) return "";
  return var_named_like(source, body, parameters);
}

class JavascriptLanguage final : public LanguageSupport {
 public:
  JavascriptLanguage(std::string name, std::vector<std::string> extensions,
                     const TSLanguage* grammar, bool typescript)
      : name_(std::move(name)),
        extensions_(std::move(extensions)),
        grammar_(grammar),
        typescript_(typescript),
        kinds_(grammar) {
    LanguageTemplate builtin;
    builtin.profile = "builtin";
    builtin.import_line = "import * as _telinject from \"{runtime}\"; // telinject";
    builtin.require_line = "const _telinject = require(\"{runtime}\"); // telinject";
    builtin.header = "const _telinject_span = _telinject.enter({name}, \"{kind}\"); try {";
    builtin.footer =
        "} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw "
        "_telinject_error; } finally { _telinject_span.exit(); }";
    builtin.needs_runtime = true;
    templates_.push_back(builtin);
    // OpenTelemetry's API directly: a span per call with the code.* attributes, made the active
    // span around the body (context.with over a callback holding the body, so spans started
    // inside, by telinject or anyone, are its children; across `await` too where the context
    // manager follows async calls), ended in `finally`; a throw is recorded as an exception
    // event and an error status. Generators cannot `yield` from a callback: their span is
    // started with the active context as parent but not made active.
    LanguageTemplate otel;
    otel.profile = "opentelemetry";
    otel.import_line = "import * as _telinject_otel from \"@opentelemetry/api\"; // telinject";
    otel.require_line = "const _telinject_otel = require(\"@opentelemetry/api\"); // telinject";
    const std::string start =
        "const _telinject_span = _telinject_otel.trace.getTracer(\"telinject\").startSpan({name}, "
        "{ attributes: { \"code.function.name\": {name}, \"code.file.path\": {file}, "
        "\"code.line.number\": {line} } }); try {";
    otel.header = start +
                  " return {await}_telinject_otel.context.with(_telinject_otel.trace.setSpan("
                  "_telinject_otel.context.active(), _telinject_span), {async}() => {";
    otel.generator_header = start;
    const std::string handlers =
        " catch (_telinject_error) { _telinject_span.recordException(_telinject_error "
        "instanceof Error ? _telinject_error : String(_telinject_error)); "
        "_telinject_span.setStatus({ code: _telinject_otel.SpanStatusCode.ERROR }); throw "
        "_telinject_error; } finally { _telinject_span.end(); }";
    otel.footer = "}); }" + handlers;
    otel.generator_footer = "}" + handlers;
    templates_.push_back(otel);
  }

  std::string_view name() const override { return name_; }
  const std::vector<std::string>& extensions() const override { return extensions_; }
  bool accepts_interpreter(std::string_view interpreter) const override {
    if (typescript_) return interpreter == "ts-node" || interpreter == "tsx";
    return interpreter == "node" || interpreter == "nodejs";
  }
  const TSLanguage* grammar() const override { return grammar_; }
  const std::vector<LanguageTemplate>& builtin_templates() const override { return templates_; }

  // "src/util/strings.ts" -> "src/util/strings": the path below the package root is what
  // JavaScript programmers know a module by (dots in file names stay; the extension goes). The
  // package root is found on disk, so the name is the same whatever root telinject was given.
  std::string module_name(const FileLocation& file) const override {
    std::filesystem::path without = javascript::path_in_package(file);
    without.replace_extension();
    std::string out = without.generic_string();
    if (out.rfind("./", 0) == 0) out = out.substr(2);
    return out;
  }

  std::vector<FunctionInfo> extract(const ParsedSource& file,
                                    const std::vector<LanguageTemplate>& known) const override {
    return javascript::extract_functions(file, known, kinds_);
  }

  std::string script_context(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                             size_t index, const std::vector<size_t>&) const override {
    // Only whether the class around a constructor extends another changes the script.
    return is_derived_constructor(file.source, functions[index].node) ? "derived" : "";
  }

  Result<InsertionScript> instrument(const ParsedSource& file,
                                     const std::vector<FunctionInfo>& functions, size_t index,
                                     const LanguageTemplate& tmpl,
                                     const std::vector<size_t>&) const override {
    const SourceText& source = file.source;
    const FunctionInfo& f = functions[index];
    if (tmpl.footer.empty()) return make_error("the template has no footer to close its block");
    BodyLayout layout = body_layout(f.node, is_derived_constructor(source, f.node));
    if (ts_node_is_null(layout.body)) return make_error("no body");
    Rendered r = render(tmpl, f, file.location);
    if (javascript::header_tail(r.header) != " try {") {
      std::string hidden = parameter_a_callback_would_hide(source, f.node, layout.body);
      if (!hidden.empty())
        return make_error("`var " + hidden + "` redeclares a parameter; the " + tmpl.profile +
                          " profile's callback around the body would hide the argument");
    }

    InsertionScript script;
    script.language = name_;
    script.function_name = f.name;
    script.qualified_name = f.qualified_name;
    script.profile = tmpl.profile;
    auto insert = [&](uint32_t offset, std::string insertion) {
      uint32_t row = source.row_of(offset);
      script.insertions.push_back(
          {row - f.start_row, offset - source.row_start(row), std::move(insertion)});
    };

    if (layout.expression) {
      // `x => EXPR` -> `x => {MARK HEADER return EXPR; FOOTER}`: the mark comment survives
      // formatters, so removal can give the expression body back even after one.
      insert(ts_node_start_byte(layout.body),
             "{" + std::string(javascript::kExpressionMark) + " " + r.header + " return ");
      insert(ts_node_end_byte(layout.body), "; " + r.footer + "}");
      return script;
    }
    if (layout.close == 0) return make_error("body has no closing brace");
    if (layout.statements.size() == layout.kept_in_front) return make_error("nothing to wrap");
    if (layout.kept_in_front > 0) {
      // In front of the first wrapped statement rather than after the directive or super(...):
      // the blank lines and comments between them stay where a formatter keeps them.
      insert(ts_node_start_byte(layout.statements[layout.kept_in_front]), r.header + " ");
    } else {
      insert(layout.open, " " + r.header);
    }
    insert(layout.close, r.footer + " ");
    return script;
  }

  std::optional<TextEdit> add_import(const ParsedSource& file,
                                     const LanguageTemplate& tmpl) const override {
    const SourceText& source = file.source;
    if (!ts_node_is_null(javascript::find_template_import(source, file.root, {tmpl})))
      return std::nullopt;
    // In front of the first statement, on its line: every line keeps its number, so stack
    // traces and records agree with the source in version control.
    TSNode first = first_statement(file.root);
    if (ts_node_is_null(first)) return std::nullopt;
    const bool es_module = javascript::is_es_module(file.location);
    const bool use_require =
        !typescript_ && !es_module && !has_module_syntax(file.root) && !tmpl.require_line.empty();
    std::string helper = es_module ? javascript::kModuleHelper : javascript::kCommonJsHelper;
    std::string line =
        render_template(use_require ? tmpl.require_line : tmpl.import_line,
                        {{"runtime", javascript::helper_specifier(file.location, helper)}});
    return TextEdit{ts_node_start_byte(first), 0, inline_import(line) + " "};
  }

  Result<std::vector<TextEdit>> remove(const ParsedSource& file,
                                       const std::vector<FunctionInfo>& functions,
                                       const std::vector<size_t>& selected,
                                       const std::vector<LanguageTemplate>& known) const override {
    const SourceText& source = file.source;
    std::vector<TextEdit> edits;
    size_t remaining = 0;
    for (size_t i : telemetry_to_remove(functions, selected, &remaining)) {
      const FunctionInfo& f = functions[i];
      auto tmpl = std::find_if(known.begin(), known.end(),
                               [&](const LanguageTemplate& t) { return t.profile == f.profile; });
      if (tmpl == known.end()) return make_error(f.qualified_name + ": unknown profile");
      Rendered r = render(*tmpl, f, file.location);
      BodyLayout layout = body_layout(f.node, is_derived_constructor(source, f.node));
      auto removal = javascript::telemetry_removal(source, f, layout, {*tmpl, r.header, r.footer});
      if (!removal)
        return make_error(f.qualified_name + " (line " + std::to_string(f.name_row + 1) +
                          "): telemetry was edited by hand; remove it by hand");
      edits.insert(edits.end(), removal->begin(), removal->end());
    }
    if (remaining == 0) {
      std::vector<TextEdit> import = javascript::import_removal(source, file.root, known);
      edits.insert(edits.end(), import.begin(), import.end());
    }
    return edits;
  }

  std::vector<RuntimeFile> runtime(const FileLocation& file) const override {
    // At the package root, whatever the file and the root given: one helper serves the package
    // and ships with it (imports are relative). The ES module re-exports the CommonJS one so
    // both kinds of files share one state; copies in several packages share it too.
    using javascript::helper_path;
    return {{helper_path(file, javascript::kCommonJsHelper), kJsRuntimeCjs},
            {helper_path(file, javascript::kModuleHelper), kJsRuntimeMjs},
            {helper_path(file, "telinject_runtime.d.cts"), kJsRuntimeDcts},
            {helper_path(file, "telinject_runtime.d.mts"), kJsRuntimeDmts}};
  }

  std::vector<std::string> checker_command(const std::filesystem::path& file) const override {
    // TypeScript: no checker of its own is assumed on the machine (tsc needs the project's
    // tsconfig and types to say anything true about one file); the re-parse still validates.
    if (typescript_) return {};
    std::string extension = file.extension().string();
    if (extension == ".jsx") return {};  // node does not read JSX
    return {"node", "--check", file.string()};
  }

 private:
  std::string name_;
  std::vector<std::string> extensions_;
  const TSLanguage* grammar_;
  bool typescript_;
  javascript::NodeKinds kinds_;
  std::vector<LanguageTemplate> templates_;
};

}  // namespace

const LanguageSupport& javascript_language() {
  static const JavascriptLanguage language("javascript", {".js", ".mjs", ".cjs", ".jsx"},
                                           tree_sitter_javascript(), false);
  return language;
}

const LanguageSupport& typescript_language() {
  static const JavascriptLanguage language("typescript", {".ts", ".mts", ".cts"},
                                           tree_sitter_typescript(), true);
  return language;
}

const LanguageSupport& tsx_language() {
  static const JavascriptLanguage language("tsx", {".tsx"}, tree_sitter_tsx(), true);
  return language;
}

}  // namespace telinject
