#include "python/python_layout.h"

#include <doctest/doctest.h>

#include <string>

using namespace telinject;
using namespace telinject::python;

namespace {

// `marked` is a text with telemetry between « and »: the text without the marks, and the
// edits that take the telemetry out again.
struct Marked {
  std::string wrapped;
  std::vector<TextEdit> removal;
};

Marked unmark(const std::string& marked) {
  Marked out;
  const std::string open = "«", close = "»";
  size_t at = 0;
  while (at < marked.size()) {
    size_t begin = marked.find(open, at);
    if (begin == std::string::npos) {
      out.wrapped += marked.substr(at);
      break;
    }
    out.wrapped += marked.substr(at, begin - at);
    size_t end = marked.find(close, begin);
    std::string inserted = marked.substr(begin + open.size(), end - begin - open.size());
    out.removal.push_back(
        {static_cast<uint32_t>(out.wrapped.size()), static_cast<uint32_t>(inserted.size()), ""});
    out.wrapped += inserted;
    at = end + close.size();
  }
  return out;
}

Result<void> check(const std::string& marked) {
  Marked m = unmark(marked);
  return check_layout_kept(m.wrapped, m.removal);
}

// A function `depth` blocks deep, indented by `unit`, whose last two lines telemetry moved one
// block in each as tree-sitter's mis-parse made it: what telinject wrote before this check.
std::string deep_and_misread(int depth, const std::string& unit) {
  std::string text, pad;
  for (int level = 0; level < depth; ++level, pad += unit) text += pad + "if True:\n";
  text += pad + "def outer():\n";
  text += pad + unit + "«with span():\n" + pad + unit + unit + "»x = 1\n";
  text += pad + unit + "«" + unit + "»def inner():\n";
  text += pad + unit + unit + "«" + unit + "with span():\n" + pad + unit + unit + unit + unit +
          "»return 2\n";
  text += pad + unit + "«" + unit + unit + "»print(x)\n";
  return text;
}

}  // namespace

TEST_SUITE("python layout") {
  TEST_CASE("logical lines know their blocks as CPython's tokenizer does") {
    auto layout = scan_layout(
        "def f(a,\n"
        "        b):\n"  // inside brackets: no statement
        "    s = '''x\n"
        "y'''\n"  // inside a string: no statement
        "    # a comment at any depth\n"
        "  # another\n"
        "\n"
        "    if a: \\\n"
        "return b\n"  // a continuation line
        "    return s\n"
        "x = f'{1}' r'\\'' b\"\"\n");
    REQUIRE(layout.ok());
    const auto& lines = layout->lines;
    REQUIRE(lines.size() == 5);
    CHECK(lines[0].row == 0);
    CHECK(lines[0].opens_block);
    CHECK(lines[0].has_children);
    CHECK(lines[1].row == 2);
    CHECK(lines[1].parent == 0);
    CHECK(lines[2].row == 7);
    CHECK_FALSE(lines[2].opens_block);  // `if a: return b` holds its body on its line
    CHECK(lines[3].row == 9);
    CHECK(lines[3].depth == 1);
    CHECK(lines[4].depth == 0);
    CHECK(lines[4].parent == -1);
    CHECK(layout->strings.size() == 4);
  }

  TEST_CASE("a tab advances to the next multiple of eight") {
    CHECK(indent_columns("\t") == 8);
    CHECK(indent_columns("   \t") == 8);
    CHECK(indent_columns("\t ") == 9);
    CHECK(parser_indent_width("   \t") == 11);
  }

  TEST_CASE("what CPython refuses, the scan refuses, with the row") {
    CHECK(scan_layout("if a:\n        x\n    y\n").error() ==
          "line 3: unindent does not match any outer indentation level");
    CHECK(scan_layout("if a:\n\tx\n        y\n").error() ==
          "line 3: inconsistent use of tabs and spaces in indentation");
    CHECK(scan_layout("x = '''\n\n").error() == "line 1: unterminated string literal");
    CHECK(scan_layout("x = 'a\ny'\n").error() == "line 1: unterminated string literal");
    std::string deep, pad;
    for (int level = 0; level < 99; ++level, pad += " ") deep += pad + "if 1:\n";
    CHECK(scan_layout(deep + pad + "pass\n").ok());
    CHECK(scan_layout(deep + pad + "if 1:\n" + pad + " pass\n").error() ==
          "line 101: too many levels of indentation");
  }

  TEST_CASE("telemetry that adds a block around a body keeps the layout") {
    auto kept = check(
        "«import span  # t\n»def f():\n"
        "    \"\"\"Doc.\"\"\"\n"
        "    «with span(\"f\"):\n        »x = (1,\n"
        "«    »         2)\n"
        "«    »    s = '''a\n"
        "b'''\n"
        "\n"
        "«    »    return x\n"
        "y = f()\n");
    CHECK_MESSAGE(kept.ok(), kept.error());
    CHECK(check("def f():«\n    with span(\"f\"):» return 1\n").ok());
  }

  TEST_CASE("a statement moved into another block is caught") {
    auto moved = check(
        "def outer():\n"
        "    x = 1\n"
        "    def inner():\n"
        "        return 2\n"
        "«    »    print(x)\n");
    REQUIRE_FALSE(moved.ok());
    CHECK(moved.error() ==
          "with telemetry, Python would read line 5 as part of the block of line 3, not of the "
          "block of line 1");
  }

  TEST_CASE("the deep mis-read is caught without trusting tree-sitter") {
    auto tabs = check(deep_and_misread(33, "\t"));
    REQUIRE_FALSE(tabs.ok());
    INFO(tabs.error());
    CHECK(
        tabs.error().find("line 38 as part of the block of line 36, not of the block of line 34") !=
        std::string::npos);
    CHECK(tabs.error().find("past 255 columns") != std::string::npos);
    CHECK_FALSE(check(deep_and_misread(64, "    ")).ok());
    // The same telemetry put where it belongs passes at any depth.
    std::string pad(33, '\t');
    CHECK(check(pad.substr(1) + "if True:\n" + pad + "def f():\n" + pad + "\t«with span():\n" +
                pad + "\t\t»return 2\n")
              .ok());
  }

  TEST_CASE("telemetry inside a string literal is caught") {
    auto inside = check("def f():\n    «with span():\n        »s = '''a\n«    »b'''\n");
    REQUIRE_FALSE(inside.ok());
    CHECK(inside.error() == "telemetry would change the string literal at line 2");
  }

  TEST_CASE("a telemetry header must open a block that holds something") {
    CHECK_FALSE(check("def f():\n    x = 1\n«    with span():\n»y = 2\n").ok());
    CHECK_FALSE(check("def f():\n«    log()\n»    «    »x = 1\n").ok());
  }

  TEST_CASE("a statement may not start inside another") {
    CHECK(check("x = 1 + \\\n«    »2\n").ok());  // indentation on a continuation line: harmless
    CHECK(check("x = 1 + \\\n«\n»2\n").error() ==
          "with telemetry, a statement would start inside line 2");
  }
}
