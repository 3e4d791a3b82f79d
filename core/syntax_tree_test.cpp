// SyntaxTree::reparse must give the tree a fresh parse gives, whatever the edits.
#include "syntax_tree.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "language.h"

using namespace telinject;

namespace {

std::string sexp(const SyntaxTree& tree) {
  char* text = ts_node_string(tree.root());
  std::string out(text);
  std::free(text);
  return out;
}

TSPoint point_of(const std::string& text, size_t offset) {
  TSPoint p{0, 0};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++p.row;
      p.column = 0;
    } else {
      ++p.column;
    }
  }
  return p;
}

}  // namespace

TEST_SUITE("syntax_tree") {
  TEST_CASE("a parse does not depend on what the thread parsed before") {
    // tree-sitter-python's scanner kept `inside_f_string` from an unterminated f-string into
    // the next parse (found by fuzz_roundtrip_python).
    const TSLanguage* python = LanguageRegistry::instance().by_name("python")->grammar();
    const std::string text = ":\n :#";
    auto before = SyntaxTree::parse(python, text);
    REQUIRE(before.ok());
    auto unterminated = SyntaxTree::parse(python, "f\"{");
    REQUIRE(unterminated.ok());
    auto after = SyntaxTree::parse(python, text);
    REQUIRE(after.ok());
    CHECK(sexp(*after) == sexp(*before));
  }

  TEST_CASE("incremental reparse equals a fresh parse after random edits") {
    const TSLanguage* python = LanguageRegistry::instance().by_name("python")->grammar();
    std::string text =
        "import os\n\n\nclass A:\n    def f(self, x):\n        return x + 1\n\n"
        "def g(y):\n    s = \"\"\"doc\n    more\"\"\"\n    return [i for i in y]\n";
    auto tree = SyntaxTree::parse(python, text);
    REQUIRE(tree.ok());
    SyntaxTree current = std::move(*tree);
    const char* pieces[] = {"x",  " ", "\n", "    ",     "def h():\n    pass\n", "(", ")", ":",
                            "\"", "é", "#",  "yield 1\n"};
    std::mt19937 random(7);
    for (int round = 0; round < 300; ++round) {
      size_t start = random() % (text.size() + 1);
      size_t length = std::min<size_t>(random() % 4, text.size() - start);
      std::string insert = pieces[random() % std::size(pieces)];
      std::string next = text.substr(0, start) + insert + text.substr(start + length);
      TSInputEdit edit{static_cast<uint32_t>(start),
                       static_cast<uint32_t>(start + length),
                       static_cast<uint32_t>(start + insert.size()),
                       point_of(text, start),
                       point_of(text, start + length),
                       point_of(next, start + insert.size())};
      auto reparsed = SyntaxTree::reparse(python, current, {edit}, next);
      auto fresh = SyntaxTree::parse(python, next);
      REQUIRE(reparsed.ok());
      REQUIRE(fresh.ok());
      CHECK(sexp(*reparsed) == sexp(*fresh));
      CHECK(reparsed->error_count() == fresh->error_count());
      text = std::move(next);
      current = std::move(*reparsed);
    }
  }
}
