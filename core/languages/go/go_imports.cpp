#include "go/go_imports.h"

#include <vector>

#include "go/go_syntax.h"

namespace telinject::go {
namespace {

// The specs of one import declaration: the `import_spec`s directly in it or in its list.
struct ImportDeclaration {
  TSNode node{};
  TSNode list{};  // import_spec_list, null for `import "x"`
  std::vector<TSNode> specs;
  bool has_comment = false;
};

std::vector<ImportDeclaration> import_declarations(TSNode root, TSNode* package_clause) {
  std::vector<ImportDeclaration> out;
  uint32_t count = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(root, i);
    if (is(child, "package_clause") && ts_node_is_null(*package_clause)) *package_clause = child;
    if (!is(child, "import_declaration")) continue;
    ImportDeclaration declaration;
    declaration.node = child;
    uint32_t parts = ts_node_named_child_count(child);
    for (uint32_t k = 0; k < parts; ++k) {
      TSNode part = ts_node_named_child(child, k);
      if (is(part, "import_spec")) declaration.specs.push_back(part);
      if (is(part, "comment")) declaration.has_comment = true;
      if (!is(part, "import_spec_list")) continue;
      declaration.list = part;
      uint32_t items = ts_node_named_child_count(part);
      for (uint32_t j = 0; j < items; ++j) {
        TSNode item = ts_node_named_child(part, j);
        if (is(item, "import_spec"))
          declaration.specs.push_back(item);
        else
          declaration.has_comment = true;
      }
    }
    out.push_back(std::move(declaration));
  }
  return out;
}

std::string_view spec_path(const SourceText& source, TSNode spec) {
  TSNode path = ts_node_child_by_field_name(spec, "path", 4);
  if (ts_node_is_null(path)) return {};
  std::string_view text = node_text(source, path);
  return text.size() >= 2 ? text.substr(1, text.size() - 2) : text;
}

// A group telinject may add to: one spec per row, nothing else on the rows of `(`, the specs
// and `)`, no comments (their alignment and attachment would change), no cgo.
bool is_plain_group(const SourceText& source, const ImportDeclaration& declaration) {
  if (ts_node_is_null(declaration.list) || declaration.specs.empty() || declaration.has_comment)
    return false;
  uint32_t open_row = ts_node_start_point(declaration.list).row;
  uint32_t close_row = ts_node_end_point(declaration.list).row;
  uint32_t open_column = ts_node_start_point(declaration.list).column;
  if (trimmed(source.row_text(open_row).substr(open_column + 1)) != "") return false;
  if (trimmed(source.row_text(close_row)) != ")") return false;
  uint32_t previous = open_row;
  for (TSNode spec : declaration.specs) {
    uint32_t row = ts_node_start_point(spec).row;
    if (row <= previous || row >= close_row || spec_path(source, spec) == "C") return false;
    if (trimmed(source.row_text(row)) != node_text(source, spec)) return false;
    previous = row;
  }
  return true;
}

// The directive for a row inserted after `row` when `inserted` rows are added there: it names
// the line of the break that follows it, so the rows below keep their numbers. The inserted row
// then shares its line with the original row `row + inserted`; when that row holds a comment,
// the parser (which reads lines through directives) would take the comment for one on the
// import's line and gofmt would move it, so there is no directive then (the rows up to the
// first instrumented function's own directive are shifted).
// A comment on `row` itself would be aligned with the directive by gofmt: no directive either.
std::string line_directive_after(const SourceText& source, uint32_t row, uint32_t inserted) {
  for (uint32_t near : {row, row + inserted}) {
    if (near >= source.row_count()) continue;
    std::string_view text = source.row_text(near);
    if (text.find("//") != std::string_view::npos || text.find("/*") != std::string_view::npos)
      return "";
  }
  uint32_t next = logical_line(source, row + 1);
  return next > 1 ? " /*line :" + std::to_string(next - 1) + ":1*/" : "";
}

// True when `rest` is "" or a `/*line :N:1*/` directive as line_directive_after writes it.
bool is_directive_suffix(std::string_view rest) {
  if (rest.empty()) return true;
  constexpr std::string_view kOpen = " /*line :", kClose = ":1*/";
  if (rest.size() <= kOpen.size() + kClose.size() || rest.substr(0, kOpen.size()) != kOpen ||
      rest.substr(rest.size() - kClose.size()) != kClose)
    return false;
  std::string_view digits = rest.substr(kOpen.size(), rest.size() - kOpen.size() - kClose.size());
  return digits.find_first_not_of("0123456789") == std::string_view::npos;
}

bool matches_spec(std::string_view text, const std::string& spec, const std::string& import_line) {
  if (text == spec) return true;
  size_t slot = import_line.find("{helper}");
  if (slot == std::string::npos) return false;
  std::string_view prefix = std::string_view(import_line).substr(0, slot);
  std::string_view suffix = std::string_view(import_line).substr(slot + 8);
  if (text.size() < prefix.size() + suffix.size() || text.substr(0, prefix.size()) != prefix ||
      text.substr(text.size() - suffix.size()) != suffix)
    return false;
  std::string_view path = text.substr(prefix.size(), text.size() - prefix.size() - suffix.size());
  return path == "telinject" || (path.size() > 10 && path.substr(path.size() - 10) == "/telinject");
}

}  // namespace

std::optional<TextEdit> add_import_spec(const SourceText& source, TSNode root,
                                        const std::string& spec) {
  TSNode package_clause{};
  std::vector<ImportDeclaration> declarations = import_declarations(root, &package_clause);
  for (const ImportDeclaration& declaration : declarations)
    for (TSNode existing : declaration.specs)
      if (node_text(source, existing) == spec) return std::nullopt;

  const ImportDeclaration* group = nullptr;
  for (const ImportDeclaration& declaration : declarations)
    if (!ts_node_is_null(declaration.list)) group = &declaration;
  if (group && is_plain_group(source, *group)) {
    // gofmt sorts each run of specs (runs end at blank rows): join the last run in order.
    size_t run_begin = 0;
    for (size_t i = 1; i < group->specs.size(); ++i)
      if (ts_node_start_point(group->specs[i]).row >
          ts_node_start_point(group->specs[i - 1]).row + 1)
        run_begin = i;
    std::string_view path = quoted_path(spec);
    uint32_t after_row = ts_node_start_point(group->specs.back()).row;
    for (size_t i = run_begin; i < group->specs.size(); ++i) {
      if (spec_path(source, group->specs[i]) > path) {
        after_row = ts_node_start_point(group->specs[i]).row - 1;
        break;
      }
    }
    return TextEdit{
        row_end(source, after_row), 0,
        source.localize_newlines("\n\t" + spec + line_directive_after(source, after_row, 1))};
  }
  // After the last import declaration; with no imports, after the package clause and a blank
  // row (gofmt separates the package clause from what follows).
  if (!declarations.empty()) {
    uint32_t after_row = ts_node_end_point(declarations.back().node).row;
    return TextEdit{
        row_end(source, after_row), 0,
        source.localize_newlines("\nimport " + spec + line_directive_after(source, after_row, 1))};
  }
  if (ts_node_is_null(package_clause)) return std::nullopt;
  uint32_t after_row = ts_node_end_point(package_clause).row;
  return TextEdit{
      row_end(source, after_row), 0,
      source.localize_newlines("\n\nimport " + spec + line_directive_after(source, after_row, 2))};
}

std::optional<TextEdit> add_import_declarations(const SourceText& source, TSNode root,
                                                const std::vector<std::string>& specs) {
  TSNode package_clause{};
  std::vector<ImportDeclaration> declarations = import_declarations(root, &package_clause);
  std::vector<std::string> missing;
  for (const std::string& spec : specs) {
    bool present = false;
    for (const ImportDeclaration& declaration : declarations)
      for (TSNode existing : declaration.specs) present |= node_text(source, existing) == spec;
    if (!present) missing.push_back(spec);
  }
  if (missing.empty()) return std::nullopt;
  uint32_t after_row = 0;
  std::string text;
  if (!declarations.empty()) {
    after_row = ts_node_end_point(declarations.back().node).row;
  } else if (!ts_node_is_null(package_clause)) {
    after_row = ts_node_end_point(package_clause).row;
    text = "\n";
  } else {
    return std::nullopt;
  }
  uint32_t inserted = static_cast<uint32_t>(missing.size() + (text.empty() ? 0 : 1));
  for (const std::string& spec : missing) text += "\nimport " + spec;
  // The added rows share their lines with the rows below them up to `inserted`: none may hold
  // a comment (line_directive_after checks the last one).
  bool comments = false;
  for (uint32_t row = after_row + 1; row < after_row + inserted && row < source.row_count(); ++row)
    comments |= source.row_text(row).find("//") != std::string_view::npos ||
                source.row_text(row).find("/*") != std::string_view::npos;
  if (!comments) text += line_directive_after(source, after_row, inserted);
  return TextEdit{row_end(source, after_row), 0, source.localize_newlines(text)};
}

std::optional<TextEdit> remove_import_spec(const SourceText& source, TSNode root,
                                           const std::string& spec,
                                           const std::string& import_line) {
  TSNode package_clause{};
  for (const ImportDeclaration& declaration : import_declarations(root, &package_clause)) {
    for (TSNode existing : declaration.specs) {
      std::string_view text = node_text(source, existing);
      if (!matches_spec(text, spec, import_line)) continue;
      uint32_t row = ts_node_start_point(existing).row;
      std::string_view line = source.row_text(row);
      if (row == 0) return std::nullopt;
      if (!ts_node_is_null(declaration.list)) {
        size_t indent = line.find_first_not_of(" \t");
        if (line.substr(indent, text.size()) != text ||
            !is_directive_suffix(line.substr(indent + text.size())))
          return std::nullopt;
        return TextEdit{row_end(source, row - 1), row_end(source, row) - row_end(source, row - 1),
                        ""};
      }
      std::string_view declaration_text = "import ";
      if (line.substr(0, declaration_text.size()) != declaration_text ||
          line.substr(declaration_text.size(), text.size()) != text ||
          !is_directive_suffix(line.substr(declaration_text.size() + text.size())))
        return std::nullopt;
      uint32_t from = row >= 2 && source.row_is_blank(row - 1) ? row - 2 : row - 1;
      return TextEdit{row_end(source, from), row_end(source, row) - row_end(source, from), ""};
    }
  }
  return std::nullopt;
}

}  // namespace telinject::go
