#include "java/java_language.h"

#include <fstream>
#include <map>

#include "java/java_syntax.h"

extern "C" const TSLanguage* tree_sitter_java();

namespace telinject {

extern const std::string_view kJavaRuntime;

namespace {

namespace fs = std::filesystem;
using java::Body;
using java::function_body;

std::string java_string_literal(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

const LanguageTemplate* template_of(const std::vector<LanguageTemplate>& known,
                                    const std::string& profile) {
  for (const LanguageTemplate& t : known)
    if (t.profile == profile) return &t;
  return nullptr;
}

// The folder a file's package starts in: `src/main/java/com/example/X.java` declaring
// `package com.example;` -> `src/main/java`. A file whose folders do not end with its package
// (javac accepts it) counts as sitting at the source root.
fs::path source_root(const fs::path& file, const std::string& package) {
  fs::path folder = file.parent_path();
  if (package.empty()) return folder;
  std::vector<std::string> parts;
  for (size_t begin = 0;;) {
    size_t dot = package.find('.', begin);
    parts.push_back(package.substr(begin, dot - begin));
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  fs::path root = folder;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (root.filename() != *it) return folder;
    root = root.parent_path();
  }
  return root;
}

// The file's path, absolute when its root is known (the source root may lie above the root
// telinject was given).
fs::path absolute_path(const FileLocation& location) {
  if (location.root.empty()) return location.relative;
  std::error_code ec;
  fs::path root = fs::absolute(location.root, ec);
  if (ec) return location.relative;
  return (root / location.relative).lexically_normal();
}

// The package the file on disk declares (its first 64 KiB are enough for any header).
std::string package_on_disk(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string text(64 * 1024, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return java::declared_package(text);
}

// The file's path below its source root: `com/example/Shop.java`, the same wherever telinject
// was started.
std::string path_below_source_root(const FileLocation& location, const std::string& package) {
  fs::path path = absolute_path(location);
  return path.lexically_relative(source_root(path, package)).generic_string();
}

class JavaLanguage final : public LanguageSupport {
 public:
  JavaLanguage() {
    LanguageTemplate builtin;
    builtin.profile = "builtin";
    builtin.header =
        "telinject.Telinject.Span _telinject_span{depth} = telinject.Telinject.span({name}, "
        "{file}, {line}); try {";
    builtin.footer =
        "} catch (Throwable _telinject_error) { _telinject_span{depth}.error(_telinject_error); "
        "throw _telinject_error; } finally { _telinject_span{depth}.end(); }";
    builtin.needs_runtime = true;
    templates_.push_back(builtin);
  }

  std::string_view name() const override { return "java"; }
  const std::vector<std::string>& extensions() const override { return extensions_; }
  bool accepts_interpreter(std::string_view interpreter) const override {
    return interpreter == "java";  // single-file source programs (JEP 330)
  }
  const TSLanguage* grammar() const override { return tree_sitter_java(); }
  const std::vector<LanguageTemplate>& builtin_templates() const override { return templates_; }

  // Java names classes by the file's package declaration, read by extract from the text.
  std::string module_name(const FileLocation&) const override { return ""; }

  std::vector<FunctionInfo> extract(const ParsedSource& file,
                                    const std::vector<LanguageTemplate>& known) const override {
    return java::extract_functions(file, known);
  }

  std::string script_context(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                             size_t index, const std::vector<size_t>&) const override {
    // The header names the file below its source root, the function's line and, for lambdas,
    // how deep they nest.
    const FunctionInfo& f = functions[index];
    return "line " + std::to_string(f.name_row + 1) + " file " + file_path(file) + " depth " +
           java::span_suffix(f.node);
  }

  Result<InsertionScript> instrument(const ParsedSource& file,
                                     const std::vector<FunctionInfo>& functions, size_t index,
                                     const LanguageTemplate& tmpl,
                                     const std::vector<size_t>&) const override {
    const SourceText& source = file.source;
    const FunctionInfo& f = functions[index];
    if (tmpl.footer.empty()) return make_error("the template has no footer to close its block");
    Body body = function_body(f.node);
    if (ts_node_is_null(body.block)) return make_error("no body");
    if (body.statements.size() == body.kept_in_front) return make_error("nothing to wrap");
    const std::string suffix = java::span_suffix(f.node);
    std::map<std::string, std::string> values = {{"name", java_string_literal(f.qualified_name)},
                                                 {"qualname", f.qualified_name},
                                                 {"kind", f.kind},
                                                 {"file", java_string_literal(file_path(file))},
                                                 {"line", std::to_string(f.name_row + 1)},
                                                 {"depth", suffix}};
    std::string header = render_template(tmpl.header, values);
    std::string footer = render_template(tmpl.footer, values);

    InsertionScript script;
    script.language = "java";
    script.function_name = f.name;
    script.qualified_name = f.qualified_name;
    script.profile = tmpl.profile;
    auto insert = [&](uint32_t offset, std::string text) {
      uint32_t row = source.row_of(offset);
      script.insertions.push_back(
          {row - f.start_row, offset - source.row_start(row), std::move(text)});
    };
    // On the rows of the braces (or of the first statement after this(...)/super(...), which
    // must stay first): every original line keeps its number.
    if (body.kept_in_front > 0)
      insert(ts_node_start_byte(body.statements[body.kept_in_front]), header + " ");
    else
      insert(body.open, " " + header);
    insert(body.close, footer + " ");
    return script;
  }

  std::optional<TextEdit> add_import(const ParsedSource&, const LanguageTemplate&) const override {
    return std::nullopt;  // the helper is named fully qualified
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
      auto telemetry = java::find_telemetry(file.source, function_body(f.node), *tmpl,
                                            java::span_suffix(f.node));
      if (!telemetry) return make_error(f.qualified_name + ": telemetry not found");
      if (!telemetry->ok()) return make_error(f.qualified_name + ": " + telemetry->error());
      const java::Telemetry& found = **telemetry;
      edits.push_back({found.header_begin, found.header_end - found.header_begin, ""});
      edits.push_back({found.footer_begin, found.footer_end - found.footer_begin, ""});
    }
    return edits;
  }

  std::vector<RuntimeFile> runtime(const FileLocation& file) const override {
    // telinject/Telinject.java at the source root: javac and every build tool find the class
    // `telinject.Telinject` there. The package comes from the file on disk (none: a file at
    // the root of the text given).
    std::string package;
    if (!file.root.empty()) package = package_on_disk(file.root / file.relative);
    fs::path path = absolute_path(file);
    fs::path helper = source_root(path, package) / "telinject" / "Telinject.java";
    if (!file.root.empty()) {
      std::error_code ec;
      fs::path root = fs::absolute(file.root, ec).lexically_normal();
      if (!root.has_filename()) root = root.parent_path();  // "/a/b/" -> "/a/b"
      if (!ec) helper = helper.lexically_relative(root);
    }
    return {{helper.lexically_normal(), kJavaRuntime}};
  }

  // javac needs the whole source tree to check one file: the re-parse validates.
  std::vector<std::string> checker_command(const fs::path&) const override { return {}; }

 private:
  std::string file_path(const ParsedSource& file) const {
    std::string package = java::declared_package(file.source.text());
    return path_below_source_root(file.location, package);
  }

  std::vector<std::string> extensions_ = {".java"};
  std::vector<LanguageTemplate> templates_;
};

}  // namespace

const LanguageSupport& java_language() {
  static const JavaLanguage language;
  return language;
}

}  // namespace telinject
