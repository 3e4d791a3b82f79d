#include "transcript.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "framing.h"

using namespace telinject::protocol;
using nlohmann::json;

TEST_SUITE("transcript") {
  TEST_CASE("messages are JSON texts between delimiter lines, comments skipped") {
    std::string text =
        "# The client starts.\n"
        "---\n"
        "{\"jsonrpc\": \"2.0\", \"id\": 1,\n"
        "  # a comment inside a message\n"
        "  \"method\": \"initialize\",\r\n"
        "  \"params\": {\"text\": \"# not a comment, --- not a delimiter\"}}\n"
        "---  \r\n"
        "\n"
        "  {\"jsonrpc\": \"2.0\", \"method\": \"initialized\"}\n"
        "---\n"
        "   # nothing but a comment\n"
        "---\n";
    std::vector<json> messages;
    std::string error;
    REQUIRE_MESSAGE(parse_transcript(text, &messages, &error), error);
    REQUIRE(messages.size() == 2);
    CHECK(messages[0]["method"] == "initialize");
    CHECK(messages[0]["params"]["text"] == "# not a comment, --- not a delimiter");
    CHECK(messages[1] == json{{"jsonrpc", "2.0"}, {"method", "initialized"}});
  }

  TEST_CASE("an empty transcript has no messages") {
    std::vector<json> messages = {json(1)};
    std::string error;
    CHECK(parse_transcript("", &messages, &error));
    CHECK(messages.empty());
  }

  TEST_CASE("a chunk that is not one JSON value is an error at its first line") {
    std::vector<json> messages;
    std::string error;
    CHECK_FALSE(parse_transcript("{}\n---\n# c\n{\"a\": \n---\n{}\n", &messages, &error));
    CHECK(error == "line 4: not one JSON value");
    CHECK_FALSE(parse_transcript("{}\n{}\n", &messages, &error));  // a missing delimiter
    CHECK(error == "line 1: not one JSON value");
    CHECK(messages.empty());  // untouched on error
  }

  TEST_CASE("rendering is stable and parses back") {
    std::vector<json> messages = {
        {{"jsonrpc", "2.0"}, {"method", "m"}, {"id", 1}},
        {{"result", {{"b", 1}, {"a", {true, nullptr}}}}, {"id", 1}, {"jsonrpc", "2.0"}},
    };
    std::string text = render_transcript(messages);
    CHECK(text ==
          "{\n"
          "  \"id\": 1,\n"
          "  \"jsonrpc\": \"2.0\",\n"
          "  \"method\": \"m\"\n"
          "}\n"
          "---\n"
          "{\n"
          "  \"id\": 1,\n"
          "  \"jsonrpc\": \"2.0\",\n"
          "  \"result\": {\n"
          "    \"a\": [\n"
          "      true,\n"
          "      null\n"
          "    ],\n"
          "    \"b\": 1\n"
          "  }\n"
          "}\n");
    std::vector<json> parsed;
    std::string error;
    REQUIRE(parse_transcript(text, &parsed, &error));
    CHECK(parsed == messages);
    CHECK(render_transcript({}) == "");
  }

  TEST_CASE("raw bodies render the same way; non-JSON ones as they are") {
    std::string text = render_transcript_bodies({R"({"b":2,"a":1})", "not json"});
    CHECK(text == "{\n  \"a\": 1,\n  \"b\": 2\n}\n---\nnot json\n");
  }

  TEST_CASE("a framed transcript reads back message by message") {
    std::vector<json> messages = {{{"jsonrpc", "2.0"}, {"method", "a"}},
                                  {{"jsonrpc", "2.0"}, {"method", "\xC3\xA9"}}};
    MessageReader reader;
    reader.feed(frame_transcript(messages));
    for (const json& expected : messages) {
      ReadResult result = reader.next();
      REQUIRE(result.kind == ReadResult::Kind::kMessage);
      CHECK(json::parse(result.text) == expected);
    }
    CHECK(reader.next().kind == ReadResult::Kind::kNeedMoreData);
  }

  TEST_CASE("transcripts compare line by line") {
    CHECK_FALSE(transcript_difference("a\nb\n", "a\r\nb").has_value());
    CHECK_FALSE(transcript_difference("a\n\n\n", "a\n").has_value());
    CHECK(transcript_difference("a\nb\nc\n", "a\nx\nc\n") == "line 2: expected b, got x");
    CHECK(transcript_difference("a\n", "a\nmore\n") ==
          "line 2: expected <end of transcript>, got more");
    CHECK(transcript_difference("a\nb\n", "a\n") == "line 2: expected b, got <end of transcript>");
  }
}
