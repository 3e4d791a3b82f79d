#include "ignore_comments.h"

#include <doctest/doctest.h>

namespace telinject {

TEST_SUITE("ignore_comments") {
  TEST_CASE("a mark counts only after a comment marker of the language, on its row") {
    SourceText source(
        "x = 1  # telinject: ignore\n"    // 0: after code
        "    # telinject: ignore-file\n"  // 1: a whole row, indented
        "y = 'telinject: ignore'\n"       // 2: no marker before it
        "// telinject: ignore\n");        // 3: not a Python comment
    IgnoreComments found = find_ignore_comments(source, {"#"});
    CHECK(found.rows == std::vector<uint32_t>{0, 1});
    CHECK(found.whole_row == std::vector<bool>{false, true});
    CHECK(found.offsets == std::vector<uint32_t>{9, 33});
    CHECK(found.file);
  }

  TEST_CASE("any of several markers; the earliest decides whether the row is only a comment") {
    SourceText source(
        "/* telinject: ignore */\n"
        "f(); // telinject: ignore\n"
        "  /* a */ // telinject: ignore\n"
        "# telinject: ignore\n");
    IgnoreComments found = find_ignore_comments(source, {"//", "/*"});
    CHECK(found.rows == std::vector<uint32_t>{0, 1, 2});
    CHECK(found.whole_row == std::vector<bool>{true, false, true});
    CHECK_FALSE(found.file);
  }

  TEST_CASE("a marker after the mark does not make it a comment") {
    SourceText source("telinject: ignore // later\n");
    CHECK(find_ignore_comments(source, {"//"}).rows.empty());
  }
}

}  // namespace telinject
