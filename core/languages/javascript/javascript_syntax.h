// Reading JavaScript and TypeScript syntax trees (the three grammars share node names): where a
// function's body opens and closes, what must stay in front of the telemetry (directives, a
// derived constructor's super() call), and the walk that finds every function with its
// qualified name and state.
#pragma once

#include <tree_sitter/api.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "language.h"

namespace telinject::javascript {

inline bool is(TSNode node, const char* type) { return std::strcmp(ts_node_type(node), type) == 0; }

inline std::string_view node_text(const SourceText& source, TSNode node) {
  uint32_t begin = ts_node_start_byte(node);
  return std::string_view(source.text()).substr(begin, ts_node_end_byte(node) - begin);
}

/// A function's body as instrumentation sees it.
struct BodyLayout {
  TSNode body{};
  bool expression = false;         // an arrow function whose body is an expression
  uint32_t open = 0;               // block: the byte after '{'
  uint32_t close = 0;              // block: the byte of the closing '}'
  std::vector<TSNode> statements;  // block: named children other than comments
  /// Statements that stay in front of the telemetry: the directive prologue ("use strict"),
  /// and in a derived class's constructor everything up to its top-level super(...) call
  /// (TypeScript requires that call at the root of the constructor).
  size_t kept_in_front = 0;
};

/// The layout of a function node's body. `derived_constructor`: the function is the
/// constructor of a class with an `extends` clause.
BodyLayout body_layout(TSNode function, bool derived_constructor);

/// True when `function` is a constructor of a class that extends another.
bool is_derived_constructor(const SourceText& source, TSNode function);

/// Node symbols the walk cares about, resolved once per grammar.
class NodeKinds {
 public:
  enum Kind : uint8_t { kOther, kFunction, kClass, kObject, kNamespace, kComment };
  explicit NodeKinds(const TSLanguage* grammar);
  Kind of(TSNode node) const {
    TSSymbol symbol = ts_node_symbol(node);
    return symbol < kinds_.size() ? kinds_[symbol] : kOther;
  }

 private:
  std::vector<Kind> kinds_;
};

/// Every function of the file, outer before inner, with states (see LanguageSupport::extract).
std::vector<FunctionInfo> extract_functions(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known,
                                            const NodeKinds& kinds);

}  // namespace telinject::javascript
