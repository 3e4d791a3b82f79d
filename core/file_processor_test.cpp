// process_text with a script cache: hits, misses, and entries that must not be trusted.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include "cache_row.h"
#include "pipeline.h"
#include "script_cache.h"
#include "test_support.h"

using namespace telinject;
using telinject::testing::read_text;
using telinject::testing::TempDir;
using telinject::testing::write_text;
namespace fs = std::filesystem;

namespace {
const LanguageSupport& python() { return *LanguageRegistry::instance().by_name("python"); }
const std::string kSource = "def f(x):\n    y = x + 1\n    return y\n\n\ndef g():\n    return 2\n";
}  // namespace

TEST_SUITE("file_processor") {
  TEST_CASE("second run over the same text hits the cache and gives the same bytes") {
    TempDir dir;
    std::string first_output;
    {
      ScriptCache cache(dir.path());
      TextResult first =
          process_text(kSource, "m.py", python(), Action::kInstrument, Config{}, &cache, nullptr);
      CHECK(first.outcome.cache_misses == 2);
      first_output = first.output;
    }
    ScriptCache cache(dir.path());
    TextResult second =
        process_text(kSource, "m.py", python(), Action::kInstrument, Config{}, &cache, nullptr);
    CHECK(second.outcome.cache_hits == 2);
    CHECK(second.output == first_output);
  }

  TEST_CASE("a tampered entry with valid checksums is not used") {
    TempDir dir;
    std::string clean;
    {
      ScriptCache cache(dir.path());
      clean =
          process_text(kSource, "m.py", python(), Action::kInstrument, Config{}, &cache, nullptr)
              .output;
    }
    // Rewrite f's script so that it also inserts code, with a matching checksum and test.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "cache.sqlite3").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* row = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT key, language, body FROM scripts", -1, &row, nullptr) ==
            SQLITE_OK);
    std::optional<CachedScript> f;
    while (!f && sqlite3_step(row) == SQLITE_ROW) {
      auto column = [&](int i) {
        return std::string(static_cast<const char*>(sqlite3_column_blob(row, i)),
                           static_cast<size_t>(sqlite3_column_bytes(row, i)));
      };
      auto entry = cache_row::decode_script(column(2), cache_row::key_text(column(0)), column(1));
      REQUIRE(entry.ok());
      if (entry->script.function_name == "f") f = std::move(*entry);
    }
    sqlite3_finalize(row);
    REQUIRE(f);
    f->script.insertions.front().text += "__import__('os').system('true'); ";
    auto test = ScriptTest::make(f->script, "def f(x):\n    y = x + 1\n    return y\n");
    REQUIRE(test.ok());
    f->test = *test;
    sqlite3_stmt* update = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "UPDATE scripts SET body=?1 WHERE key=?2", -1, &update,
                               nullptr) == SQLITE_OK);
    std::string body = cache_row::encode_script(*f), key = cache_row::key_bytes(f->script.key);
    sqlite3_bind_blob(update, 1, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(update, 2, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    CHECK(sqlite3_step(update) == SQLITE_DONE);
    CHECK(sqlite3_changes(db) == 1);
    sqlite3_finalize(update);
    sqlite3_close(db);
    ScriptCache cache(dir.path());
    TextResult again =
        process_text(kSource, "m.py", python(), Action::kInstrument, Config{}, &cache, nullptr);
    CHECK(again.output == clean);
    CHECK(again.output.find("system") == std::string::npos);
    CHECK(again.outcome.cache_hits == 1);  // g's entry is still good
  }

  TEST_CASE("validation failure leaves the text as it was") {
    Config config;
    config.profile = "broken";
    config.templates["broken"]["python"] = {"broken", "import t  # telinject",
                                            "with t.span({name}) +", "", false};
    TextResult result =
        process_text(kSource, "m.py", python(), Action::kInstrument, config, nullptr, nullptr);
    CHECK(result.output == kSource);
    CHECK(result.outcome.instrumented == 0);
    for (const auto& f : result.outcome.functions) CHECK(f.state == FunctionOutcome::State::kError);
  }

  TEST_CASE("only the selected functions are instrumented or removed") {
    const std::string text =
        "def outer():\n    def inner():\n        return 1\n    return inner()\n\n\ndef g():\n    "
        "return 2\n";
    std::vector<std::string> inner = {"m.outer.<locals>.inner"};
    TextResult one = process_text(text, "m.py", python(), Action::kInstrument, Config{}, nullptr,
                                  nullptr, &inner);
    CHECK(one.outcome.instrumented == 1);
    CHECK(one.outcome.uninstrumented == 2);
    CHECK(one.output.find("span(\"m.outer.<locals>.inner\")") != std::string::npos);
    CHECK(one.output.find("span(\"m.g\")") == std::string::npos);
    for (const auto& f : one.outcome.functions)
      if (f.qualified_name == "m.g") {
        CHECK(f.state == FunctionOutcome::State::kUninstrumented);
        CHECK(f.line == 7);
        CHECK(f.column == 4);
        CHECK(f.end_line == 8);
      }

    // Everything, then take out only the outer function's telemetry: the inner keeps its own.
    TextResult all =
        process_text(text, "m.py", python(), Action::kInstrument, Config{}, nullptr, nullptr);
    CHECK(all.outcome.instrumented == 3);
    std::vector<std::string> outer = {"m.outer"};
    TextResult removed = process_text(all.output, "m.py", python(), Action::kRemove, Config{},
                                      nullptr, nullptr, &outer);
    CHECK(removed.outcome.removed == 1);
    TextResult check =
        process_text(removed.output, "m.py", python(), Action::kCheck, Config{}, nullptr, nullptr);
    CHECK(check.outcome.already_instrumented == 2);
    CHECK(check.outcome.uninstrumented == 1);
    // Removing the rest restores the original bytes, import line included.
    TextResult rest =
        process_text(removed.output, "m.py", python(), Action::kRemove, Config{}, nullptr, nullptr);
    CHECK(rest.output == text);
    std::vector<std::string> none = {"m.nothing"};
    CHECK(process_text(all.output, "m.py", python(), Action::kRemove, Config{}, nullptr, nullptr,
                       &none)
              .output == all.output);
  }
}

TEST_SUITE("function outcome") {
  TEST_CASE("every state is spelled as the JSON and text outputs have always spelled it") {
    using State = FunctionOutcome::State;
    CHECK(std::string(to_string(State::kInstrumented)) == "instrumented");
    CHECK(std::string(to_string(State::kAlreadyInstrumented)) == "already_instrumented");
    CHECK(std::string(to_string(State::kUninstrumented)) == "uninstrumented");
    CHECK(std::string(to_string(State::kRemoved)) == "removed");
    CHECK(std::string(to_string(State::kSkipped)) == "skipped");
    CHECK(std::string(to_string(State::kOptedOut)) == "opted_out");
    CHECK(std::string(to_string(State::kError)) == "error");
    CHECK(std::string(to_string(State::kNotDone)) == "not_done");
  }

  TEST_CASE("check, instrument and remove report each function in its state") {
    const std::string source = kSource + "\n\ndef h():  # telinject: ignore\n    return 3\n";
    auto states = [](const TextResult& r) {
      std::vector<std::string> out;
      for (const FunctionOutcome& f : r.outcome.functions)
        out.push_back(f.qualified_name + "=" + to_string(f.state));
      return out;
    };
    TextResult checked =
        process_text(source, "m.py", python(), Action::kCheck, Config{}, nullptr, nullptr);
    CHECK(states(checked) ==
          std::vector<std::string>{"m.f=uninstrumented", "m.g=uninstrumented", "m.h=opted_out"});
    CHECK(checked.outcome.uninstrumented == 2);
    CHECK(checked.outcome.skipped == 1);
    std::vector<std::string> only = {"m.f"};
    TextResult one = process_text(source, "m.py", python(), Action::kInstrument, Config{}, nullptr,
                                  nullptr, &only);
    CHECK(states(one) ==
          std::vector<std::string>{"m.f=instrumented", "m.g=uninstrumented", "m.h=opted_out"});
    CHECK(one.outcome.instrumented == 1);
    TextResult again =
        process_text(one.output, "m.py", python(), Action::kCheck, Config{}, nullptr, nullptr);
    CHECK(states(again) == std::vector<std::string>{"m.f=already_instrumented",
                                                    "m.g=uninstrumented", "m.h=opted_out"});
    TextResult removed =
        process_text(one.output, "m.py", python(), Action::kRemove, Config{}, nullptr, nullptr);
    CHECK(states(removed) == std::vector<std::string>{"m.f=removed"});
    CHECK(removed.output == source);
  }
}
