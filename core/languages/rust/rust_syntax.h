// Reading Rust syntax trees: the functions of a file with their qualified names and states, and
// the span guard telinject inserts at the start of a body.
#pragma once

#include <tree_sitter/api.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "language.h"

namespace telinject::rust {

inline bool is(TSNode node, const char* type) { return std::strcmp(ts_node_type(node), type) == 0; }

inline std::string_view node_text(const SourceText& source, TSNode node) {
  uint32_t begin = ts_node_start_byte(node);
  return std::string_view(source.text()).substr(begin, ts_node_end_byte(node) - begin);
}

/// `value` as a Rust string literal.
std::string rust_string_literal(const std::string& value);

/// The `{ ... }` body of a function_item or closure_expression; null for a closure whose body
/// is an expression without braces.
TSNode function_body(TSNode function);

/// The `{` token of a block.
TSNode opening_brace(TSNode block);

/// `impl<'a, T> Foo<'a, T>` -> "Foo", `&'a mut [T]` -> "&mut [T]": a type as telinject names it
/// (generic arguments and lifetimes dropped, blanks collapsed).
std::string simplified_type(std::string_view type);

/// Where a span guard sits in a body, found by the template's marker.
struct Telemetry {
  uint32_t remove_begin = 0;  // the bytes whose removal restores the function
  uint32_t remove_end = 0;
};

/// The guard at the start of `body` when its first statement starts with `marker` right after
/// `{ `: nothing when no statement of the body starts with it; an error when one does but not
/// as telinject inserts it (removing it would not restore the original).
std::optional<Result<Telemetry>> find_telemetry(const SourceText& source, TSNode body,
                                                const std::string& marker);

/// What the file's crate says about all its functions: the prefix of their names and why they
/// are left alone (empty: they are not).
struct FileContext {
  std::string prefix;  // "my_crate::a::b", empty for a nameless crate's root
  std::string skip_reason;
};

/// Every function of the file, outer before inner, with states (see LanguageSupport::extract).
std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known,
                                            const FileContext& context);

}  // namespace telinject::rust
