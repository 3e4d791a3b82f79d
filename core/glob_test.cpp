#include "glob.h"

#include <doctest/doctest.h>

#include <string>

using namespace telinject;

TEST_SUITE("glob") {
  TEST_CASE("star and question mark stay inside one segment") {
    CHECK(glob_match("*.py", "a.py"));
    CHECK(glob_match("*.py", ".py"));
    CHECK(glob_match("*", ".hidden"));
    CHECK_FALSE(glob_match("*.py", "dir/a.py"));
    CHECK_FALSE(glob_match("*.py", "a.pyc"));
    CHECK(glob_match("a*b*c", "aXbYbZc"));
    CHECK(glob_match("a**b", "aXXb"));  // "**" inside a segment is a plain "*"
    CHECK_FALSE(glob_match("a**b", "a/b"));
    CHECK(glob_match("a?c", "abc"));
    CHECK_FALSE(glob_match("a?c", "a/c"));
    CHECK_FALSE(glob_match("a?c", "ac"));
    CHECK(glob_match("src/*/x.py", "src/pkg/x.py"));
    CHECK_FALSE(glob_match("src/*/x.py", "src/a/b/x.py"));
    CHECK(glob_match("*/", "dir/"));
    CHECK(glob_match("", ""));
    CHECK_FALSE(glob_match("", "a"));
  }

  TEST_CASE("double star spans directories") {
    CHECK(glob_match("src/**/*.py", "src/a.py"));
    CHECK(glob_match("src/**/*.py", "src/x/y/a.py"));
    CHECK_FALSE(glob_match("src/**/*.py", "lib/src/a.py"));
    CHECK(glob_match("**/migrations/**", "app/migrations/0001.py"));
    CHECK(glob_match("**/migrations/**", "migrations/0001.py"));
    CHECK_FALSE(glob_match("**/migrations/**", "app/migrations"));
    CHECK(glob_match("**/x", "x"));
    CHECK(glob_match("**/x", "a/b/x"));
    CHECK_FALSE(glob_match("**/x", "a/bx"));
    CHECK(glob_match("tests/**", "tests/a/b.py"));
    CHECK_FALSE(glob_match("tests/**", "tests"));
    CHECK_FALSE(glob_match("tests/**", "src/tests.py"));
    CHECK(glob_match("a/**/b", "a/b"));
    CHECK(glob_match("a/**/b", "a/x/y/b"));
    CHECK_FALSE(glob_match("a/**/b", "a/xb"));
    CHECK(glob_match("a/**/**/b", "a/b"));
    CHECK(glob_match("**", "anything/at/all"));
    CHECK(glob_match("**/*_test.py", "deep/er/x_test.py"));
  }

  TEST_CASE("bracket classes") {
    CHECK(glob_match("[a-c]x", "bx"));
    CHECK_FALSE(glob_match("[a-c]x", "dx"));
    CHECK_FALSE(glob_match("[!a-c]x", "bx"));
    CHECK(glob_match("[!a-c]x", "dx"));
    CHECK(glob_match("[^a-c]x", "dx"));
    CHECK(glob_match("[]]", "]"));
    CHECK(glob_match("[!]]", "a"));
    CHECK(glob_match("[a-]", "-"));
    CHECK(glob_match("[\\]]", "]"));
    CHECK(glob_match("v[0-9][0-9]", "v42"));
    CHECK(glob_match("[[:digit:]][[:upper:]]", "7Q"));
    CHECK_FALSE(glob_match("[[:digit:]]", "x"));
    CHECK_FALSE(glob_match("a[/]b", "a/b"));  // classes never match '/' in paths
    CHECK(glob_match("[abc", "[abc"));        // unterminated: literal '['
    CHECK(glob_match("*[0-9].py", "mod1.py"));
    CHECK_FALSE(glob_match("*[0-9].py", "mod.py"));
  }

  TEST_CASE("escapes") {
    CHECK(glob_match("\\*x", "*x"));
    CHECK_FALSE(glob_match("\\*x", "ax"));
    CHECK(glob_match("\\#a", "#a"));
    CHECK(glob_match("a\\ ", "a "));
    CHECK(glob_match("\\[x]", "[x]"));
    CHECK_FALSE(glob_match("abc\\", "abc\\"));  // a trailing lone backslash matches nothing
  }

  TEST_CASE("no exponential blow-up on pathological patterns") {
    std::string text(60, 'a');
    CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", text));
    CHECK_FALSE(name_glob_match("*a*a*a*a*a*a*a*a*b", text));
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "d/";
    deep += "file";
    CHECK_FALSE(glob_match("**/**/**/**/**/**/**/**/x", deep));
    CHECK(glob_match("**/**/**/**/**/**/**/**/file", deep));
    CHECK(glob_match("d/**/**", deep));
  }

  TEST_CASE("name globs cross dots and slashes") {
    CHECK(name_glob_match("*.test_*", "pkg.Class.test_one"));
    CHECK(name_glob_match("pkg.*", "pkg.a.b"));
    CHECK(name_glob_match("*", "a/b.c"));
    CHECK(name_glob_match("a**z", "a.b.z"));
    CHECK_FALSE(name_glob_match("*.test_*", "pkg.Class.helper"));
    CHECK(name_glob_match("pkg.?", "pkg.x"));
    CHECK(name_glob_match("pkg.[!_]*", "pkg.public"));
    CHECK_FALSE(name_glob_match("pkg.[!_]*", "pkg._private"));
  }

  TEST_CASE("path globs as gitignore writes them") {
    auto parsed = [](std::string_view text) { return *parse_path_glob(text); };
    CHECK_FALSE(parse_path_glob("").has_value());
    CHECK_FALSE(parse_path_glob("/").has_value());

    PathGlob name = parsed("*.log");
    CHECK(name.basename_only);
    CHECK(path_glob_match(name, "a.log", false));
    CHECK(path_glob_match(name, "x/y/a.log", false));

    PathGlob anchored = parsed("/build");
    CHECK_FALSE(anchored.basename_only);
    CHECK(anchored.pattern == "build");
    CHECK(path_glob_match(anchored, "build", true));
    CHECK_FALSE(path_glob_match(anchored, "src/build", true));

    PathGlob inner = parsed("docs/*.tmp");
    CHECK(path_glob_match(inner, "docs/a.tmp", false));
    CHECK_FALSE(path_glob_match(inner, "x/docs/a.tmp", false));

    PathGlob directory = parsed("cache/");
    CHECK(directory.directory_only);
    CHECK(directory.basename_only);  // a trailing '/' does not anchor
    CHECK(path_glob_match(directory, "x/cache", true));
    CHECK_FALSE(path_glob_match(directory, "x/cache", false));

    PathGlob anchored_directory = parsed("a/b/");
    CHECK(path_glob_match(anchored_directory, "a/b", true));
    CHECK_FALSE(path_glob_match(anchored_directory, "x/a/b", true));
  }
  TEST_CASE("a pattern names a path only through a written-out segment") {
    auto names = [](std::string_view pattern, std::string_view relative, bool is_directory) {
      return path_glob_names(*parse_path_glob(pattern), relative, is_directory);
    };
    // The directory itself, at its place or at any depth, or through a pattern below it.
    CHECK(names("src/build", "src/build", true));
    CHECK(names("build", "src/pkg/build", true));
    CHECK(names("build/", "src/pkg/build", true));
    CHECK(names("**/build/**", "src/build", true));
    CHECK(names("src/build/*.py", "src/build", true));
    CHECK(names("src/*/x.py", "src", true));  // the wildcard is below, not on "src"
    // An ancestor, or a wildcard lined up with the last component, does not name it.
    CHECK_FALSE(names("src", "src/build", true));
    CHECK_FALSE(names("src/**", "src/build", true));
    CHECK_FALSE(names("**/*.py", "src/build", true));
    CHECK_FALSE(names("src/*/x.py", "src/build", true));
    CHECK_FALSE(names("*", "build", true));
    CHECK_FALSE(names("build*", "src/build", true));
    CHECK_FALSE(names("bui?d", "src/build", true));
    CHECK_FALSE(names("[b]uild", "src/build", true));
    CHECK(names("\\[b]uild", "src/[b]uild", true));  // escaped: written out
    CHECK_FALSE(names("other/build", "src/build", true));
    CHECK_FALSE(names("/build", "src/build", true));
    // Files: matched whole; nothing lies below a file; directory-only patterns never name one.
    CHECK_FALSE(names("*.py", "gen/x.py", false));
    CHECK_FALSE(names("gen/*.py", "gen/x.py", false));
    CHECK(names("gen/x.py", "gen/x.py", false));
    CHECK(names("**/x.py", "a/b/x.py", false));
    CHECK_FALSE(names("gen/x.py/", "gen/x.py", false));
    CHECK_FALSE(names("gen/x.py/more", "gen/x.py", false));
    CHECK_FALSE(names("gen/**", "gen/x.py", false));
    CHECK_FALSE(names("gen", "gen/x.py", false));
  }
}
