#include "gitignore.h"

#include <doctest/doctest.h>

#include "test_support.h"

using namespace telinject;
using telinject::testing::TempDir;
using telinject::testing::write_text;

TEST_SUITE("gitignore") {
  TEST_CASE("patterns, anchoring, negation, directories") {
    GitignoreRules rules;
    CHECK(rules.push_text("# comment\n\n*.log\n/build\ndocs/*.tmp\n!keep.log\ncache/\n", "/r") ==
          5);
    CHECK(rules.ignored("/r/a.log", false));
    CHECK(rules.ignored("/r/deep/x/a.log", false));
    CHECK_FALSE(rules.ignored("/r/keep.log", false));
    CHECK_FALSE(rules.ignored("/r/sub/keep.log", false));
    CHECK(rules.ignored("/r/build", true));
    CHECK(rules.ignored("/r/build", false));
    CHECK_FALSE(rules.ignored("/r/src/build", true));
    CHECK(rules.ignored("/r/docs/a.tmp", false));
    CHECK_FALSE(rules.ignored("/r/x/docs/a.tmp", false));
    CHECK(rules.ignored("/r/x/cache", true));
    CHECK_FALSE(rules.ignored("/r/x/cache", false));
    CHECK_FALSE(rules.ignored("/r/# comment", false));
    CHECK_FALSE(rules.ignored("/other/a.log", false));
    CHECK_FALSE(rules.ignored("/r", true));  // the base itself is never matched
  }

  TEST_CASE("escapes, trailing spaces, CRLF and BOM") {
    GitignoreRules rules;
    rules.push_text(
        "\xEF\xBB\xBF"
        "first.py\r\n\\#literal\n\\!bang\ntrail.py   \nspace\\ \n",
        "/r");
    CHECK(rules.ignored("/r/first.py", false));
    CHECK(rules.ignored("/r/#literal", false));
    CHECK(rules.ignored("/r/!bang", false));
    CHECK(rules.ignored("/r/trail.py", false));
    CHECK_FALSE(rules.ignored("/r/trail.py   ", false));
    CHECK(rules.ignored("/r/space ", false));
    CHECK_FALSE(rules.ignored("/r/space", false));
  }

  TEST_CASE("later rules win, in both directions") {
    GitignoreRules rules;
    rules.push_text("*.py\n!keep.py\nkeep.py\n", "/r");
    CHECK(rules.ignored("/r/keep.py", false));
    GitignoreRules other;
    other.push_text("gen/**\n!gen/keep.py\n", "/r");
    CHECK(other.ignored("/r/gen/x.py", false));
    CHECK_FALSE(other.ignored("/r/gen/keep.py", false));
    CHECK_FALSE(other.ignored("/r/gen", true));  // "gen/**" matches below gen, not gen
  }

  TEST_CASE("deeper files override and pop restores") {
    GitignoreRules rules;
    rules.push_text("*.gen.py\n", "/r");
    size_t n = rules.push_text("!special.gen.py\n/local.py\n", "/r/sub");
    CHECK(n == 2);
    CHECK(rules.ignored("/r/sub/x.gen.py", false));
    CHECK_FALSE(rules.ignored("/r/sub/special.gen.py", false));
    CHECK(rules.ignored("/r/special.gen.py", false));  // the deeper rule only applies below sub
    CHECK(rules.ignored("/r/sub/local.py", false));
    CHECK_FALSE(rules.ignored("/r/sub/deeper/local.py", false));  // anchored to sub
    CHECK_FALSE(rules.ignored("/r/local.py", false));
    rules.pop(n);
    CHECK(rules.size() == 1);
    CHECK(rules.ignored("/r/sub/special.gen.py", false));
    rules.pop(10);
    CHECK(rules.empty());
  }

  TEST_CASE("files and repository excludes") {
    TempDir dir;
    std::string root = dir.path().generic_string();
    GitignoreRules rules;
    CHECK(rules.push_file(dir / "missing", dir.path()) == 0);
    CHECK(rules.push_repository_excludes(dir.path()) == 0);  // not a repository

    write_text(dir / ".git/info/exclude", "# local\nsecret.py\n");
    CHECK(rules.push_repository_excludes(dir.path()) == 1);
    CHECK(rules.ignored(root + "/pkg/secret.py", false));

    // A linked worktree: ".git" is a file naming the git directory, whose "commondir" holds
    // info/exclude.
    write_text(dir / "main/.git/info/exclude", "from_common.py\n");
    write_text(dir / "main/.git/worktrees/wt/commondir", "../..\n");
    write_text(dir / "wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
    GitignoreRules worktree;
    CHECK(worktree.push_repository_excludes(dir / "wt") == 1);
    CHECK(worktree.ignored(root + "/wt/from_common.py", false));

    CHECK(enclosing_work_tree(dir / "wt/a/b") == dir / "wt");
    CHECK(enclosing_work_tree(dir.path()) == dir.path());
  }
}
