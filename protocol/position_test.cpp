#include "position.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace telinject::protocol;
using telinject::lsp::Position;

namespace {

constexpr PositionEncoding kAll[] = {PositionEncoding::kUtf8, PositionEncoding::kUtf16,
                                     PositionEncoding::kUtf32};

}  // namespace

TEST_SUITE("position") {
  TEST_CASE("encoding names parse and print as the spec spells them") {
    for (PositionEncoding encoding : kAll)
      CHECK(parse_position_encoding(position_encoding_name(encoding)) == encoding);
    CHECK(position_encoding_name(PositionEncoding::kUtf16) == "utf-16");
    CHECK_FALSE(parse_position_encoding("UTF-8").has_value());
    CHECK_FALSE(parse_position_encoding("utf8").has_value());
    CHECK_FALSE(parse_position_encoding("").has_value());
  }

  TEST_CASE("negotiation takes the client's first known encoding, else UTF-16") {
    CHECK(negotiate_position_encoding({}) == PositionEncoding::kUtf16);
    CHECK(negotiate_position_encoding({"utf-8", "utf-16"}) == PositionEncoding::kUtf8);
    CHECK(negotiate_position_encoding({"utf-16", "utf-8"}) == PositionEncoding::kUtf16);
    CHECK(negotiate_position_encoding({"latin-1", "utf-32"}) == PositionEncoding::kUtf32);
    CHECK(negotiate_position_encoding({"latin-1"}) == PositionEncoding::kUtf16);
  }

  TEST_CASE("UTF-8 sequence lengths follow the well-formed table") {
    CHECK(utf8_sequence_length("a", 0) == 1);
    CHECK(utf8_sequence_length("\xC3\xA9", 0) == 2);          // é
    CHECK(utf8_sequence_length("\xE4\xB8\xAD", 0) == 3);      // 中
    CHECK(utf8_sequence_length("\xF0\x9F\x98\x80", 0) == 4);  // 😀
    CHECK(utf8_sequence_length("\xC0\x80", 0) == 1);          // overlong NUL
    CHECK(utf8_sequence_length("\xE0\x80\x80", 0) == 1);      // overlong
    CHECK(utf8_sequence_length("\xED\xA0\x80", 0) == 1);      // a UTF-16 surrogate
    CHECK(utf8_sequence_length("\xF4\x90\x80\x80", 0) == 1);  // past U+10FFFF
    CHECK(utf8_sequence_length("\xF5\x80\x80\x80", 0) == 1);
    CHECK(utf8_sequence_length("\xE4\xB8", 0) == 1);  // truncated at the end
    CHECK(utf8_sequence_length("\xE4"
                               "a"
                               "\xAD",
                               0) == 1);
    CHECK(utf8_sequence_length("\x80", 0) == 1);  // a stray continuation byte
    CHECK(utf8_sequence_length("\xFF", 0) == 1);
  }

  TEST_CASE("lines end at LF, CRLF and lone CR") {
    std::string text = "a\r\nb\rc\n";
    LineIndex index(text);
    REQUIRE(index.line_count() == 4);
    CHECK(index.line_start(0) == 0);
    CHECK(index.line_start(1) == 3);
    CHECK(index.line_start(2) == 5);
    CHECK(index.line_start(3) == 7);
    CHECK(index.line_start(9) == text.size());
    CHECK(index.line_end(0) == 1);
    CHECK(index.line_end(1) == 4);
    CHECK(index.line_end(2) == 6);
    CHECK(index.line_end(3) == 7);
    CHECK(index.line_of(1) == 0);  // the "\r" of "\r\n"
    CHECK(index.line_of(2) == 0);  // its "\n"
    CHECK(index.line_of(3) == 1);
    CHECK(index.line_of(100) == 3);
  }

  TEST_CASE("the empty text is one empty line") {
    LineIndex index("");
    CHECK(index.line_count() == 1);
    for (PositionEncoding encoding : kAll) {
      CHECK(index.byte_offset({0, 0}, encoding) == 0);
      CHECK(index.byte_offset({0, 5}, encoding) == 0);
      CHECK(index.byte_offset({3, 1}, encoding) == 0);
      CHECK(index.position(4, encoding) == Position{0, 0});
    }
  }

  TEST_CASE("ASCII text maps one to one, last line without newline included") {
    std::string text = "def f():\n    return 1";
    LineIndex index(text);
    CHECK(index.line_count() == 2);
    for (PositionEncoding encoding : kAll) {
      CHECK(index.byte_offset({0, 3}, encoding) == 3);
      CHECK(index.byte_offset({1, 4}, encoding) == 13);
      CHECK(index.byte_offset({1, 12}, encoding) == text.size());
      CHECK(index.position(13, encoding) == Position{1, 4});
      CHECK(index.position(text.size(), encoding) == Position{1, 12});
    }
  }

  TEST_CASE("multi-byte characters count by encoding") {
    // a (1 byte) é (2) 中 (3) 😀 (4) b (1): byte offsets 0 1 3 6 10 11.
    std::string text =
        "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80"
        "b";
    const std::size_t bytes[] = {0, 1, 3, 6, 10, 11};
    const int utf16[] = {0, 1, 2, 3, 5, 6};
    LineIndex index(text);
    for (int i = 0; i < 6; ++i) {
      CAPTURE(i);
      CHECK(index.byte_offset({0, static_cast<int>(bytes[i])}, PositionEncoding::kUtf8) ==
            bytes[i]);
      CHECK(index.byte_offset({0, utf16[i]}, PositionEncoding::kUtf16) == bytes[i]);
      CHECK(index.byte_offset({0, i}, PositionEncoding::kUtf32) == bytes[i]);
      CHECK(index.position(bytes[i], PositionEncoding::kUtf8) ==
            Position{0, static_cast<int>(bytes[i])});
      CHECK(index.position(bytes[i], PositionEncoding::kUtf16) == Position{0, utf16[i]});
      CHECK(index.position(bytes[i], PositionEncoding::kUtf32) == Position{0, i});
    }
  }

  TEST_CASE("a position inside a character snaps to the character's start") {
    std::string text = "x\xF0\x9F\x98\x80y\xE4\xB8\xADz";  // x 😀 y 中 z
    LineIndex index(text);
    CHECK(index.byte_offset({0, 2}, PositionEncoding::kUtf16) == 1);  // between the surrogates
    CHECK(index.byte_offset({0, 3}, PositionEncoding::kUtf16) == 5);
    CHECK(index.byte_offset({0, 3}, PositionEncoding::kUtf8) == 1);  // inside the 4-byte sequence
    CHECK(index.byte_offset({0, 7}, PositionEncoding::kUtf8) == 6);  // inside 中
    CHECK(index.position(3, PositionEncoding::kUtf16) == Position{0, 1});
    CHECK(index.position(7, PositionEncoding::kUtf32) == Position{0, 3});
    CHECK(index.position(7, PositionEncoding::kUtf8) == Position{0, 6});
  }

  TEST_CASE("combining marks and CJK are separate code points") {
    std::string text = "e\xCC\x81\xE6\x97\xA5\xE6\x9C\xAC";  // e + U+0301, 日本
    LineIndex index(text);
    CHECK(index.byte_offset({0, 1}, PositionEncoding::kUtf16) == 1);
    CHECK(index.byte_offset({0, 2}, PositionEncoding::kUtf16) == 3);
    CHECK(index.byte_offset({0, 3}, PositionEncoding::kUtf32) == 6);
    CHECK(index.position(text.size(), PositionEncoding::kUtf16) == Position{0, 4});
  }

  TEST_CASE("positions past the end clamp as the spec says") {
    std::string text = "ab\r\ncd\n";
    LineIndex index(text);
    for (PositionEncoding encoding : kAll) {
      CHECK(index.byte_offset({0, 99}, encoding) == 2);  // before "\r\n", not inside it
      CHECK(index.byte_offset({1, 3}, encoding) == 6);
      CHECK(index.byte_offset({2, 0}, encoding) == 7);
      CHECK(index.byte_offset({2, 5}, encoding) == 7);
      CHECK(index.byte_offset({7, 0}, encoding) == text.size());
      CHECK(index.byte_offset({-1, -4}, encoding) == 0);
      CHECK(index.byte_offset({1, -4}, encoding) == 4);
      CHECK(index.position(2, encoding) == Position{0, 2});
      CHECK(index.position(3, encoding) == Position{0, 2});  // the "\n" of "\r\n"
      CHECK(index.position(1000, encoding) == Position{2, 0});
    }
  }

  TEST_CASE("invalid UTF-8 bytes count one unit each") {
    std::string text =
        "a\xFF\xE4\xB8"
        "b\xF0\x9F\x98\x80";  // a, FF, truncated 中, b, 😀
    LineIndex index(text);
    CHECK(index.byte_offset({0, 4}, PositionEncoding::kUtf16) == 4);
    CHECK(index.byte_offset({0, 5}, PositionEncoding::kUtf16) == 5);
    CHECK(index.byte_offset({0, 7}, PositionEncoding::kUtf16) == text.size());
    CHECK(index.position(3, PositionEncoding::kUtf32) == Position{0, 3});
    CHECK(index.position(text.size(), PositionEncoding::kUtf32) == Position{0, 6});
  }

  TEST_CASE("position and byte_offset are inverse on character starts") {
    std::string text = "\xE4\xB8\xAD\r\n\xF0\x9F\x98\x80 x\re\xCC\x81\n\n\xFF\xC3\xA9";
    LineIndex index(text);
    for (PositionEncoding encoding : kAll) {
      for (std::size_t offset = 0; offset <= text.size();) {
        CAPTURE(offset);
        Position position = index.position(offset, encoding);
        std::size_t line = index.line_of(offset);
        bool in_break = offset > index.line_end(line);
        if (!in_break) CHECK(index.byte_offset(position, encoding) == offset);
        offset += offset < text.size() ? utf8_sequence_length(text, offset) : 1;
      }
    }
  }
}
