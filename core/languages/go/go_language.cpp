#include "go/go_language.h"

#include <algorithm>

#include "go/go_imports.h"
#include "go/go_module.h"
#include "go/go_syntax.h"

extern "C" const TSLanguage* tree_sitter_go();

namespace telinject {

extern const std::string_view kGoRuntime;
extern const std::string_view kGoOtlpRuntime;
extern const std::string_view kGoGoroutineGc;
extern const std::string_view kGoGoroutineOther;
extern const std::string_view kGoGoroutineAmd64;
extern const std::string_view kGoGoroutineArm64;

namespace {

using go::Body;
using go::function_body;

const LanguageTemplate* template_of(const std::vector<LanguageTemplate>& known,
                                    const std::string& profile) {
  for (const LanguageTemplate& t : known)
    if (t.profile == profile) return &t;
  return nullptr;
}

// OpenTelemetry's Go API directly (go.opentelemetry.io/otel, no helper): a span from
// otel.Tracer per call, started from the function's context.Context parameter when it has one
// (which then carries the span to the callees it is passed to, so that they nest) or from a
// background context, with the code.* attributes; a panic sets the status to error and passes
// on, and the SDK's End, deferred, records it as an exception event. One import declaration per
// package (aliased, so that a file's own imports of the same packages are untouched); every
// row after a `//line` directive that gives it the brace's line, as the builtin profile does.
LanguageTemplate opentelemetry_template() {
  LanguageTemplate otel;
  otel.profile = "opentelemetry";
  otel.import_line =
      "_telinject_context \"context\"\n"
      "_telinject_otel \"go.opentelemetry.io/otel\"\n"
      "_telinject_attribute \"go.opentelemetry.io/otel/attribute\"\n"
      "_telinject_codes \"go.opentelemetry.io/otel/codes\"";
  otel.header =
      "_telinject_ctx, _telinject_span := _telinject_otel.Tracer(\"telinject\").Start({context}, "
      "{name})\n"
      "{ctx} = _telinject_ctx\n"
      "_telinject_span.SetAttributes(_telinject_attribute.String(\"code.function.name\", {name}), "
      "_telinject_attribute.String(\"code.file.path\", {file}), "
      "_telinject_attribute.Int(\"code.line.number\", {line}))\n"
      "defer _telinject_span.End()\n"
      "defer func() {\n"
      "\tif _telinject_panic := recover(); _telinject_panic != nil {\n"
      "\t\t_telinject_span.SetStatus(_telinject_codes.Error, \"panic\")\n"
      "\t\tpanic(_telinject_panic)\n"
      "\t}\n"
      "}()";
  otel.needs_runtime = false;
  return otel;
}

// The import specs of a template's import line, one per row.
std::vector<std::string> import_specs(const LanguageTemplate& tmpl, const std::string& helper) {
  std::string text = render_template(tmpl.import_line, {{"helper", helper}});
  std::vector<std::string> specs;
  for (size_t begin = 0;;) {
    size_t end = text.find('\n', begin);
    specs.push_back(text.substr(begin, end - begin));
    if (end == std::string::npos) return specs;
    begin = end + 1;
  }
}

class GoLanguage final : public LanguageSupport {
 public:
  GoLanguage() {
    // `{helper}` in the import is the helper package's import path for the file's module.
    LanguageTemplate builtin;
    builtin.profile = "builtin";
    builtin.import_line = "_telinject \"{helper}\"";
    builtin.header = "defer _telinject.Span({name})()";
    builtin.needs_runtime = true;
    templates_.push_back(std::move(builtin));
    templates_.push_back(opentelemetry_template());
  }

  std::string_view name() const override { return "go"; }
  const std::vector<std::string>& extensions() const override { return extensions_; }
  bool accepts_interpreter(std::string_view) const override { return false; }
  const TSLanguage* grammar() const override { return tree_sitter_go(); }
  const std::vector<LanguageTemplate>& builtin_templates() const override { return templates_; }

  // The package's import path as function names in stack traces start with it (empty outside
  // a module: extract then names by the package clause).
  std::string module_name(const FileLocation& file) const override {
    return go::symbol_package_path(file);
  }

  std::vector<FunctionInfo> extract(const ParsedSource& file,
                                    const std::vector<LanguageTemplate>& known) const override {
    return go::extract_functions(file, known);
  }

  std::optional<std::vector<FunctionInfo>> extract_top_level(
      const ParsedSource& file, const std::vector<LanguageTemplate>& known,
      const std::vector<TSNode>& declarations,
      const std::vector<FunctionInfo>& kept) const override {
    return go::extract_top_level(file, known, declarations, kept);
  }

  // The `//line` directive names the original line of the brace's row: the script
  // depends on where the function sits in the file.
  std::string script_context(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                             size_t index, const std::vector<size_t>&) const override {
    Body body = function_body(functions[index].node);
    if (ts_node_is_null(body.block) || body.open_row == body.close_row) return "one-line";
    // The opentelemetry profile also writes the file's path and the line of `func`.
    return "line " + std::to_string(go::logical_line(file.source, body.open_row)) + " func " +
           std::to_string(go::logical_line(file.source, functions[index].start_row)) + " file " +
           file.location.relative.generic_string();
  }

  Result<InsertionScript> instrument(const ParsedSource& file,
                                     const std::vector<FunctionInfo>& functions, size_t index,
                                     const LanguageTemplate& tmpl,
                                     const std::vector<size_t>&) const override {
    const SourceText& source = file.source;
    const FunctionInfo& f = functions[index];
    Body body = function_body(f.node);
    if (ts_node_is_null(body.block) || body.statements.empty())
      return make_error("no statements in the body");
    std::string header = go::render_header(tmpl, f);
    InsertionScript script;
    script.language = "go";
    script.function_name = f.name;
    script.qualified_name = f.qualified_name;
    script.profile = tmpl.profile;
    uint32_t open_row = body.open_row;
    uint32_t open_column = ts_node_start_point(body.block).column;
    if (go::is_multi_row(tmpl)) {
      if (open_row == body.close_row) return make_error("one-line body");
      // Every row after a directive that gives it the brace's line (see below).
      std::string indent = std::string(source.row_indent(f.start_row)) + "\t";
      std::string directive =
          "\n//line :" + std::to_string(go::logical_line(source, open_row)) + ":1\n";
      std::string text;
      for (const std::string& row : go::render_header_rows(tmpl, f, file))
        text += directive + indent + row;
      script.insertions.push_back(
          {open_row - f.start_row, static_cast<uint32_t>(source.row_text(open_row).size()), text});
      return script;
    }
    if (open_row == body.close_row) {
      // `func f() int { return 1 }` stays on one row, as gofmt keeps it.
      script.insertions.push_back({open_row - f.start_row, open_column + 1, " " + header + ";"});
      return script;
    }
    // After whatever ends the brace's row (a comment): a directive that numbers the next row
    // as the brace's line, then the statement. Rows below keep their numbers, and the statement
    // shares the brace's line, so no comment of the body is taken for a comment on its line.
    // `//line` must start its row; gofmt keeps it there.
    std::string indent = std::string(source.row_indent(f.start_row)) + "\t";
    uint32_t brace_line = go::logical_line(source, open_row);
    script.insertions.push_back(
        {open_row - f.start_row, static_cast<uint32_t>(source.row_text(open_row).size()),
         "\n//line :" + std::to_string(brace_line) + ":1\n" + indent + header});
    return script;
  }

  std::optional<TextEdit> add_import(const ParsedSource& file,
                                     const LanguageTemplate& tmpl) const override {
    std::vector<std::string> specs = import_specs(tmpl, go::helper_import_path(file.location));
    if (specs.size() > 1) return go::add_import_declarations(file.source, file.root, specs);
    return go::add_import_spec(file.source, file.root, specs.front());
  }

  Result<std::vector<TextEdit>> remove(const ParsedSource& file,
                                       const std::vector<FunctionInfo>& functions,
                                       const std::vector<size_t>& selected,
                                       const std::vector<LanguageTemplate>& known) const override {
    std::vector<TextEdit> edits;
    size_t remaining = 0;
    for (size_t i : telemetry_to_remove(functions, selected, &remaining)) {
      const FunctionInfo& f = functions[i];
      const LanguageTemplate* tmpl = template_of(known, f.profile);
      if (!tmpl) return make_error(f.qualified_name + ": unknown profile " + f.profile);
      auto telemetry = go::find_template_telemetry(file.source, function_body(f.node), *tmpl);
      if (!telemetry) return make_error(f.qualified_name + ": telemetry not found");
      if (!telemetry->ok()) return make_error(f.qualified_name + ": " + telemetry->error());
      const go::Telemetry& found = **telemetry;
      edits.push_back({found.remove_begin, found.remove_end - found.remove_begin, ""});
    }
    if (remaining == 0) {
      std::string helper = go::helper_import_path(file.location);
      for (const LanguageTemplate& t : known) {
        if (t.import_line.empty()) continue;
        std::vector<std::string> specs = import_specs(t, helper);
        size_t found = 0;
        for (const std::string& spec : specs) {
          const std::string& pattern = specs.size() > 1 ? spec : t.import_line;
          if (auto edit = go::remove_import_spec(file.source, file.root, spec, pattern)) {
            edits.push_back(std::move(*edit));
            ++found;
          }
        }
        if (found > 0) break;
      }
    }
    return edits;
  }

  std::vector<RuntimeFile> runtime(const FileLocation& file) const override {
    // The helper package's files: otlp_http.go, the OTLP/HTTP exporter, builds only with
    // -tags telinject_otlp (it needs package net, which telinject.go must not link); the
    // goroutine_* files read the running goroutine's identity (assembly on amd64 and arm64,
    // runtime.Stack elsewhere). docs/go.md.
    std::filesystem::path helper = go::helper_file(file);
    std::filesystem::path folder = helper.parent_path();
    return {{helper, kGoRuntime},
            {folder / "otlp_http.go", kGoOtlpRuntime},
            {folder / "goroutine_gc.go", kGoGoroutineGc},
            {folder / "goroutine_other.go", kGoGoroutineOther},
            {folder / "goroutine_amd64.s", kGoGoroutineAmd64},
            {folder / "goroutine_arm64.s", kGoGoroutineArm64}};
  }

  // gofmt works on one file: it must parse, and be formatted as gofmt formats it (a file that
  // was not before is accepted by the pipeline when its original fails too).
  std::vector<std::string> checker_command(const std::filesystem::path& file) const override {
    return {"sh", "-c",
            "command -v gofmt >/dev/null || exit 127; "
            "diff=$(gofmt -e -d \"$1\") || exit 1; "
            "[ -z \"$diff\" ] || { printf 'not gofmt-formatted:\\n%s\\n' \"$diff\"; exit 1; }",
            "sh", file.string()};
  }

 private:
  std::vector<std::string> extensions_ = {".go"};
  std::vector<LanguageTemplate> templates_;
};

}  // namespace

const LanguageSupport& go_language() {
  static const GoLanguage language;
  return language;
}

}  // namespace telinject
