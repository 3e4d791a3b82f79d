// Reading Python syntax trees: function bodies, docstrings, and the walk that finds every
// function with its qualified name and state.
#pragma once

#include <tree_sitter/api.h>

#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "language.h"

namespace telinject::python {

inline bool is(TSNode node, const char* type) { return std::strcmp(ts_node_type(node), type) == 0; }

inline std::string_view node_text(const SourceText& source, TSNode node) {
  uint32_t begin = ts_node_start_byte(node);
  return std::string_view(source.text()).substr(begin, ts_node_end_byte(node) - begin);
}

/// A block's statements. `first` is its first statement (the docstring when there is one);
/// `statements` are the statements after the docstring; comments are left out.
struct Body {
  TSNode block{};
  TSNode first{};
  TSNode docstring{};
  std::vector<TSNode> statements;
};

/// `allow_docstring`: a leading string statement is a docstring (function bodies), not code.
Body block_body(TSNode block, bool allow_docstring);
/// The body of a `function_definition`.
Body function_body(TSNode function_definition);

/// The last row a statement occupies with code (a node that ends at column 0 ended on the row
/// before).
uint32_t last_statement_row(TSNode statement);

/// The row before which a module's import goes: after the docstring and `from __future__`
/// imports, else before the first statement.
uint32_t import_row(TSNode module);

/// Every function of the file, outer before inner, with states (see LanguageSupport::extract).
std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known);

/// The functions inside `statements` (see LanguageSupport::extract_top_level).
std::optional<std::vector<FunctionInfo>> extract_top_level(
    const ParsedSource& file, const std::vector<LanguageTemplate>& known,
    const std::vector<TSNode>& statements, const std::vector<FunctionInfo>& kept);

}  // namespace telinject::python
