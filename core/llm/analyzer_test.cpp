#include "llm/analyzer.h"

#include <doctest/doctest.h>

#include <atomic>

#include "llm_fake_server.h"
#include "script_cache.h"
#include "test_support.h"

namespace telinject::llm {
namespace {

using testing::FakeLlmServer;

const std::string kKotlin =
    "class Greeter {\n"
    "  fun greet(name: String) {\n"
    "    println(\"hi $name\")\n"
    "  }\n"
    "\n"
    "  fun empty() {}\n"
    "}\n";

nlohmann::json function(const std::string& name, const std::string& qualified, int start, int body,
                        int end) {
  return {{"name", name},
          {"qualified_name", qualified},
          {"start_line", start},
          {"body_start_line", body},
          {"end_line", end}};
}

std::string analysis(std::vector<nlohmann::json> functions) {
  return nlohmann::json({{"functions", functions}}).dump();
}

const LlmLanguage& kotlin() { return *llm_language_for("x.kt"); }

// Ollama answering /api/chat with `answers` in turn (the last repeats), and nothing else.
FakeLlmServer::Handler chat_script(std::vector<std::string> answers) {
  auto next = std::make_shared<std::atomic<size_t>>(0);
  return [answers, next](const testing::FakeRequest& r) {
    if (r.target != "/api/chat") return testing::json_answer(404, {{"error", "not here"}});
    size_t i = std::min(next->fetch_add(1), answers.size() - 1);
    return testing::ollama_answer(answers[i]);
  };
}

// The user messages sent to Ollama's chat endpoint (the client also asks /api/show once).
std::vector<std::string> chat_prompts(const FakeLlmServer& server) {
  std::vector<std::string> prompts;
  for (const auto& r : server.requests())
    if (r.target == "/api/chat") prompts.push_back(r.json()["messages"][1]["content"]);
  return prompts;
}

TEST_CASE("Languages without a grammar are known by extension") {
  CHECK(llm_language_for("a/b.kt")->name == "kotlin");
  CHECK(llm_language_for("a/b.cs")->name == "csharp");
  CHECK(llm_language_for("a/b.rb") == nullptr);  // Ruby has a grammar
  CHECK(llm_language_for("A.java") == nullptr);  // Java has its grammar (core/languages/java)
  CHECK(llm_language_for("a.py") == nullptr);
  CHECK(llm_language_for("notes.txt") == nullptr);
}

TEST_CASE("The analysis is checked against the text") {
  auto ok =
      parse_analysis(analysis({function("greet", "Greeter.greet", 2, 3, 4)}), kKotlin, kotlin());
  REQUIRE(ok.ok());
  CHECK(ok->at(0).body_start_line == 3);
  auto error = [&](nlohmann::json f) {
    auto r = parse_analysis(analysis({f}), kKotlin, kotlin());
    REQUIRE_FALSE(r.ok());
    return r.error();
  };
  CHECK(error(function("greet", "Greeter.greet", 2, 3, 3)).find("does not close a function") !=
        std::string::npos);
  CHECK(error(function("greet", "Greeter.greet", 3, 4, 4)).find("not on the signature") !=
        std::string::npos);
  CHECK(error(function("greet", "Greeter.greet", 2, 3, 40)).find("outside the file") !=
        std::string::npos);
  CHECK(error(function("greet", "Greeter.greet", 2, 2, 4)).find("out of order") !=
        std::string::npos);
  CHECK(error(function("greet", "Greeter.other", 2, 3, 4)).find("must end with the name") !=
        std::string::npos);
  CHECK(error(function("gr\"eet", "Greeter.gr\"eet", 2, 3, 4)).find("not a function name") !=
        std::string::npos);
  CHECK(error({{"name", "greet"}}).find("lacks") != std::string::npos);
  auto overlap = parse_analysis(analysis({function("Greeter", "Greeter", 1, 2, 7),
                                          function("greet", "Greeter.greet", 2, 3, 7)}),
                                kKotlin, kotlin());
  CHECK(overlap.error().find("overlaps") != std::string::npos);
  CHECK(parse_analysis("no json here", kKotlin, kotlin()).error().find("not a JSON object") !=
        std::string::npos);
}

std::unique_ptr<LlmClient> client_at(const std::string& url) {
  LlmSettings settings;
  settings.provider = "ollama";
  settings.base_url = url;
  auto provider = make_provider(settings);
  REQUIRE(provider.ok());
  return std::make_unique<LlmClient>(std::move(*provider), 0, nullptr);
}

const std::string kInstrumented =
    "class Greeter {\n"
    "  fun greet(name: String) {\n"
    "    System.err.println(\"[telinject] enter \" + \"Greeter.greet\") // telinject\n"
    "    println(\"hi $name\")\n"
    "  }\n"
    "\n"
    "  fun empty() {}\n"
    "}\n";

TEST_CASE("A Kotlin file: analysed by the LLM, instrumented with telinject's own line, removable") {
  FakeLlmServer server(chat_script({analysis({function("greet", "Greeter.greet", 2, 3, 4)})}));
  auto client = client_at(server.base_url());
  telinject::testing::TempDir dir;
  LlmAnalyzer analyzer(*client, dir.path(), 2);
  ScriptCache cache(dir / "scripts");
  auto result = process_llm_text(kKotlin, "greeter.kt", kotlin(), Action::kInstrument, &cache,
                                 &analyzer, nullptr);
  CHECK(result.outcome.status == FileOutcome::Status::kChanged);
  CHECK(result.output == kInstrumented);
  CHECK(result.outcome.instrumented == 1);
  // The prompt numbers the lines.
  REQUIRE(chat_prompts(server).size() == 1);
  CHECK(chat_prompts(server)[0].find("2:   fun greet(name: String) {") != std::string::npos);

  // Unchanged text: the analysis comes from the cache, no call.
  auto again =
      process_llm_text(kKotlin, "greeter.kt", kotlin(), Action::kCheck, &cache, &analyzer, nullptr);
  CHECK(again.outcome.uninstrumented == 1);
  CHECK(chat_prompts(server).size() == 1);
  CHECK(analyzer.cache_hits() == 1);

  auto removed = process_llm_text(kInstrumented, "greeter.kt", kotlin(), Action::kRemove, nullptr,
                                  nullptr, nullptr);
  CHECK(removed.output == kKotlin);
  CHECK(removed.outcome.removed == 1);
}

TEST_CASE("Wrong function ranges are refused and retried with the reason; never written") {
  FakeLlmServer server(chat_script({analysis({function("greet", "Greeter.greet", 2, 3, 3)}),
                                    analysis({function("greet", "Greeter.greet", 2, 3, 4)})}));
  auto client = client_at(server.base_url());
  LlmAnalyzer analyzer(*client, {}, 2);
  auto result = process_llm_text(kKotlin, "greeter.kt", kotlin(), Action::kInstrument, nullptr,
                                 &analyzer, nullptr);
  CHECK(result.output == kInstrumented);
  REQUIRE(chat_prompts(server).size() == 2);
  std::string second = chat_prompts(server)[1];
  CHECK(second.find("was rejected: Greeter.greet (lines 2-3): line 3 does not close a function") !=
        std::string::npos);

  FakeLlmServer wrong(chat_script({analysis({function("greet", "Greeter.greet", 1, 2, 7)})}));
  auto wrong_client = client_at(wrong.base_url());
  LlmAnalyzer wrong_analyzer(*wrong_client, {}, 2);
  auto refused = process_llm_text(kKotlin, "greeter.kt", kotlin(), Action::kInstrument, nullptr,
                                  &wrong_analyzer, nullptr);
  CHECK(refused.outcome.status == FileOutcome::Status::kError);
  CHECK(refused.outcome.message.find("not on the signature") != std::string::npos);
  CHECK(refused.output == kKotlin);
}

TEST_CASE("Without an LLM such a file is skipped, not an error") {
  auto result = process_llm_text(kKotlin, "greeter.kt", kotlin(), Action::kInstrument, nullptr,
                                 nullptr, nullptr);
  CHECK(result.outcome.status == FileOutcome::Status::kSkipped);
  CHECK(result.outcome.message.find("no LLM enabled") != std::string::npos);
  CHECK(result.output == kKotlin);
}

TEST_CASE("Already instrumented functions are recognised") {
  FakeLlmServer server(chat_script({analysis({function("greet", "Greeter.greet", 2, 3, 5)})}));
  auto client = client_at(server.base_url());
  LlmAnalyzer analyzer(*client, {}, 1);
  auto result = process_llm_text(kInstrumented, "greeter.kt", kotlin(), Action::kInstrument,
                                 nullptr, &analyzer, nullptr);
  CHECK(result.outcome.status == FileOutcome::Status::kUnchanged);
  CHECK(result.outcome.already_instrumented == 1);
  CHECK(result.output == kInstrumented);
}

TEST_CASE("`only` limits instrument and remove to the functions named (the editor's actions)") {
  const std::string plain = "class G {\n  fun a() {\n    1\n  }\n\n  fun b() {\n    2\n  }\n}\n";
  auto line = [](const char* name) {
    return std::string("    System.err.println(\"[telinject] enter \" + \"") + name +
           "\") // telinject\n";
  };
  const std::string both = "class G {\n  fun a() {\n" + line("G.a") +
                           "    1\n  }\n\n  fun b() {\n" + line("G.b") + "    2\n  }\n}\n";
  FakeLlmServer server(
      chat_script({analysis({function("a", "G.a", 2, 3, 4), function("b", "G.b", 6, 7, 8)}),
                   analysis({function("a", "G.a", 2, 3, 5), function("b", "G.b", 7, 8, 10)})}));
  auto client = client_at(server.base_url());
  LlmAnalyzer analyzer(*client, {}, 1);
  const std::vector<std::string> only_a = {"G.a"}, only_b = {"G.b"};
  auto instrumented = process_llm_text(plain, "g.kt", kotlin(), Action::kInstrument, nullptr,
                                       &analyzer, nullptr, &only_a);
  CHECK(instrumented.output ==
        "class G {\n  fun a() {\n" + line("G.a") + "    1\n  }\n\n  fun b() {\n    2\n  }\n}\n");
  auto removed = process_llm_text(both, "g.kt", kotlin(), Action::kRemove, nullptr, &analyzer,
                                  nullptr, &only_b);
  CHECK(removed.output ==
        "class G {\n  fun a() {\n" + line("G.a") + "    1\n  }\n\n  fun b() {\n    2\n  }\n}\n");
  CHECK(removed.outcome.removed == 1);
  auto no_llm =
      process_llm_text(both, "g.kt", kotlin(), Action::kRemove, nullptr, nullptr, nullptr, &only_b);
  CHECK(no_llm.outcome.status == FileOutcome::Status::kError);
  CHECK(no_llm.output == both);
}

}  // namespace
}  // namespace telinject::llm
