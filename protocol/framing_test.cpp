#include "framing.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace telinject::protocol;

namespace {

// Everything the reader yields until it needs more data.
struct Drained {
  std::vector<std::string> bodies;
  std::vector<std::string> errors;
};

void drain(MessageReader& reader, Drained& out) {
  for (int guard = 0; guard < 100000; ++guard) {
    ReadResult result = reader.next();
    if (result.kind == ReadResult::Kind::kNeedMoreData) return;
    if (result.kind == ReadResult::Kind::kMessage)
      out.bodies.push_back(result.text);
    else
      out.errors.push_back(result.text);
  }
  FAIL("next() never asked for more data");
}

Drained read_all(std::string_view stream, std::size_t limit = kDefaultMaxBodyBytes) {
  MessageReader reader(limit);
  Drained out;
  reader.feed(stream);
  drain(reader, out);
  return out;
}

}  // namespace

TEST_SUITE("framing") {
  TEST_CASE("frame writes the Content-Length header and the body") {
    CHECK(frame("{}") == "Content-Length: 2\r\n\r\n{}");
    CHECK(frame("") == "Content-Length: 0\r\n\r\n");
    CHECK(frame("h\xC3\xA9") == "Content-Length: 3\r\n\r\nh\xC3\xA9");  // bytes, not characters
  }

  TEST_CASE("several messages in one feed come out in order") {
    Drained out = read_all(frame("{\"a\":1}") + frame("") + frame("[2]"));
    CHECK(out.errors.empty());
    CHECK(out.bodies == std::vector<std::string>{"{\"a\":1}", "", "[2]"});
  }

  TEST_CASE("a stream split at any byte gives the same messages") {
    std::string stream = frame("{\"first\":true}") +
                         "content-type: application/vscode-jsonrpc; charset=utf-8\r\n"
                         "CONTENT-LENGTH: 6\r\n\r\n\xE4\xB8\xAD\xF0\x9F\x98" +
                         "Content-Length:4\n\nlast";
    const std::vector<std::string> expected = {"{\"first\":true}", "\xE4\xB8\xAD\xF0\x9F\x98",
                                               "last"};
    for (std::size_t split = 0; split <= stream.size(); ++split) {
      CAPTURE(split);
      MessageReader reader;
      Drained out;
      reader.feed(std::string_view(stream).substr(0, split));
      drain(reader, out);
      reader.feed(std::string_view(stream).substr(split));
      drain(reader, out);
      CHECK(out.errors.empty());
      CHECK(out.bodies == expected);
      CHECK(reader.buffered_bytes() == 0);
    }
    MessageReader reader;
    Drained out;
    for (char byte : stream) {
      reader.feed(std::string_view(&byte, 1));
      drain(reader, out);
    }
    CHECK(out.bodies == expected);
  }

  TEST_CASE("headers are case-insensitive; Content-Type and unknown headers are ignored") {
    Drained out = read_all(
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
        "X-Whatever: 12\r\n"
        "cOnTeNt-LeNgTh:   3  \r\n"
        "\r\n"
        "abc");
    CHECK(out.errors.empty());
    CHECK(out.bodies == std::vector<std::string>{"abc"});
  }

  TEST_CASE("blank lines between messages are skipped") {
    Drained out = read_all(frame("a") + "\r\n\n\r\n" + frame("b"));
    CHECK(out.errors.empty());
    CHECK(out.bodies == std::vector<std::string>{"a", "b"});
  }

  TEST_CASE("a bad header is reported once, then the next message is read") {
    struct Case {
      const char* header;
      const char* error;
    };
    const Case cases[] = {
        {"garbage without a colon\r\n", "malformed header line"},
        {": no name\r\n", "malformed header line"},
        {"Content-Length: abc\r\n\r\nxyz", "non-numeric Content-Length"},
        {"Content-Length: 12a\r\n\r\n", "non-numeric Content-Length"},
        {"Content-Length: -5\r\n\r\nhello", "negative Content-Length"},
        {"Content-Length:\r\n\r\n", "empty Content-Length"},
        {"Content-Length: 99999999999999999999999\r\n\r\n", "out of range"},
        {"Content-Length: 2\r\ncontent-length: 2\r\n\r\nab", "duplicate Content-Length"},
        {"Content-Type: application/json\r\n\r\n{\"lost\":1}", "without Content-Length"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.header);
      Drained out = read_all(std::string(c.header) + frame("{\"good\":1}"));
      REQUIRE(out.errors.size() == 1);
      CHECK(out.errors[0].find(c.error) != std::string::npos);
      CHECK(out.bodies == std::vector<std::string>{"{\"good\":1}"});
    }
  }

  TEST_CASE("resynchronising finds the header in any case, even mid-line") {
    Drained out = read_all("bogus\r\nmore junk CONTENT-LENGTH: 2\r\n\r\nok" + frame("next"));
    CHECK(out.errors.size() == 1);
    CHECK(out.bodies == std::vector<std::string>{"ok", "next"});
  }

  TEST_CASE("an oversize body is skipped without being buffered") {
    std::string big(1000, 'x');
    Drained at_once = read_all(frame(big) + frame("small"), /*limit=*/100);
    REQUIRE(at_once.errors.size() == 1);
    CHECK(at_once.errors[0] == "body of 1000 bytes exceeds the limit of 100 bytes; skipped");
    CHECK(at_once.bodies == std::vector<std::string>{"small"});

    // Fed in small pieces, the skipped body never accumulates.
    MessageReader reader(100);
    Drained out;
    std::string stream = frame(big) + frame("small");
    for (std::size_t at = 0; at < stream.size(); at += 7) {
      reader.feed(std::string_view(stream).substr(at, 7));
      drain(reader, out);
      CHECK(reader.buffered_bytes() < 40);
    }
    CHECK(out.errors.size() == 1);
    CHECK(out.bodies == std::vector<std::string>{"small"});
  }

  TEST_CASE("a body exactly at the limit is accepted") {
    Drained out = read_all(frame(std::string(100, 'y')), /*limit=*/100);
    CHECK(out.errors.empty());
    CHECK(out.bodies == std::vector<std::string>{std::string(100, 'y')});
  }

  TEST_CASE("an endless header line is cut off and memory stays bounded") {
    MessageReader reader;
    Drained out;
    std::string junk(4096, 'z');
    for (int i = 0; i < 40; ++i) {  // 160 KiB without a line break
      reader.feed(junk);
      drain(reader, out);
    }
    CHECK(out.errors == std::vector<std::string>{"header block longer than 64 KiB"});
    CHECK(reader.buffered_bytes() < 4096 + 16);
    reader.feed("\n" + frame("after"));
    drain(reader, out);
    CHECK(out.bodies == std::vector<std::string>{"after"});
  }

  TEST_CASE("a Content-Length line without end is cut off without looping") {
    MessageReader reader;
    Drained out;
    reader.feed("Content-Length: " + std::string(70 * 1024, '1'));
    drain(reader, out);
    CHECK(out.errors.size() == 1);
    reader.feed("\r\n\r\n" + frame("fine"));
    drain(reader, out);
    CHECK(out.bodies == std::vector<std::string>{"fine"});
  }

  TEST_CASE("good messages survive garbage lines between them, however the bytes arrive") {
    std::mt19937 random(20240611);
    const std::string alphabet = "ab:{} \t\r\n-19";
    std::string stream;
    std::vector<std::string> expected;
    for (int i = 0; i < 200; ++i) {
      if (random() % 2 == 0) {
        std::string garbage;
        for (std::size_t n = random() % 40; n > 0; --n)
          garbage += alphabet[random() % alphabet.size()];
        stream += garbage + "\n";
      }
      std::string body = "{\"n\":" + std::to_string(i) + "}";
      expected.push_back(body);
      stream += frame(body);
    }
    MessageReader reader;
    Drained out;
    for (std::size_t at = 0; at < stream.size();) {
      std::size_t piece = 1 + random() % 64;
      reader.feed(std::string_view(stream).substr(at, piece));
      drain(reader, out);
      at += piece;
    }
    CHECK(out.bodies == expected);
  }

  TEST_CASE("random bytes never crash the reader or grow its buffer") {
    std::mt19937 random(7);
    MessageReader reader(/*max_body_bytes=*/1024);
    Drained out;
    for (int i = 0; i < 2000; ++i) {
      std::string piece;
      for (std::size_t n = random() % 128; n > 0; --n) piece += static_cast<char>(random() % 256);
      if (random() % 10 == 0)
        piece += "Content-Length: " + std::to_string(random() % 2048) + "\r\n\r\n";
      reader.feed(piece);
      drain(reader, out);
      CHECK(reader.buffered_bytes() <= 64 * 1024 + 2048);
    }
    reader.feed(std::string(2048, ' ') + "\n\n" + frame("end"));
    drain(reader, out);
    REQUIRE_FALSE(out.bodies.empty());
    CHECK(out.bodies.back() == "end");
  }
}
