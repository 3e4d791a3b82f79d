#include "python/python_language.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "python/python_layout.h"
#include "python/python_package.h"
#include "python/python_shape.h"
#include "python/python_syntax.h"

extern "C" const TSLanguage* tree_sitter_python();

namespace telinject {

extern const std::string_view kPythonRuntime;

namespace {

using python::Body;
using python::function_body;
using python::is;
using python::last_statement_row;
using python::node_text;

// The indentation step of a function's body relative to its `def` line; the file's unit for
// one-line bodies or unusual layouts.
std::string body_unit(const SourceText& source, TSNode def) {
  Body body = function_body(def);
  uint32_t def_row = ts_node_start_point(def).row;
  if (ts_node_is_null(body.first)) return source.indent_unit();
  uint32_t first_row = ts_node_start_point(body.first).row;
  if (first_row == def_row) return source.indent_unit();
  std::string_view def_indent = source.row_indent(def_row);
  std::string_view body_indent = source.row_indent(first_row);
  if (body_indent.size() > def_indent.size() &&
      body_indent.substr(0, def_indent.size()) == def_indent)
    return std::string(body_indent.substr(def_indent.size()));
  return source.indent_unit();
}

std::string python_string_literal(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// Import lines of earlier telinject versions: still recognised, so that `remove` takes them out
// and `instrument` replaces them with today's line.
const std::vector<std::string> kLegacyImports = {
    "import telinject_runtime as _telinject  # telinject",
    "from opentelemetry import trace as _telinject_otel  # telinject",
};

// True when `row` is `pattern` with `{runtime}` standing for a dotted module name.
bool matches_import_pattern(std::string_view row, const std::string& pattern) {
  if (pattern.empty()) return false;
  size_t hole = pattern.find("{runtime}");
  if (hole == std::string::npos) return row == pattern;
  std::string_view before = std::string_view(pattern).substr(0, hole);
  std::string_view after = std::string_view(pattern).substr(hole + 9);
  if (row.size() <= before.size() + after.size() || row.substr(0, before.size()) != before ||
      row.substr(row.size() - after.size()) != after)
    return false;
  std::string_view module = row.substr(before.size(), row.size() - before.size() - after.size());
  return module.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") ==
         std::string_view::npos;
}

// True when `row` is the import line of `tmpl` (for any helper module) or of an older version.
bool is_import_row(std::string_view row, const LanguageTemplate& tmpl) {
  if (matches_import_pattern(row, tmpl.import_line)) return true;
  if (tmpl.profile != "builtin" && tmpl.profile != "opentelemetry") return false;
  return std::find(kLegacyImports.begin(), kLegacyImports.end(), row) != kLegacyImports.end() &&
         (row.find("_telinject_otel") != std::string_view::npos) ==
             (tmpl.import_line.find("_telinject_otel") != std::string::npos);
}

// The 1-based line of `functions[index]` (its first decorator, like Python's co_firstlineno) in
// the source as it was before telinject: rows earlier runs inserted above it (the helper's
// import, each instrumented function's `with` header) do not count. The line the user has in
// version control, as the builtin runtime reports it.
uint32_t original_line(const SourceText& source, const std::vector<FunctionInfo>& functions,
                       size_t index, const LanguageTemplate& tmpl) {
  const uint32_t start = functions[index].start_row;
  uint32_t inserted = 0;
  for (uint32_t row = 0; row < start; ++row)
    if (is_import_row(source.row_text(row), tmpl)) {
      ++inserted;
      break;
    }
  for (const FunctionInfo& f : functions) {
    if (f.state != FunctionState::kInstrumented) continue;
    Body body = function_body(f.node);
    if (body.statements.empty()) continue;
    TSNode with = body.statements.front();
    uint32_t with_row = ts_node_start_point(with).row;
    if (with_row >= start) continue;
    // The header's rows: up to the first statement it holds (several once black wrapped it),
    // one when that statement shares its row.
    TSNode block = ts_node_child_by_field_name(with, "body", 4);
    Body inner = ts_node_is_null(block) ? Body{} : python::block_body(block, false);
    uint32_t inner_row =
        inner.statements.empty() ? with_row : ts_node_start_point(inner.statements.front()).row;
    inserted += inner_row > with_row ? inner_row - with_row : 1;
  }
  return start + 1 - std::min(inserted, start);
}

// The file's path from its package's base folder ("shop/cart.py" for the module shop.cart),
// the same whichever root telinject was given.
std::string package_file_path(const FileLocation& location) {
  std::string module = python::locate_module(location).module;
  std::string file = location.relative.filename().string();
  std::string path;
  for (size_t start = 0; start <= module.size();) {
    size_t dot = module.find('.', start);
    if (dot == std::string::npos) break;  // the last part names the file itself
    path += module.substr(start, dot - start) + '/';
    start = dot + 1;
  }
  // A package's __init__.py is named by its folder: the module's last part is that folder.
  if (location.relative.stem() == "__init__" && !module.empty())
    path += module.substr(module.rfind('.') == std::string::npos ? 0 : module.rfind('.') + 1) + '/';
  return path + file;
}

bool is_verbatim(const FunctionInfo& f, uint32_t row) {
  return std::binary_search(f.verbatim_rows.begin(), f.verbatim_rows.end(), row);
}

// OpenTelemetry's semantic conventions for code: `{path}` and `{line}` are rendered per function
// (the same text for the same source: deterministic), not looked up when the span starts.
constexpr const char* kOtelAttributes =
    "attributes={\"code.function.name\": {name}, \"code.file.path\": {path}, "
    "\"code.line.number\": {line}}";

class PythonLanguage final : public LanguageSupport {
 public:
  PythonLanguage() {
    // `# isort: skip` keeps isort and ruff from moving the line or reporting the block as
    // unsorted; `{runtime}` is the helper inside the file's top-level package (python_package.h).
    templates_.push_back({"builtin", "import {runtime} as _telinject  # isort: skip",
                          "with _telinject.span({name})",
                          "with _telinject.span({name}, generator=True)", true});
    // Generators get a span that is not made current: a suspended generator must not leave its
    // span as the caller's context. The SDK records an escaping exception and sets the error
    // status itself (record_exception and set_status_on_exception default to True); the code.*
    // attributes are the ones the builtin runtime records.
    templates_.push_back(
        {"opentelemetry", "from opentelemetry import trace as _telinject_otel  # isort: skip",
         "with _telinject_otel.get_tracer(__name__).start_as_current_span({name}, " +
             std::string(kOtelAttributes) + ")",
         "with _telinject_otel.get_tracer(__name__).start_span({name}, " +
             std::string(kOtelAttributes) + ")",
         false});
  }

  std::string_view name() const override { return "python"; }
  const std::vector<std::string>& extensions() const override { return extensions_; }
  bool accepts_interpreter(std::string_view interpreter) const override {
    // python, python3, python3.11, pypy3
    return interpreter.substr(0, 6) == "python" || interpreter.substr(0, 4) == "pypy";
  }
  const TSLanguage* grammar() const override { return tree_sitter_python(); }
  const std::vector<LanguageTemplate>& builtin_templates() const override { return templates_; }

  std::string module_name(const FileLocation& file) const override {
    return python::locate_module(file).module;
  }

  std::vector<FunctionInfo> extract(const ParsedSource& file,
                                    const std::vector<LanguageTemplate>& known) const override {
    return python::extract_functions(file, known);
  }

  std::optional<std::vector<FunctionInfo>> extract_top_level(
      const ParsedSource& file, const std::vector<LanguageTemplate>& known,
      const std::vector<TSNode>& statements, const std::vector<FunctionInfo>& kept) const override {
    return python::extract_top_level(file, known, statements, kept);
  }

  std::string script_context(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                             size_t index,
                             const std::vector<size_t>& wrapped_ancestors) const override {
    std::string context;
    for (size_t ancestor : wrapped_ancestors)
      context += body_unit(file.source, functions[ancestor].node) + '|';
    const FunctionInfo& f = functions[index];
    context += '#' + body_unit(file.source, f.node) + '#';
    context += file.source.row_indent(ts_node_start_point(f.node).row);
    return context;
  }

  Result<InsertionScript> instrument(const ParsedSource& file,
                                     const std::vector<FunctionInfo>& functions, size_t index,
                                     const LanguageTemplate& tmpl,
                                     const std::vector<size_t>& wrapped_ancestors) const override {
    const SourceText& source = file.source;
    const FunctionInfo& f = functions[index];
    Body body = function_body(f.node);
    if (body.statements.empty()) return make_error("no statements to wrap");

    std::string prefix;  // what enclosing instrumented functions insert at each row start
    for (size_t ancestor : wrapped_ancestors) prefix += body_unit(source, functions[ancestor].node);
    const std::string unit = body_unit(source, f.node);

    const bool generator = f.kind == "generator" || f.kind == "async_generator";
    const std::string& pattern =
        generator && !tmpl.generator_header.empty() ? tmpl.generator_header : tmpl.header;
    std::map<std::string, std::string> values = {{"name", python_string_literal(f.qualified_name)},
                                                 {"qualname", f.qualified_name},
                                                 {"kind", f.kind}};
    if (pattern.find("{line}") != std::string::npos)
      values["line"] = std::to_string(original_line(source, functions, index, tmpl));
    if (pattern.find("{path}") != std::string::npos)
      values["path"] = python_string_literal(package_file_path(file.location));
    std::string header = render_template(pattern, values);

    InsertionScript script;
    script.language = "python";
    script.function_name = f.name;
    script.qualified_name = f.qualified_name;
    script.profile = tmpl.profile;
    auto relative = [&](uint32_t row) { return row - f.start_row; };

    uint32_t def_row = ts_node_start_point(f.node).row;
    std::string_view def_indent = source.row_indent(def_row);
    if (ts_node_start_point(f.node).column != def_indent.size())
      return make_error("the def does not start its line");
    // Deeper than tree-sitter can parse back, validation could not tell the blocks apart.
    auto too_deep = [&](uint32_t row, std::string_view indent) -> std::optional<Error> {
      uint32_t width = python::parser_indent_width(prefix) + python::parser_indent_width(unit) +
                       python::parser_indent_width(indent);
      if (width < python::kParserIndentLimit) return std::nullopt;
      return make_error("telemetry would indent line " + std::to_string(row + 1) + " by " +
                        std::to_string(width) +
                        " columns, past the 255 columns tree-sitter's Python grammar can parse");
    };
    TSNode first = body.statements.front();
    uint32_t first_row = ts_node_start_point(first).row;

    if (first_row == def_row) {
      // `def f(): return 1` keeps its body on one line: `with ...: return 1` on the next.
      if (!ts_node_is_null(body.docstring))
        return make_error("docstring and body share the def's line");
      uint32_t block_start = ts_node_start_byte(body.block);
      uint32_t colon = block_start;
      // Blanks Python allows between the colon and the statement: space, tab, form feed.
      auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\f'; };
      while (colon > 0 && blank(source.text()[colon - 1])) --colon;
      if (colon == 0 || source.text()[colon - 1] != ':')
        return make_error("cannot find the colon that opens the body");
      if (auto error = too_deep(def_row, def_indent)) return *error;
      uint32_t column = colon - source.row_start(def_row);
      script.insertions.push_back({relative(def_row), column,
                                   "\n" + prefix + std::string(def_indent) + unit + header + ":"});
      return script;
    }

    std::string_view first_indent = source.row_indent(first_row);
    if (ts_node_start_point(first).column != first_indent.size())
      return make_error("the first statement after the docstring does not start its line");
    if (auto error = too_deep(first_row, first_indent)) return *error;
    script.insertions.push_back({relative(first_row), static_cast<uint32_t>(first_indent.size()),
                                 header + ":\n" + prefix + unit + std::string(first_indent)});
    uint32_t last_row = last_statement_row(body.statements.back());
    for (uint32_t row = first_row + 1; row <= last_row; ++row) {
      if (source.row_is_blank(row) || is_verbatim(f, row)) continue;
      if (auto error = too_deep(row, source.row_indent(row))) return *error;
      script.insertions.push_back({relative(row), 0, unit});
    }
    return script;
  }

  bool proves_instrumented(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                           const std::vector<size_t>& added, const std::vector<TextEdit>& edits,
                           std::string_view output,
                           const std::vector<LanguageTemplate>& known) const override {
    // The rows `remove` takes for the import line (any known template's).
    auto is_import_line = [&known](std::string_view row) {
      return std::any_of(known.begin(), known.end(),
                         [&](const LanguageTemplate& t) { return is_import_row(row, t); });
    };
    return python::proves_instrumented(file, functions, added, edits, output, known,
                                       is_import_line);
  }

  std::optional<TextEdit> add_import(const ParsedSource& file,
                                     const LanguageTemplate& tmpl) const override {
    const SourceText& source = file.source;
    const std::string line = render_template(
        tmpl.import_line, {{"runtime", python::locate_module(file.location).helper_module}});
    for (uint32_t row = 0; row < source.row_count(); ++row)
      if (source.row_text(row) == line) return std::nullopt;
    // An import of the helper from elsewhere (the file moved to another package, or an older
    // telinject put it at the top level) is replaced where it stands.
    for (uint32_t row = 0; row < source.row_count(); ++row)
      if (is_import_row(source.row_text(row), tmpl))
        return TextEdit{source.row_start(row), static_cast<uint32_t>(source.row_text(row).size()),
                        line};
    uint32_t row = python::import_row(file.root);
    if (row >= source.row_count()) return std::nullopt;
    return TextEdit{source.row_start(row), 0, source.localize_newlines(line + "\n")};
  }

  Result<std::vector<TextEdit>> remove(const ParsedSource& file,
                                       const std::vector<FunctionInfo>& functions,
                                       const std::vector<size_t>& selected,
                                       const std::vector<LanguageTemplate>& known) const override {
    const SourceText& source = file.source;
    const std::string_view text = source.text();
    std::vector<TextEdit> edits;
    std::map<uint32_t, uint32_t> strip;  // row -> bytes of indentation to take off its start
    // Rows whose whole indentation goes with the deleted `with` line above them.
    std::vector<uint32_t> joined_rows;
    size_t remaining = 0;
    const std::vector<size_t> chosen = telemetry_to_remove(functions, selected, &remaining);
    for (size_t i : chosen) {
      const FunctionInfo& f = functions[i];
      Body body = function_body(f.node);
      TSNode with = body.statements.front();
      TSNode with_block = ts_node_child_by_field_name(with, "body", 4);
      if (ts_node_is_null(with_block))
        return make_error(f.qualified_name + ": malformed telemetry block");
      Body inner = python::block_body(with_block, false);
      if (inner.statements.empty()) return make_error(f.qualified_name + ": empty telemetry block");
      uint32_t with_row = ts_node_start_point(with).row;
      uint32_t inner_row = ts_node_start_point(inner.statements.front()).row;

      if (inner_row == with_row) {
        // One-line form: delete from the def's colon to the with's colon.
        uint32_t with_start = ts_node_start_byte(with);
        uint32_t colon = with_start;
        while (colon > 0 && (text[colon - 1] == ' ' || text[colon - 1] == '\t')) --colon;
        if (colon > 0 && text[colon - 1] == '\n') --colon;
        if (colon > 0 && text[colon - 1] == '\r') --colon;
        if (colon == 0 || text[colon - 1] != ':' || source.row_of(colon) + 1 != with_row)
          return make_error(f.qualified_name + ": telemetry was moved; remove it by hand");
        uint32_t block_start = ts_node_start_byte(with_block);
        uint32_t with_colon = block_start;
        while (with_colon > with_start &&
               (text[with_colon - 1] == ' ' || text[with_colon - 1] == '\t' ||
                text[with_colon - 1] == '\f'))
          --with_colon;
        if (text[with_colon - 1] != ':')
          return make_error(f.qualified_name + ": malformed telemetry block");
        edits.push_back({colon, with_colon - colon, ""});
        joined_rows.push_back(with_row);
        continue;
      }

      std::string_view with_indent = source.row_indent(with_row);
      std::string_view inner_indent = source.row_indent(inner_row);
      if (inner_indent.size() <= with_indent.size() ||
          inner_indent.substr(0, with_indent.size()) != with_indent)
        return make_error(f.qualified_name + ": telemetry block was re-indented by hand");
      uint32_t unit = static_cast<uint32_t>(inner_indent.size() - with_indent.size());
      uint32_t with_start = ts_node_start_byte(with);
      uint32_t inner_start = ts_node_start_byte(inner.statements.front());
      edits.push_back({with_start, inner_start - with_start, ""});
      // A header a formatter split over several rows (black wraps long ones) goes whole: the
      // rows after its first are inside the deletion, so enclosing functions strip nothing there.
      for (uint32_t row = with_row + 1; row <= inner_row; ++row) joined_rows.push_back(row);
      uint32_t last_row = last_statement_row(inner.statements.back());
      for (uint32_t row = inner_row + 1; row <= last_row; ++row) {
        if (source.row_is_blank(row) || is_verbatim(f, row)) continue;
        strip[row] += unit;
      }
    }
    for (uint32_t row : joined_rows) strip.erase(row);
    for (const auto& [row, length] : strip) {
      std::string_view line = source.row_text(row);
      if (line.size() < length ||
          line.substr(0, length).find_first_not_of(" \t") != std::string_view::npos)
        return make_error("row " + std::to_string(row + 1) +
                          " lost the indentation telinject added; remove telemetry by hand");
      edits.push_back({source.row_start(row), length, ""});
    }
    // Telemetry the tree does not show (indentation tree-sitter cannot follow) still needs
    // the import: count the rows that start with a marker against the blocks taken out.
    size_t marker_rows = 0, taken_out = chosen.size();
    for (uint32_t row = 0; row < source.row_count(); ++row) {
      std::string_view line = source.row_text(row);
      line.remove_prefix(source.row_indent(row).size());
      marker_rows += std::any_of(known.begin(), known.end(), [&](const LanguageTemplate& t) {
        std::string marker = t.marker();
        return !marker.empty() && line.substr(0, marker.size()) == marker;
      });
    }
    if (remaining == 0 && marker_rows <= taken_out) {
      for (uint32_t row = 0; row < source.row_count(); ++row) {
        std::string_view line = source.row_text(row);
        bool is_import = std::any_of(known.begin(), known.end(), [&](const LanguageTemplate& t) {
          return is_import_row(line, t);
        });
        if (!is_import) continue;
        uint32_t end = row + 1 < source.row_count() ? source.row_start(row + 1)
                                                    : static_cast<uint32_t>(text.size());
        edits.push_back({source.row_start(row), end - source.row_start(row), ""});
        break;
      }
    }
    // The tree these edits come from may be wrong where tree-sitter loses track of deep
    // indentation: check them against the blocks Python itself will see.
    std::vector<TextEdit> sorted = edits;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const TextEdit& a, const TextEdit& b) { return a.offset < b.offset; });
    auto kept = python::check_layout_kept(text, sorted);
    if (!kept.ok()) return make_error("Python would read the blocks differently: " + kept.error());
    return edits;
  }

  std::vector<RuntimeFile> runtime(const FileLocation& file) const override {
    return {{python::locate_module(file).helper_path, kPythonRuntime}};
  }

  std::vector<std::string> checker_command(const std::filesystem::path& file) const override {
    return {"python3", "-m", "py_compile", file.string()};
  }

 private:
  std::vector<std::string> extensions_ = {".py", ".pyw"};
  std::vector<LanguageTemplate> templates_;
};

}  // namespace

const LanguageSupport& python_language() {
  static const PythonLanguage language;
  return language;
}

}  // namespace telinject
