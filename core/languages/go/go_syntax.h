// Reading Go syntax trees: function bodies, the telemetry a function carries, line directives,
// and the walk that finds every function with its qualified name and state.
#pragma once

#include <tree_sitter/api.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "language.h"

namespace telinject::go {

inline bool is(TSNode node, const char* type) { return std::strcmp(ts_node_type(node), type) == 0; }

inline std::string_view node_text(const SourceText& source, TSNode node) {
  uint32_t begin = ts_node_start_byte(node);
  return std::string_view(source.text()).substr(begin, ts_node_end_byte(node) - begin);
}

/// Byte offset of the end of `row`'s text, before its line break.
inline uint32_t row_end(const SourceText& source, uint32_t row) {
  return source.row_start(row) + static_cast<uint32_t>(source.row_text(row).size());
}

/// The import path inside a spec's text: `_x "a/b"` -> a/b (the first quoted string).
std::string_view quoted_path(std::string_view spec);

/// `text` without the blanks and tabs around it.
std::string_view trimmed(std::string_view text);

/// `value` as a Go interpreted string literal.
std::string go_string_literal(const std::string& value);

/// The template's header for function `f`, placeholders replaced: `{name}`, `{qualname}`,
/// `{kind}`, and for the opentelemetry profile `{context}` (the function's context.Context
/// parameter, or a background context), `{ctx}` (that parameter, or `_`), `{file}` (the file's
/// path below the root, as a string literal) and `{line}` (the line of `func`). A header of
/// several rows (separated by line breaks) gives one string per row, tabs included.
std::string render_header(const LanguageTemplate& tmpl, const FunctionInfo& f);
std::vector<std::string> render_header_rows(const LanguageTemplate& tmpl, const FunctionInfo& f,
                                            const ParsedSource& file);

/// The name of the function's first parameter of type context.Context (`ctx` in
/// `func f(ctx context.Context)`), or empty when it has none or it is unnamed or `_`.
std::string context_parameter(const SourceText& source, TSNode function);

/// A function body: its `{ ... }` block and the statements in it (comments left out).
struct Body {
  TSNode block{};
  std::vector<TSNode> statements;
  uint32_t open_row = 0;   // row of `{`
  uint32_t close_row = 0;  // row of `}`
};

/// The body of a function_declaration, method_declaration or func_literal; `block` is null when
/// the function has none (declared for assembly).
Body function_body(TSNode function);

/// The line the Go compiler gives `row` (1-based), following `//line` directives above it (and
/// `/*line ...*/` directives that end a row): telinject keeps the original numbering with them.
uint32_t logical_line(const SourceText& source, uint32_t row);

/// Where telemetry inserted by telinject sits in a function, found by the template's marker.
struct Telemetry {
  TSNode statement{};         // the inserted statement
  uint32_t remove_begin = 0;  // the bytes whose removal restores the function
  uint32_t remove_end = 0;
};

/// The telemetry at the start of `body` when its first statement starts with `marker`:
/// nothing when no statement does; an error naming what changed when the telemetry is no longer
/// first or laid out as telinject inserts it (so removing it would not restore the original).
std::optional<Result<Telemetry>> find_telemetry(const SourceText& source, const Body& body,
                                                const std::string& marker);

/// find_telemetry for any template: a header of several rows is found as telinject inserts
/// it, each row after a `//line` directive giving it the brace's line, the rows matching the
/// template's (placeholders match anything).
std::optional<Result<Telemetry>> find_template_telemetry(const SourceText& source, const Body& body,
                                                         const LanguageTemplate& tmpl);

/// Whether the template's header takes several rows.
inline bool is_multi_row(const LanguageTemplate& tmpl) {
  return tmpl.header.find('\n') != std::string::npos;
}

/// The single-line form `func f() { stmt }` keeps a body on one row; gofmt keeps it there only
/// while the header and statements fit 100 bytes and there are at most 5 statements. True when
/// adding `statement` keeps it so.
bool one_line_body_fits(const SourceText& source, TSNode function, const Body& body,
                        std::string_view statement);

/// Every function of the file, outer before inner, with states (see LanguageSupport::extract).
std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known);

/// The functions inside `declarations` (see LanguageSupport::extract_top_level).
std::optional<std::vector<FunctionInfo>> extract_top_level(
    const ParsedSource& file, const std::vector<LanguageTemplate>& known,
    const std::vector<TSNode>& declarations, const std::vector<FunctionInfo>& kept);

}  // namespace telinject::go
