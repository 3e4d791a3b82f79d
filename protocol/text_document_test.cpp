#include "text_document.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace telinject::protocol;
using telinject::lsp::Position;
using telinject::lsp::Range;
using telinject::lsp::TextDocumentContentChangeEvent;

namespace {

TextDocumentContentChangeEvent ranged(Position start, Position end, std::string text) {
  return {Range{start, end}, std::nullopt, std::move(text)};
}

AppliedChanges apply(std::string_view text, std::vector<TextDocumentContentChangeEvent> changes,
                     PositionEncoding encoding = PositionEncoding::kUtf16) {
  AppliedChanges out;
  std::string error;
  REQUIRE_MESSAGE(apply_content_changes(text, changes, encoding, &out, &error), error);
  return out;
}

// A reference written the slow, obvious way: split the text into characters and lines, walk to
// the position, count '\n' for points. Texts here are valid UTF-8 plus lone 0xFF bytes, which
// the simple lead-byte rule below decodes the same way as the strict one.
struct Reference {
  static std::size_t char_length(std::string_view text, std::size_t at) {
    auto lead = static_cast<unsigned char>(text[at]);
    std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF8 ? 4 : 1;
    return lead >= 0x80 && lead < 0xC0 ? 1 : length;
  }

  static std::size_t offset(std::string_view text, Position position, PositionEncoding encoding) {
    std::size_t at = 0;
    int line = 0;
    while (line < position.line) {  // skip whole lines
      if (at >= text.size()) return text.size();
      if (text[at] == '\r' && at + 1 < text.size() && text[at + 1] == '\n') ++at;
      if (text[at] == '\n' || text[at] == '\r') ++line;
      ++at;
    }
    int units = 0;
    while (at < text.size() && text[at] != '\n' && text[at] != '\r') {
      std::size_t length = char_length(text, at);
      int width = encoding == PositionEncoding::kUtf8    ? static_cast<int>(length)
                  : encoding == PositionEncoding::kUtf16 ? (length == 4 ? 2 : 1)
                                                         : 1;
      if (units + width > position.character) break;
      units += width;
      at += length;
    }
    return at;
  }

  static TextPoint point(std::string_view text, std::size_t offset) {
    TextPoint point;
    for (std::size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++point.row;
        point.column = 0;
      } else {
        ++point.column;
      }
    }
    return point;
  }
};

}  // namespace

TEST_SUITE("text_document") {
  TEST_CASE("a ranged insertion reports the edit tree-sitter needs") {
    AppliedChanges out = apply("def f():\n    pass\n", {ranged({1, 4}, {1, 4}, "x = 1\n    ")});
    CHECK(out.text == "def f():\n    x = 1\n    pass\n");
    REQUIRE(out.edits.size() == 1);
    const ByteEdit& edit = out.edits[0];
    CHECK(edit.start_byte == 13);
    CHECK(edit.old_end_byte == 13);
    CHECK(edit.new_end_byte == 23);
    CHECK(edit.start_point == TextPoint{1, 4});
    CHECK(edit.old_end_point == TextPoint{1, 4});
    CHECK(edit.new_end_point == TextPoint{2, 4});
    CHECK_FALSE(edit.replaced_whole_text);
  }

  TEST_CASE("a deletion across lines") {
    AppliedChanges out = apply("one\ntwo\nthree\n", {ranged({0, 1}, {2, 2}, "")});
    CHECK(out.text == "oree\n");
    const ByteEdit& edit = out.edits.at(0);
    CHECK(edit.start_byte == 1);
    CHECK(edit.old_end_byte == 10);
    CHECK(edit.new_end_byte == 1);
    CHECK(edit.old_end_point == TextPoint{2, 2});
    CHECK(edit.new_end_point == TextPoint{0, 1});
  }

  TEST_CASE("changes apply in order, each against the text the previous left") {
    AppliedChanges out = apply("abc", {ranged({0, 1}, {0, 2}, "XYZ"), ranged({0, 4}, {0, 5}, "")});
    CHECK(out.text == "aXYZ");
    REQUIRE(out.edits.size() == 2);
    CHECK(out.edits[1].start_byte == 4);
    CHECK(out.edits[1].old_end_byte == 5);
    CHECK(out.edits[1].new_end_byte == 4);
  }

  TEST_CASE("a change without range replaces everything") {
    AppliedChanges out = apply("a\nbc", {{std::nullopt, std::nullopt, "x\ny\nzz"}});
    CHECK(out.text == "x\ny\nzz");
    const ByteEdit& edit = out.edits.at(0);
    CHECK(edit.replaced_whole_text);
    CHECK(edit.start_byte == 0);
    CHECK(edit.old_end_byte == 4);
    CHECK(edit.new_end_byte == 6);
    CHECK(edit.old_end_point == TextPoint{1, 2});
    CHECK(edit.new_end_point == TextPoint{2, 2});
  }

  TEST_CASE("positions use the negotiated encoding; columns are bytes") {
    std::string text = "s = '\xF0\x9F\x98\x80\xE4\xB8\xAD'\n";  // s = '😀中'
    AppliedChanges utf16 = apply(text, {ranged({0, 7}, {0, 8}, "!")}, PositionEncoding::kUtf16);
    CHECK(utf16.text == "s = '\xF0\x9F\x98\x80!'\n");
    CHECK(utf16.edits[0].start_point == TextPoint{0, 9});
    CHECK(utf16.edits[0].old_end_byte == 12);
    AppliedChanges utf32 = apply(text, {ranged({0, 6}, {0, 7}, "!")}, PositionEncoding::kUtf32);
    CHECK(utf32.text == utf16.text);
    AppliedChanges utf8 = apply(text, {ranged({0, 9}, {0, 12}, "!")}, PositionEncoding::kUtf8);
    CHECK(utf8.text == utf16.text);
  }

  TEST_CASE("rows count only newlines, as tree-sitter does") {
    // LSP sees three lines here ("a", "b", "c"); tree-sitter one row up to the "\n".
    AppliedChanges out = apply("a\rb\r\nc", {ranged({1, 1}, {2, 0}, "-")});
    CHECK(out.text == "a\rb-c");
    CHECK(out.edits[0].start_point == TextPoint{0, 3});
    CHECK(out.edits[0].old_end_point == TextPoint{1, 0});
    CHECK(out.edits[0].new_end_point == TextPoint{0, 4});
  }

  TEST_CASE("ranges past the end clamp to the end") {
    AppliedChanges out = apply("ab\ncd", {ranged({1, 10}, {40, 2}, "!")});
    CHECK(out.text == "ab\ncd!");
    CHECK(out.edits[0].start_byte == 5);
    CHECK(out.edits[0].old_end_byte == 5);
  }

  TEST_CASE("a range ending before it starts is an error and changes nothing") {
    AppliedChanges out;
    out.text = "untouched";
    std::string error;
    std::vector<TextDocumentContentChangeEvent> changes = {ranged({0, 0}, {0, 1}, "x"),
                                                           ranged({2, 3}, {1, 9}, "y")};
    CHECK_FALSE(
        apply_content_changes("abc\ndef\nghi", changes, PositionEncoding::kUtf16, &out, &error));
    CHECK(error == "change 1: range ends (1:9) before it starts (2:3)");
    CHECK(out.text == "untouched");
    CHECK(out.edits.empty());
  }

  TEST_CASE("text_point counts rows and byte columns") {
    CHECK(text_point("ab\ncd\r\nef", 0) == TextPoint{0, 0});
    CHECK(text_point("ab\ncd\r\nef", 5) == TextPoint{1, 2});
    CHECK(text_point("ab\ncd\r\nef", 7) == TextPoint{2, 0});
    CHECK(text_point("ab\ncd\r\nef", 99) == TextPoint{2, 2});
  }

  TEST_CASE("random edits agree with the reference") {
    const std::vector<std::string> pieces = {"a",
                                             "b",
                                             " ",
                                             "\n",
                                             "\r\n",
                                             "\r",
                                             "\xC3\xA9",
                                             "\xE4\xB8\xAD",
                                             "\xF0\x9F\x98\x80",
                                             "e\xCC\x81",
                                             "\xFF",
                                             "xyz"};
    std::mt19937 random(424242);
    auto random_text = [&](std::size_t max_pieces) {
      std::string text;
      for (std::size_t n = random() % (max_pieces + 1); n > 0; --n)
        text += pieces[random() % pieces.size()];
      return text;
    };
    const PositionEncoding encodings[] = {PositionEncoding::kUtf8, PositionEncoding::kUtf16,
                                          PositionEncoding::kUtf32};
    for (int round = 0; round < 1500; ++round) {
      PositionEncoding encoding = encodings[round % 3];
      std::string text = random_text(30);
      std::vector<TextDocumentContentChangeEvent> changes;
      std::vector<std::string> texts = {text};  // the text after each change, by the reference
      std::vector<ByteEdit> expected;
      for (int n = 1 + static_cast<int>(random() % 4); n > 0; --n) {
        const std::string current = texts.back();
        std::string inserted = random_text(5);
        if (random() % 12 == 0) {
          changes.push_back({std::nullopt, std::nullopt, inserted});
          texts.push_back(inserted);
          expected.push_back({0,
                              static_cast<uint32_t>(current.size()),
                              static_cast<uint32_t>(inserted.size()),
                              {},
                              Reference::point(current, current.size()),
                              Reference::point(inserted, inserted.size()),
                              true});
          continue;
        }
        // Positions may run past line ends and past the last line, to exercise clamping.
        Position a{static_cast<int>(random() % 8), static_cast<int>(random() % 14)};
        Position b{static_cast<int>(random() % 8), static_cast<int>(random() % 14)};
        if (b < a) std::swap(a, b);
        std::size_t start = Reference::offset(current, a, encoding);
        std::size_t end = Reference::offset(current, b, encoding);
        std::string next = current.substr(0, start) + inserted + current.substr(end);
        changes.push_back(ranged(a, b, inserted));
        expected.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end),
                            static_cast<uint32_t>(start + inserted.size()),
                            Reference::point(current, start), Reference::point(current, end),
                            Reference::point(next, start + inserted.size()), false});
        texts.push_back(std::move(next));
      }
      CAPTURE(round);
      CAPTURE(text);
      AppliedChanges out = apply(text, changes, encoding);
      CHECK(out.text == texts.back());
      CHECK(out.edits == expected);
    }
  }
}
