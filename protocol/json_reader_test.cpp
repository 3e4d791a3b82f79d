#include "json_reader.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using nlohmann::json;
using telinject::protocol::read_json;

namespace {

// read_json must agree with nlohmann's own parser: the same acceptance, the same value, the
// same number kinds (signed, unsigned, float).
void same_as_nlohmann(const std::string& text) {
  CAPTURE(text);
  json theirs = json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::optional<json> mine = read_json(text, 512);
  REQUIRE(mine.has_value() == !theirs.is_discarded());
  if (!mine) return;
  CHECK(*mine == theirs);
  CHECK(mine->dump() == theirs.dump());  // the dump shows number kinds and key order
  CHECK(mine->type() == theirs.type());
}

}  // namespace

TEST_SUITE("read_json") {
  TEST_CASE("agrees with nlohmann on values, numbers, strings and errors") {
    const char* cases[] = {
        // values
        "null", "true", "false", " \t\r\n true \n", "{}", "[]", "[ ]", "{ }", "[1,2,3]",
        R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})", R"({"a":1,"a":2})",
        R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"textDocument":{"text":"def f():\n\tpass\n"}}})",
        // numbers
        "0", "-0", "1", "-1", "123456789", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "1.5", "-1.5", "1e5", "1E5", "1e+5", "1e-5", "0.0", "-0.0",
        "1.7976931348623157e308", "1e400", "-1e400", "1e-400", "01", "-", "1.", ".5", "+1", "1e",
        "1e+", "0x10", "1.5e3.2", "NaN", "Infinity", "--1",
        // strings
        R"("")", R"("abc")", R"("a\"b\\c\/d\be\ff\ng\rh\ti")", R"("\u0041\u00e9\u20ac")",
        R"("\ud83d\ude00")", R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")", R"("\u00")",
        R"("\uZZZZ")", R"("\x")", R"("\u0000")", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
        "\"\xc3\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xff\"",
        "\"\xe0\x80\x80\"", "\"\x7f\"", "\"tab\there\"", "\"new\nline\"", "\"unterminated",
        // structure
        "[1,]", "[,1]", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{\"a\":1,}", "[1 2]", "[[[]]]", "1 2",
        "", " ", "{", "}", "[", "]", "\xEF\xBB\xBF{}", "\xEF\xBB{}", "nul", "truex", "[true]x"};
    for (const char* text : cases) same_as_nlohmann(text);
  }

  TEST_CASE("nesting deeper than the limit is refused") {
    std::string deep = std::string(10, '[') + std::string(10, ']');
    CHECK(read_json(deep, 10));
    CHECK_FALSE(read_json(deep, 9));
    std::string objects;
    for (int i = 0; i < 5; ++i) objects += "{\"a\":";
    objects += "1" + std::string(5, '}');
    CHECK(read_json(objects, 5));
    CHECK_FALSE(read_json(objects, 4));
  }

  TEST_CASE("agrees with nlohmann on random texts") {
    // Fragments that make near-JSON: most texts are invalid somewhere, many are valid.
    const std::vector<std::string> pieces = {"{",
                                             "}",
                                             "[",
                                             "]",
                                             ",",
                                             ":",
                                             "\"",
                                             "\"k\"",
                                             "\"v\\n\"",
                                             "\\u00e9",
                                             "\\ud83d",
                                             "\\ude00",
                                             "1",
                                             "-",
                                             "0",
                                             ".",
                                             "5",
                                             "e",
                                             "E",
                                             "+",
                                             "true",
                                             "false",
                                             "null",
                                             " ",
                                             "\n",
                                             "\xc3\xa9",
                                             "\xe2\x82",
                                             "\xac",
                                             "\xf0\x9f\x98\x80",
                                             "\xff",
                                             "\x01",
                                             "\\",
                                             "\"a\":1",
                                             "[1,2]",
                                             "{\"x\":[]}",
                                             "1e400",
                                             "18446744073709551616"};
    std::mt19937 random(20261130);
    for (int i = 0; i < 20000; ++i) {
      std::string text;
      int count = 1 + static_cast<int>(random() % 12);
      for (int j = 0; j < count; ++j) text += pieces[random() % pieces.size()];
      same_as_nlohmann(text);
    }
  }

  TEST_CASE("a long string with escapes and multi-byte characters comes back whole") {
    std::string body;
    for (int i = 0; i < 5000; ++i) body += "    total = " + std::to_string(i) + "  # caf\xc3\xa9\n";
    std::string message = json{{"text", body}}.dump();
    auto parsed = read_json(message, 8);
    REQUIRE(parsed);
    CHECK((*parsed)["text"].get<std::string>() == body);
  }
}
