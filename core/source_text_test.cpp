#include "source_text.h"

#include <doctest/doctest.h>

using namespace telinject;

TEST_SUITE("source_text") {
  TEST_CASE("rows, indentation and line endings") {
    SourceText s("def f():\r\n    return 1\r\n\r\n");
    CHECK(s.uses_crlf());
    CHECK(s.row_count() == 4);
    CHECK(s.row_text(0) == "def f():");
    CHECK(s.row_text(1) == "    return 1");
    CHECK(s.row_indent(1) == "    ");
    CHECK(s.row_is_blank(2));
    CHECK(s.row_of(10) == 1);
    CHECK(s.localize_newlines("a\nb") == "a\r\nb");
  }

  TEST_CASE("byte order mark is kept aside and restored") {
    SourceText s("\xEF\xBB\xBFx = 1\n");
    CHECK(s.has_bom());
    CHECK(s.text() == "x = 1\n");
    CHECK(s.restore(s.text()) == "\xEF\xBB\xBFx = 1\n");
  }

  TEST_CASE("indent unit is detected from the file") {
    CHECK(SourceText("if a:\n  b\n  if c:\n    d\n").indent_unit() == "  ");
    CHECK(SourceText("if a:\n\tb\n").indent_unit() == "\t");
    CHECK(SourceText("x = 1\n").indent_unit() == "    ");
  }

  TEST_CASE("apply_edits inserts in order and refuses overlaps") {
    std::string out;
    REQUIRE(apply_edits("abc", {{1, 0, "X"}, {1, 0, "Y"}, {3, 0, "!"}}, &out));
    CHECK(out == "aXYbc!");
    REQUIRE(apply_edits("abcdef", {{1, 2, ""}, {4, 1, "Z"}}, &out));
    CHECK(out == "adZf");
    CHECK_FALSE(apply_edits("abcdef", {{1, 3, ""}, {2, 1, ""}}, &out));
    CHECK_FALSE(apply_edits("abc", {{2, 5, ""}}, &out));
  }
}
