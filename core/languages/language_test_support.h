// What the language folders' unit tests share: one text parsed and extracted by a language, and
// its functions looked up by qualified name.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "language.h"
#include "source_text.h"
#include "syntax_tree.h"

namespace telinject::testing {

struct Extracted {
  SourceText source;
  SyntaxTree tree;
  std::vector<FunctionInfo> functions;
};

/// `text` parsed with `language`'s grammar and its functions extracted with the builtin
/// templates, as the module `module` at `location`.
inline std::unique_ptr<Extracted> extract(const LanguageSupport& language, const std::string& text,
                                          const std::string& module = "",
                                          const FileLocation& location = {}) {
  auto e = std::make_unique<Extracted>();
  e->source = SourceText(text);
  auto tree = SyntaxTree::parse(language.grammar(), e->source.text());
  REQUIRE(tree.ok());
  e->tree = std::move(*tree);
  e->functions =
      language.extract({e->source, e->tree.root(), module, location}, language.builtin_templates());
  return e;
}

/// The function named `qualified`; fails the test when there is none.
inline const FunctionInfo& named(const Extracted& e, const std::string& qualified) {
  for (const auto& f : e.functions)
    if (f.qualified_name == qualified) return f;
  FAIL("no function " << qualified);
  return e.functions.front();
}

}  // namespace telinject::testing
