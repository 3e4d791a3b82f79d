#include "cache_row.h"

#include <doctest/doctest.h>

#include "insertion_script.h"

using namespace telinject;

namespace {

CachedScript entry(bool with_test) {
  CachedScript e;
  std::string text = "def f():\n    a = 1\n    return a\n";
  e.script.key = make_script_key("python", "t", "m.f", text, "");
  e.script.language = "python";
  e.script.function_name = "f";
  e.script.qualified_name = "m.f";
  e.script.profile = "builtin";
  e.script.insertions = {{1, 4, "with x(\"m.f\"):\n        "}, {2, 0, "    "}, {3, 0, "    "}};
  if (with_test) {
    e.script.origin = "llm";
    auto test = ScriptTest::make(e.script, text);
    REQUIRE(test.ok());
    e.test = *test;
  }
  return e;
}

}  // namespace

TEST_SUITE("cache_row") {
  TEST_CASE("scripts round-trip, with and without a test, in a fraction of their JSON") {
    for (bool with_test : {false, true}) {
      CachedScript e = entry(with_test);
      std::string row = cache_row::encode_script(e);
      auto back = cache_row::decode_script(row, e.script.key, "python");
      REQUIRE(back.ok());
      CHECK(back->script == e.script);
      CHECK(back->test == e.test);
      size_t json = script_to_json(e.script).size() +
                    (e.test ? test_to_json(*e.test, e.script.key).size() : 0);
      CHECK(row.size() * 3 < json);
    }
  }

  TEST_CASE("a row is bound to its key and language") {
    CachedScript e = entry(true);
    std::string row = cache_row::encode_script(e);
    std::string other_key = std::string(63, '0') + "1";
    CHECK_FALSE(cache_row::decode_script(row, other_key, "python").ok());
    CHECK_FALSE(cache_row::decode_script(row, e.script.key, "javascript").ok());
  }

  TEST_CASE("every truncation and every flipped byte is refused") {
    CachedScript e = entry(true);
    std::string row = cache_row::encode_script(e);
    for (size_t size = 0; size < row.size(); ++size)
      CHECK_FALSE(cache_row::decode_script(row.substr(0, size), e.script.key, "python").ok());
    for (size_t at = 0; at < row.size(); ++at) {
      std::string damaged = row;
      damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
      CHECK_FALSE(cache_row::decode_script(damaged, e.script.key, "python").ok());
    }
    CHECK_FALSE(cache_row::decode_script(row + "x", e.script.key, "python").ok());
  }

  TEST_CASE("file records round-trip and are bound to their key") {
    std::string key(64, 'a');
    FileRecord record{std::string(64, 'b'), std::string(64, 'c'), 12, 7};
    std::string row = cache_row::encode_file(key, record);
    auto back = cache_row::decode_file(row, key);
    REQUIRE(back);
    CHECK(back->input_sha256 == record.input_sha256);
    CHECK(back->output_sha256 == record.output_sha256);
    CHECK(back->functions == 12);
    CHECK(back->instrumented == 7);
    CHECK_FALSE(cache_row::decode_file(row, std::string(64, 'b')));
    CHECK_FALSE(cache_row::decode_file(row.substr(0, row.size() - 1), key));
  }

  TEST_CASE("keys: 32 bytes for a SHA-256, any other key kept apart") {
    std::string key = make_script_key("python", "t", "m.f", "x", "");
    CHECK(cache_row::key_bytes(key).size() == 32);
    CHECK(cache_row::key_text(cache_row::key_bytes(key)) == key);
    CHECK(cache_row::key_text(cache_row::key_bytes("k1")) == "k1");
    CHECK(cache_row::key_bytes(std::string(64, 'G')).size() == 65);  // not hex
    CHECK(cache_row::key_bytes(std::string(64, 'A')) != cache_row::key_bytes(std::string(64, 'a')));
  }
}
