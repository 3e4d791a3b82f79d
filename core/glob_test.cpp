#include "glob.h"

#include <doctest/doctest.h>

using namespace telinject;

TEST_SUITE("glob") {
  TEST_CASE("path globs") {
    CHECK(glob_match("*.py", "a.py"));
    CHECK_FALSE(glob_match("*.py", "dir/a.py"));
    CHECK(glob_match("src/**/*.py", "src/a.py"));
    CHECK(glob_match("src/**/*.py", "src/x/y/a.py"));
    CHECK(glob_match("**/migrations/**", "app/migrations/0001.py"));
    CHECK(glob_match("tests/**", "tests/a/b.py"));
    CHECK_FALSE(glob_match("tests/**", "src/tests.py"));
    CHECK(glob_match("a?c", "abc"));
    CHECK_FALSE(glob_match("a?c", "a/c"));
    CHECK(glob_match("[a-c]x", "bx"));
    CHECK_FALSE(glob_match("[!a-c]x", "bx"));
    CHECK(glob_match("\\*x", "*x"));
    CHECK_FALSE(glob_match("\\*x", "ax"));
    CHECK(glob_match("**", "anything/at/all"));
  }

  TEST_CASE("name globs cross dots") {
    CHECK(name_glob_match("*.test_*", "pkg.Class.test_one"));
    CHECK(name_glob_match("pkg.*", "pkg.a.b"));
    CHECK_FALSE(name_glob_match("*.test_*", "pkg.Class.helper"));
  }
}
