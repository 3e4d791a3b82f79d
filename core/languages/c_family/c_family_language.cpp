#include "c_family/c_family_language.h"

#include "c_family/c_family_syntax.h"

extern "C" const TSLanguage* tree_sitter_c();
extern "C" const TSLanguage* tree_sitter_cpp();

namespace telinject {

extern const std::string_view kCRuntime;

namespace {

using c_family::Dialect;

constexpr const char* kHelperName = "telinject.h";

// `value` as a C string literal.
std::string c_string_literal(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

class CFamilyLanguage final : public LanguageSupport {
 public:
  CFamilyLanguage(Dialect dialect, std::string name, std::vector<std::string> extensions)
      : dialect_(dialect), name_(std::move(name)), extensions_(std::move(extensions)) {
    // The helper sits beside the file: a quoted include finds it whatever the build's flags.
    LanguageTemplate builtin;
    builtin.profile = "builtin";
    builtin.import_line = "#include \"telinject.h\"";
    builtin.header = "TELINJECT_SPAN({name});";
    builtin.needs_runtime = true;
    templates_.push_back(builtin);
  }

  std::string_view name() const override { return name_; }
  const std::vector<std::string>& extensions() const override { return extensions_; }
  bool accepts_interpreter(std::string_view) const override { return false; }
  const TSLanguage* grammar() const override {
    return dialect_ == Dialect::kC ? tree_sitter_c() : tree_sitter_cpp();
  }
  const std::vector<LanguageTemplate>& builtin_templates() const override { return templates_; }

  // C and C++ name functions by their namespaces and classes, never by the file.
  std::string module_name(const FileLocation&) const override { return ""; }

  std::vector<FunctionInfo> extract(const ParsedSource& file,
                                    const std::vector<LanguageTemplate>& known) const override {
    return c_family::extract_functions(file, dialect_, known);
  }

  // The insertion's column on the first row is absolute: the same text indented differently
  // gets another script.
  std::string script_context(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                             size_t index, const std::vector<size_t>&) const override {
    const FunctionInfo& f = functions[index];
    return "column " + std::to_string(f.start_byte - file.source.row_start(f.start_row));
  }

  Result<InsertionScript> instrument(const ParsedSource& file,
                                     const std::vector<FunctionInfo>& functions, size_t index,
                                     const LanguageTemplate& tmpl,
                                     const std::vector<size_t>&) const override {
    const FunctionInfo& f = functions[index];
    TSNode body = c_family::function_body(f.node);
    if (ts_node_is_null(body)) return make_error("no body");
    if (tmpl.header.find('\n') != std::string::npos)
      return make_error("the C and C++ templates take one statement on the brace's row");
    InsertionScript script;
    script.language = name_;
    script.function_name = f.name;
    script.qualified_name = f.qualified_name;
    script.profile = tmpl.profile;
    TSPoint open = ts_node_start_point(body);
    std::string header = render_template(tmpl.header, {{"name", c_string_literal(f.qualified_name)},
                                                       {"qualname", f.qualified_name},
                                                       {"kind", f.kind}});
    (void)file;
    script.insertions.push_back({open.row - f.start_row, open.column + 1, " " + header});
    return script;
  }

  std::optional<TextEdit> add_import(const ParsedSource& file,
                                     const LanguageTemplate& tmpl) const override {
    if (tmpl.import_line.empty() || c_family::find_include(file.source, tmpl.import_line))
      return std::nullopt;
    bool at_start = true;
    uint32_t row = c_family::include_row(file.source, file.root, &at_start);
    std::string text = c_family::include_text(tmpl.import_line, row + 1);
    return TextEdit{file.source.row_start(row), 0, file.source.localize_newlines(text)};
  }

  Result<std::vector<TextEdit>> remove(const ParsedSource& file,
                                       const std::vector<FunctionInfo>& functions,
                                       const std::vector<size_t>& selected,
                                       const std::vector<LanguageTemplate>& known) const override {
    std::vector<TextEdit> edits;
    size_t remaining = 0;
    for (size_t i : telemetry_to_remove(functions, selected, &remaining)) {
      const FunctionInfo& f = functions[i];
      const LanguageTemplate* tmpl = nullptr;
      for (const LanguageTemplate& t : known)
        if (t.profile == f.profile) tmpl = &t;
      if (!tmpl) return make_error(f.qualified_name + ": unknown profile " + f.profile);
      auto found = c_family::find_span_statement(file.source, c_family::function_body(f.node),
                                                 tmpl->marker());
      if (!found) return make_error(f.qualified_name + ": telemetry not found");
      if (!found->ok()) return make_error(f.qualified_name + ": " + found->error());
      edits.push_back({(**found).remove_begin, (**found).remove_end - (**found).remove_begin, ""});
    }
    if (remaining == 0)
      for (const LanguageTemplate& t : known)
        if (!t.import_line.empty())
          if (auto edit = c_family::find_include(file.source, t.import_line)) {
            edits.push_back(std::move(*edit));
            break;
          }
    return edits;
  }

  // Beside the file: `#include "telinject.h"` looks in the including file's folder first.
  std::vector<RuntimeFile> runtime(const FileLocation& file) const override {
    return {{file.relative.parent_path() / kHelperName, kCRuntime}};
  }

  // None: compiling one file needs the project's include paths and macros, which only its
  // build knows.
  std::vector<std::string> checker_command(const std::filesystem::path&) const override {
    return {};
  }

 private:
  Dialect dialect_;
  std::string name_;
  std::vector<std::string> extensions_;
  std::vector<LanguageTemplate> templates_;
};

}  // namespace

const LanguageSupport& c_language() {
  static const CFamilyLanguage language(Dialect::kC, "c", {".c"});
  return language;
}

// `.h` is parsed as C++: the C++ grammar reads C headers too, and their functions get the same
// names either way (docs/c.md).
const LanguageSupport& cpp_language() {
  static const CFamilyLanguage language(
      Dialect::kCpp, "cpp", {".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h"});
  return language;
}

}  // namespace telinject
