#include "insertion_script.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace telinject;

namespace {
InsertionScript sample() {
  InsertionScript s;
  s.key = make_script_key("python", "tmpl", "m.f", "def f():\n    return 1\n", "ctx");
  s.language = "python";
  s.function_name = "f";
  s.qualified_name = "m.f";
  s.profile = "builtin";
  s.insertions = {{1, 4, "with t():\n        "}};
  return s;
}
}  // namespace

TEST_SUITE("insertion_script") {
  TEST_CASE("keys change with every input") {
    std::string base = make_script_key("python", "t", "m.f", "text", "c");
    CHECK(base.size() == 64);
    CHECK(base != make_script_key("python", "t2", "m.f", "text", "c"));
    CHECK(base != make_script_key("python", "t", "m.g", "text", "c"));
    CHECK(base != make_script_key("python", "t", "m.f", "text ", "c"));
    CHECK(base != make_script_key("python", "t", "m.f", "text", "c2"));
    CHECK(base == make_script_key("python", "t", "m.f", "text", "c"));
  }

  TEST_CASE("scripts apply relative to the function's first row") {
    auto out = apply_to_function_text(sample(), "def f():\n    return 1\n");
    REQUIRE(out.ok());
    CHECK(*out == "def f():\n    with t():\n        return 1\n");
    SourceText file("x = 1\n\ndef f():\n    return 1\n");
    auto edits = script_edits(sample(), file, 2);
    REQUIRE(edits.ok());
    CHECK(edits->front().offset == file.row_start(3) + 4);
    CHECK_FALSE(script_edits(sample(), file, 5).ok());  // past the end
  }

  TEST_CASE("JSON round trip and damage detection") {
    InsertionScript s = sample();
    std::string json = script_to_json(s);
    auto back = script_from_json(json);
    REQUIRE(back.ok());
    CHECK(*back == s);
    std::string damaged = json;
    damaged[damaged.find("with t()") + 5] = 'u';
    CHECK_FALSE(script_from_json(damaged).ok());
    CHECK_FALSE(script_from_json(json.substr(0, json.size() / 2)).ok());
    CHECK_FALSE(script_from_json("[]").ok());
  }

  TEST_CASE("generated tests replay") {
    InsertionScript s = sample();
    auto test = ScriptTest::make(s, "def f():\n    return 1\n");
    REQUIRE(test.ok());
    CHECK(test->passes(s, "def f():\n    return 1\n"));
    CHECK_FALSE(test->passes(s, "def f():\n    return 2\n"));
    InsertionScript tampered = s;
    tampered.insertions[0].text = "import os; ";
    CHECK_FALSE(test->passes(tampered, "def f():\n    return 1\n"));
    auto json = test_to_json(*test, s.key);
    auto back = test_from_json(json, s.key);
    REQUIRE(back.ok());
    CHECK(*back == *test);
    CHECK_FALSE(test_from_json(json, "other-key").ok());
  }

  TEST_CASE("entries are written as nlohmann writes them, escapes included") {
    // The writer is hand-made for speed; the reader checks the checksum with nlohmann's dump.
    InsertionScript s = sample();
    s.qualified_name = "m.\"quoted\\path\"\t\x01\x1f caf\xC3\xA9 \xF0\x9F\x98\x80";
    s.insertions.push_back({2, 0, "\r\n\b\f\x7f"});
    std::string written = script_to_json(s);
    nlohmann::json parsed = nlohmann::json::parse(written);
    CHECK(parsed.dump() == written);  // compact, sorted keys, same escapes
    auto back = script_from_json(written);
    REQUIRE(back.ok());
    CHECK(*back == s);
    auto test = ScriptTest::make(sample(), "def f():\n    return 1\n");
    REQUIRE(test.ok());
    std::string test_json = test_to_json(*test, s.key);
    CHECK(nlohmann::json::parse(test_json).dump() == test_json);
  }
}
