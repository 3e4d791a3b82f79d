#include "gitignore.h"

#include <doctest/doctest.h>

using namespace telinject;

TEST_SUITE("gitignore") {
  TEST_CASE("patterns, anchoring, negation, directories") {
    GitignoreRules rules;
    rules.push_text("# comment\n*.log\n/build\ndocs/*.tmp\n!keep.log\ncache/\n\\#literal\n", "/r");
    CHECK(rules.ignored("/r/a.log", false));
    CHECK(rules.ignored("/r/deep/x/a.log", false));
    CHECK_FALSE(rules.ignored("/r/keep.log", false));
    CHECK(rules.ignored("/r/build", true));
    CHECK_FALSE(rules.ignored("/r/src/build", true));
    CHECK(rules.ignored("/r/docs/a.tmp", false));
    CHECK_FALSE(rules.ignored("/r/x/docs/a.tmp", false));
    CHECK(rules.ignored("/r/x/cache", true));
    CHECK_FALSE(rules.ignored("/r/x/cache", false));
    CHECK(rules.ignored("/r/#literal", false));
    CHECK_FALSE(rules.ignored("/other/a.log", false));
  }

  TEST_CASE("deeper files override and pop") {
    GitignoreRules rules;
    rules.push_text("*.gen.py\n", "/r");
    size_t n = rules.push_text("!special.gen.py\n", "/r/sub");
    CHECK(rules.ignored("/r/sub/x.gen.py", false));
    CHECK_FALSE(rules.ignored("/r/sub/special.gen.py", false));
    rules.pop(n);
    CHECK(rules.ignored("/r/sub/special.gen.py", false));
  }
}
