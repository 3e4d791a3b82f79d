#include "javascript/javascript_language.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "javascript/javascript_syntax.h"
#include "javascript/module_system.h"

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

// The anonymous pieces of an import pattern around `{runtime}`: a row is our import when it
// starts with the first and ends with the second, wherever the helper sits.
bool matches_import_pattern(std::string_view row, const std::string& pattern) {
  if (pattern.empty()) return false;
  size_t hole = pattern.find("{runtime}");
  if (hole == std::string::npos) return row == pattern;
  std::string_view before = std::string_view(pattern).substr(0, hole);
  std::string_view after = std::string_view(pattern).substr(hole + 9);
  return row.size() > before.size() + after.size() && row.substr(0, before.size()) == before &&
         row.substr(row.size() - after.size()) == after;
}

bool is_import_row(std::string_view row, const std::vector<LanguageTemplate>& known) {
  return std::any_of(known.begin(), known.end(), [&](const LanguageTemplate& t) {
    return matches_import_pattern(row, t.import_line) ||
           matches_import_pattern(row, t.require_line);
  });
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

Rendered render(const LanguageTemplate& tmpl, const FunctionInfo& f) {
  const bool generator = f.kind == "generator" || f.kind == "async_generator";
  const std::string& pattern =
      generator && !tmpl.generator_header.empty() ? tmpl.generator_header : tmpl.header;
  std::map<std::string, std::string> values = {{"name", js_string_literal(f.qualified_name)},
                                               {"qualname", f.qualified_name},
                                               {"kind", f.kind}};
  return {render_template(pattern, values), render_template(tmpl.footer, values)};
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
    // OpenTelemetry's API directly: a span per call, ended in `finally`. Not made the active
    // span (that needs a callback around the body); the tracer is looked up once per call.
    LanguageTemplate otel;
    otel.profile = "opentelemetry";
    otel.import_line = "import * as _telinject_otel from \"@opentelemetry/api\"; // telinject";
    otel.require_line = "const _telinject_otel = require(\"@opentelemetry/api\"); // telinject";
    otel.header =
        "const _telinject_span = _telinject_otel.trace.getTracer(\"telinject\").startSpan({name}); "
        "try {";
    otel.footer =
        "} catch (_telinject_error) { _telinject_span.setStatus({ code: "
        "_telinject_otel.SpanStatusCode.ERROR }); throw _telinject_error; } finally { "
        "_telinject_span.end(); }";
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

  // "src/util/strings.ts" -> "src/util/strings": the path is what JavaScript programmers know a
  // module by (dots in file names stay; the extension goes).
  std::string module_name(const FileLocation& file) const override {
    const std::filesystem::path& relative = file.relative;
    std::filesystem::path without = relative;
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
    const std::string_view text = source.text();
    const FunctionInfo& f = functions[index];
    if (tmpl.footer.empty()) return make_error("the template has no footer to close its block");
    BodyLayout layout = body_layout(f.node, is_derived_constructor(source, f.node));
    if (ts_node_is_null(layout.body)) return make_error("no body");
    Rendered r = render(tmpl, f);

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
      // `x => EXPR` -> `x => {HEADER return EXPR; FOOTER}`: no space after `{` or before `}`
      // tells this form apart from a block body on removal.
      insert(ts_node_start_byte(layout.body), "{" + r.header + " return ");
      insert(ts_node_end_byte(layout.body), "; " + r.footer + "}");
      return script;
    }
    if (layout.close == 0) return make_error("body has no closing brace");
    if (layout.statements.size() == layout.kept_in_front) return make_error("nothing to wrap");
    uint32_t anchor = layout.open;
    char separator = ' ';
    if (layout.kept_in_front > 0) {
      anchor = ts_node_end_byte(layout.statements[layout.kept_in_front - 1]);
      // A directive or super() call without its `;` gets one, written without a space so that
      // removal can tell it from a `;` that was there.
      if (text[anchor - 1] != ';') separator = ';';
    }
    std::string opening(1, separator);
    opening += r.header;
    insert(anchor, std::move(opening));
    insert(layout.close, r.footer + " ");
    return script;
  }

  std::optional<TextEdit> add_import(const ParsedSource& file,
                                     const LanguageTemplate& tmpl) const override {
    const SourceText& source = file.source;
    for (uint32_t row = 0; row < source.row_count(); ++row) {
      std::string_view text = source.row_text(row);
      if (matches_import_pattern(text, tmpl.import_line) ||
          matches_import_pattern(text, tmpl.require_line))
        return std::nullopt;
    }
    const bool es_module = javascript::is_es_module(file.location);
    const bool use_require =
        !typescript_ && !es_module && !has_module_syntax(file.root) && !tmpl.require_line.empty();
    std::string helper = es_module ? javascript::kModuleHelper : javascript::kCommonJsHelper;
    std::string line =
        render_template(use_require ? tmpl.require_line : tmpl.import_line,
                        {{"runtime", javascript::helper_specifier(file.location, helper)}});

    // After the `#!` line and the directive prologue ("use strict" must stay first), before
    // the first statement.
    uint32_t row = UINT32_MAX;
    uint32_t count = ts_node_named_child_count(file.root);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode child = ts_node_named_child(file.root, i);
      if (is(child, "comment") || is(child, "hash_bang_line")) continue;
      if (is(child, "expression_statement") && ts_node_named_child_count(child) == 1 &&
          is(ts_node_named_child(child, 0), "string")) {
        row = ts_node_end_point(child).row + 1;
        continue;
      }
      if (row == UINT32_MAX) row = ts_node_start_point(child).row;
      break;
    }
    if (row == UINT32_MAX) return std::nullopt;
    if (row >= source.row_count())
      return TextEdit{static_cast<uint32_t>(source.text().size()), 0,
                      source.localize_newlines("\n" + line + "\n")};
    return TextEdit{source.row_start(row), 0, source.localize_newlines(line + "\n")};
  }

  Result<std::vector<TextEdit>> remove(const ParsedSource& file,
                                       const std::vector<FunctionInfo>& functions,
                                       const std::vector<size_t>& selected,
                                       const std::vector<LanguageTemplate>& known) const override {
    const SourceText& source = file.source;
    const std::string_view text = source.text();
    std::vector<bool> chosen(functions.size(), selected.empty());
    for (size_t i : selected) chosen.at(i) = true;
    std::vector<TextEdit> edits;
    size_t remaining = 0;
    for (size_t i = 0; i < functions.size(); ++i) {
      const FunctionInfo& f = functions[i];
      if (f.state != FunctionState::kInstrumented) continue;
      if (!chosen[i]) {
        ++remaining;
        continue;
      }
      auto tmpl = std::find_if(known.begin(), known.end(),
                               [&](const LanguageTemplate& t) { return t.profile == f.profile; });
      if (tmpl == known.end()) return make_error(f.qualified_name + ": unknown profile");
      const std::string footer = render(*tmpl, f).footer;
      auto edited = [&] {
        return make_error(f.qualified_name + " (line " + std::to_string(f.name_row + 1) +
                          "): telemetry was edited by hand; remove it by hand");
      };
      BodyLayout layout = body_layout(f.node, is_derived_constructor(source, f.node));
      if (layout.statements.size() < 2) return edited();
      TSNode declaration = layout.statements[layout.statements.size() - 2];
      TSNode try_statement = layout.statements.back();
      TSNode try_block = ts_node_child_by_field_name(try_statement, "body", 4);
      if (ts_node_is_null(try_block)) return edited();
      const uint32_t declaration_start = ts_node_start_byte(declaration);
      const uint32_t block_open = ts_node_start_byte(try_block);
      const uint32_t block_close = ts_node_end_byte(try_block) - 1;
      const uint32_t try_end = ts_node_end_byte(try_statement);
      const std::string marker = tmpl->marker();
      if (text.substr(declaration_start, marker.size()) != marker) return edited();

      const bool expression_form = is(f.node, "arrow_function") &&
                                   declaration_start == layout.open &&
                                   layout.statements.size() == 2;
      if (expression_form) {
        // {HEADER return EXPR; FOOTER}
        TSNode block_inner = ts_node_named_child(try_block, 0);
        if (ts_node_named_child_count(try_block) != 1 || !is(block_inner, "return_statement") ||
            ts_node_named_child_count(block_inner) != 1)
          return edited();
        TSNode expression = ts_node_named_child(block_inner, 0);
        uint32_t expression_start = ts_node_start_byte(expression);
        uint32_t expression_end = ts_node_end_byte(expression);
        uint32_t body_start = ts_node_start_byte(layout.body);
        uint32_t body_end = ts_node_end_byte(layout.body);
        std::string_view opening = text.substr(body_start, expression_start - body_start);
        if (opening.size() < 9 || opening.substr(opening.size() - 8) != " return " ||
            text.substr(block_open, 1) != "{" || block_open + 1 + 8 != expression_start)
          return edited();
        if (text.substr(expression_end, body_end - expression_end) != "; " + footer + "}")
          return edited();
        edits.push_back({body_start, expression_start - body_start, ""});
        edits.push_back({expression_end, body_end - expression_end, ""});
        continue;
      }
      // Block form: SEP HEADER ... FOOTER ' ' before the body's '}'.
      if (declaration_start == 0 ||
          (text[declaration_start - 1] != ' ' && text[declaration_start - 1] != ';'))
        return edited();
      if (text.substr(block_close, try_end - block_close) != footer ||
          try_end + 1 != layout.close || text[try_end] != ' ')
        return edited();
      edits.push_back({declaration_start - 1, block_open + 1 - (declaration_start - 1), ""});
      edits.push_back({block_close, try_end + 1 - block_close, ""});
    }
    if (remaining == 0) {
      for (uint32_t row = 0; row < source.row_count(); ++row) {
        if (!is_import_row(source.row_text(row), known)) continue;
        uint32_t end = row + 1 < source.row_count() ? source.row_start(row + 1)
                                                    : static_cast<uint32_t>(text.size());
        edits.push_back({source.row_start(row), end - source.row_start(row), ""});
        break;
      }
    }
    return edits;
  }

  std::vector<RuntimeFile> runtime(const FileLocation&) const override {
    // At the root, whatever the file: one helper serves the tree (imports are relative). The
    // ES module re-exports the CommonJS one so both kinds of files share one state.
    return {{javascript::kCommonJsHelper, kJsRuntimeCjs},
            {javascript::kModuleHelper, kJsRuntimeMjs},
            {"telinject_runtime.d.cts", kJsRuntimeDcts},
            {"telinject_runtime.d.mts", kJsRuntimeDmts}};
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
