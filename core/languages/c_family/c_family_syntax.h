// Reading C and C++ syntax trees: the functions of a file with the names C++ stack traces give
// them, the state of each, and the span statement telinject puts after a body's `{`.
#pragma once

#include <tree_sitter/api.h>

#include <optional>
#include <string>
#include <vector>

#include "language.h"

namespace telinject::c_family {

/// Which grammar the tree comes from: C has no namespaces, classes, lambdas or constexpr.
enum class Dialect : uint8_t { kC, kCpp };

/// Every function definition and lambda of the file, outer before inner, with its state (see
/// LanguageSupport::extract). Names: `f` in C; `ns::A::f`, `ns::A::A`, `ns::A::~A`,
/// `ns::A::operator==`, `(anonymous namespace)::f`, `ns::f::{lambda#1}` in C++ (docs/c.md).
std::vector<FunctionInfo> extract_functions(const ParsedSource& file, Dialect dialect,
                                            const std::vector<LanguageTemplate>& known);

/// The `{ ... }` body of a function definition or lambda, or a null node.
TSNode function_body(TSNode function);

/// Where a span statement telinject inserted sits: right after the body's `{`, one space
/// before it. `remove_begin`..`remove_end` are the bytes whose removal restores the function.
struct SpanStatement {
  uint32_t remove_begin = 0;
  uint32_t remove_end = 0;
};

/// The span statement of `body` when a statement of it starts with `marker`: nothing when none
/// does; an error when it is not first or not laid out as telinject inserts it.
std::optional<Result<SpanStatement>> find_span_statement(const SourceText& source, TSNode body,
                                                         const std::string& marker);

/// The include telinject adds: `#include "telinject.h"` and a `#line` directive that gives the
/// next row its original number. `line_after` is that number.
std::string include_text(const std::string& include_line, uint32_t line_after);

/// Where the include goes: the start of the row after the last `#include` at the top of the
/// file (outside functions, inside a header guard too), or the file's first byte.
uint32_t include_row(const SourceText& source, TSNode root, bool* at_start);

/// The edit that takes out an include telinject added (`include_line` and the `#line` after
/// it), or nothing when the file has none.
std::optional<TextEdit> find_include(const SourceText& source, const std::string& include_line);

}  // namespace telinject::c_family
