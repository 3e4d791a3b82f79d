// Reading Java syntax trees: where a method's, constructor's or lambda's body opens and closes,
// what stays in front of the telemetry (a constructor's this(...)/super(...) call), the package
// a file declares, and the walk that finds every function with the name a Java stack trace
// gives it (com.example.Shop$Cart.add, <init> for constructors).
#pragma once

#include <tree_sitter/api.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "language.h"

namespace telinject::java {

inline bool is(TSNode node, const char* type) { return std::strcmp(ts_node_type(node), type) == 0; }

inline std::string_view node_text(const SourceText& source, TSNode node) {
  uint32_t begin = ts_node_start_byte(node);
  return std::string_view(source.text()).substr(begin, ts_node_end_byte(node) - begin);
}

/// A function's body as instrumentation sees it.
struct Body {
  TSNode block{};                  // null: no body (abstract, native) or an expression lambda
  uint32_t open = 0;               // the byte after '{'
  uint32_t close = 0;              // the byte of the closing '}'
  std::vector<TSNode> statements;  // named children other than comments
  /// 1 when the first statement is a constructor's this(...)/super(...) call, which must stay
  /// first: the telemetry goes after it.
  size_t kept_in_front = 0;
};

/// The body of a method_declaration, constructor_declaration, compact_constructor_declaration
/// or lambda_expression.
Body function_body(TSNode function);

/// How many lambdas enclose `function` (itself included) up to the nearest method, constructor
/// or class body: lambdas cannot redeclare a local of the code around them, so each level
/// names its span variable apart ("" at 0, then "1", "2", ...).
std::string span_suffix(TSNode function);

/// The package a Java file declares ("com.example"), read from the start of its text without a
/// parse (comments and annotations skipped); empty for the default package.
std::string declared_package(std::string_view text);

/// Every function of the file, outer before inner, with states (see LanguageSupport::extract).
/// Names start with the file's first package declaration.
std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known);

/// Where the telemetry of an instrumented body sits: the bytes to take out, in order.
struct Telemetry {
  uint32_t header_begin = 0, header_end = 0;
  uint32_t footer_begin = 0, footer_end = 0;
};

/// The telemetry of `tmpl` in `body` as telinject inserts it (its name and line may be stale),
/// nothing when the body does not start with the template's marker, or an error when it does
/// but the telemetry is no longer laid out as inserted (removal would not restore the
/// original).
std::optional<Result<Telemetry>> find_telemetry(const SourceText& source, const Body& body,
                                                const LanguageTemplate& tmpl,
                                                const std::string& suffix);

}  // namespace telinject::java
