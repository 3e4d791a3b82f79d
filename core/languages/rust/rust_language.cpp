#include "rust/rust_language.h"

#include "atomic_file.h"
#include "disk_memo.h"
#include "rust/rust_crate.h"
#include "rust/rust_syntax.h"
#include "syntax_tree.h"

extern "C" const TSLanguage* tree_sitter_rust();

namespace telinject {

extern const std::string_view kRustRuntime;

namespace {

constexpr std::string_view kModLine = "mod telinject;";

const LanguageTemplate* template_of(const std::vector<LanguageTemplate>& known,
                                    const std::string& profile) {
  for (const LanguageTemplate& t : known)
    if (t.profile == profile) return &t;
  return nullptr;
}

// Whether a row is one of the declarations of the helper that add_import appends
// (rust::CrateOfFile::declaration).
bool is_declaration(std::string_view row) {
  constexpr std::string_view kUse = "use ", kTail = "::telinject;";
  if (row == kModLine || row == "#[doc(hidden)] pub mod telinject;") return true;
  if (row.size() <= kUse.size() + kTail.size() || row.substr(0, kUse.size()) != kUse ||
      row.substr(row.size() - kTail.size()) != kTail)
    return false;
  std::string_view crate = row.substr(kUse.size(), row.size() - kUse.size() - kTail.size());
  return crate.find_first_of(" \t:;{}") == std::string_view::npos;
}

// Whether the crate root already names the helper: a top-level `mod telinject` (or one
// brought in with `use ...::telinject;`).
bool declares_helper(const ParsedSource& file) {
  uint32_t count = ts_node_named_child_count(file.root);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode item = ts_node_named_child(file.root, i);
    if (rust::is(item, "mod_item")) {
      TSNode name = ts_node_child_by_field_name(item, "name", 4);
      if (!ts_node_is_null(name) && rust::node_text(file.source, name) == "telinject") return true;
    } else if (rust::is(item, "use_declaration") &&
               is_declaration(rust::node_text(file.source, item))) {
      return true;
    }
  }
  return false;
}

// Whether the crate root at `root_file` declares the helper or will once instrumented (it has a
// function telinject instruments or has instrumented): the modules' guards name
// `crate::telinject`, which only the root can declare. Unreadable: true (the compiler will
// tell). Looked up once per run through `memo`.
bool root_declares_helper(const std::filesystem::path& root_file,
                          const std::vector<LanguageTemplate>& known, DiskMemo* memo) {
  auto look = [&] {
    auto text = read_file(root_file);
    if (!text.ok()) return true;
    SourceText source(std::move(*text));
    auto tree = SyntaxTree::parse(tree_sitter_rust(), source.text());
    if (!tree.ok()) return true;
    ParsedSource parsed{source, tree->root(), "", FileLocation()};
    if (declares_helper(parsed)) return true;
    for (const FunctionInfo& f : rust::extract_functions(parsed, known, {}))
      if (f.state == FunctionState::kUninstrumented || f.state == FunctionState::kInstrumented)
        return true;
    return false;
  };
  if (!memo) return look();
  return memo->remember<bool>("rust crate root declares its helper " + root_file.string(), look);
}

rust::FileContext file_context(const ParsedSource& file,
                               const std::vector<LanguageTemplate>& known) {
  rust::CrateOfFile crate = rust::find_crate(file.location, file.source.text());
  if (crate.skip_reason.empty() && !crate.is_root && !crate.root_file.empty() &&
      !root_declares_helper(crate.root_file, known, file.location.memo))
    crate.skip_reason = "the crate root (" + crate.root_file.filename().string() +
                        ") has no function to instrument, so it would not declare the helper: "
                        "add `mod telinject;` to it (docs/rust.md)";
  return {file.module_name, crate.skip_reason};
}

class RustLanguage final : public LanguageSupport {
 public:
  RustLanguage() {
    LanguageTemplate builtin;
    builtin.profile = "builtin";
    builtin.import_line = std::string(kModLine);
    builtin.header = "let _telinject_span = crate::telinject::span({name}, file!(), line!());";
    builtin.needs_runtime = true;
    templates_.push_back(std::move(builtin));
  }

  std::string_view name() const override { return "rust"; }
  const std::vector<std::string>& extensions() const override { return extensions_; }
  bool accepts_interpreter(std::string_view) const override { return false; }
  const TSLanguage* grammar() const override { return tree_sitter_rust(); }
  const std::vector<LanguageTemplate>& builtin_templates() const override { return templates_; }

  // "crate_name::a::b", as backtraces and std::any::type_name start the names of the module's
  // functions (the crate name from Cargo.toml, the module path from the file's place).
  std::string module_name(const FileLocation& file) const override {
    rust::CrateOfFile crate = rust::find_crate(file, "");
    std::string name = crate.crate_name;
    for (const std::string& part : crate.module) name += (name.empty() ? "" : "::") + part;
    return name;
  }

  std::vector<FunctionInfo> extract(const ParsedSource& file,
                                    const std::vector<LanguageTemplate>& known) const override {
    return rust::extract_functions(file, known, file_context(file, known));
  }

  // `line!()` and `file!()` name the place: the script depends only on the function's text.
  std::string script_context(const ParsedSource&, const std::vector<FunctionInfo>&, size_t,
                             const std::vector<size_t>&) const override {
    return "";
  }

  Result<InsertionScript> instrument(const ParsedSource& file,
                                     const std::vector<FunctionInfo>& functions, size_t index,
                                     const LanguageTemplate& tmpl,
                                     const std::vector<size_t>&) const override {
    (void)file;
    const FunctionInfo& f = functions[index];
    TSNode body = rust::function_body(f.node);
    TSNode brace = ts_node_is_null(body) ? TSNode{} : rust::opening_brace(body);
    if (ts_node_is_null(brace)) return make_error("no block body");
    std::string header =
        render_template(tmpl.header, {{"name", rust::rust_string_literal(f.qualified_name)},
                                      {"qualname", f.qualified_name},
                                      {"kind", f.kind}});
    InsertionScript script;
    script.language = "rust";
    script.function_name = f.name;
    script.qualified_name = f.qualified_name;
    script.profile = tmpl.profile;
    // After the brace, on its row: every row of the body keeps its line.
    TSPoint at = ts_node_start_point(brace);
    script.insertions.push_back({at.row - f.start_row, at.column + 1, " " + header});
    return script;
  }

  // `mod telinject;` appended to a crate root, on a row of its own after the last: no row above
  // moves.
  std::optional<TextEdit> add_import(const ParsedSource& file,
                                     const LanguageTemplate& tmpl) const override {
    if (tmpl.import_line.empty()) return std::nullopt;
    rust::CrateOfFile crate = rust::find_crate(file.location, file.source.text());
    if (!crate.is_root || declares_helper(file)) return std::nullopt;
    const std::string& text = file.source.text();
    std::string newline(file.source.newline());
    uint32_t end = static_cast<uint32_t>(text.size());
    if (!text.empty() && text.back() == '\n') return TextEdit{end, 0, crate.declaration + newline};
    return TextEdit{end, 0, newline + crate.declaration};
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
      auto telemetry =
          rust::find_telemetry(file.source, rust::function_body(f.node), tmpl->marker());
      if (!telemetry) return make_error(f.qualified_name + ": telemetry not found");
      if (!telemetry->ok()) return make_error(f.qualified_name + ": " + telemetry->error());
      edits.push_back(
          {(*telemetry)->remove_begin, (*telemetry)->remove_end - (*telemetry)->remove_begin, ""});
    }
    if (remaining == 0)
      if (auto edit = remove_declaration(file)) edits.push_back(*edit);
    return edits;
  }

  // telinject.rs beside the crate root, for the files of crates telinject instruments.
  std::vector<RuntimeFile> runtime(const FileLocation& file) const override {
    rust::CrateOfFile crate = rust::find_crate(file, "");
    if (!crate.skip_reason.empty()) return {};
    return {{crate.root_folder / "telinject.rs", kRustRuntime}};
  }

  std::vector<std::string> checker_command(const std::filesystem::path&) const override {
    return {};
  }

 private:
  // The declaration that add_import appended: the file's last row, alone on it. Anything else
  // (the user's own declaration elsewhere) is left alone.
  static std::optional<TextEdit> remove_declaration(const ParsedSource& file) {
    const SourceText& source = file.source;
    const std::string& text = source.text();
    if (text.empty()) return std::nullopt;
    bool final_break = text.back() == '\n';
    uint32_t rows = static_cast<uint32_t>(source.row_count());
    // With a final line break the last row is empty: the declaration is the one before it.
    uint32_t row = final_break ? rows - 2 : rows - 1;
    if (row >= rows || !is_declaration(source.row_text(row))) return std::nullopt;
    uint32_t begin = source.row_start(row);
    if (final_break) return TextEdit{begin, static_cast<uint32_t>(text.size()) - begin, ""};
    // The last row without a line break: the break before it was inserted too.
    if (begin == 0) return std::nullopt;
    uint32_t before = begin - 1;
    if (before > 0 && text[before - 1] == '\r') --before;
    return TextEdit{before, static_cast<uint32_t>(text.size()) - before, ""};
  }

  std::vector<std::string> extensions_ = {".rs"};
  std::vector<LanguageTemplate> templates_;
};

}  // namespace

const LanguageSupport& rust_language() {
  static const RustLanguage language;
  return language;
}

}  // namespace telinject
