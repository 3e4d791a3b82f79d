#include "llm_service.h"

#include <doctest/doctest.h>

#include "llm_fake_server.h"

namespace telinject::server {
namespace {

using telinject::testing::FakeLlmServer;
using telinject::testing::FakeRequest;
using telinject::testing::FakeResponse;

const std::string kKotlin = "class A {\n  fun f(x: Int): Int {\n    return x\n  }\n}\n";

FakeResponse kotlin_analysis(const FakeRequest&) {
  // gpt-4o: 1000 in + 400 out = $0.0065.
  return telinject::testing::openai_answer(
      R"({"functions": [{"name": "f", "qualified_name": "A.f", "start_line": 2, )"
      R"("body_start_line": 3, "end_line": 4}]})",
      1000, 400, "gpt-4o");
}

Config enabled_at(const std::string& url, double budget) {
  Config config;
  config.llm.enabled = true;
  config.llm.provider = "openai";
  config.llm.model = "gpt-4o";
  config.llm.api_key = "sk-test";
  config.llm.base_url = url;
  config.llm.budget_usd = budget;
  return config;
}

const LlmLanguage& kotlin() { return *llm_language_for("a.kt"); }

TEST_CASE("No LLM unless enabled; one LLM while the settings stay") {
  FakeLlmServer server(kotlin_analysis);
  LlmService service;
  Config off = enabled_at(server.base_url(), 1);
  off.llm.enabled = false;
  CHECK(service.for_config(off, {}, true) == nullptr);
  CHECK_FALSE(service.usage()["enabled"].get<bool>());
  auto first = service.for_config(enabled_at(server.base_url(), 1), {}, true);
  REQUIRE(first);
  CHECK(service.for_config(enabled_at(server.base_url(), 1), {}, true) == first);
  CHECK(service.usage()["enabled"].get<bool>());
}

TEST_CASE("A text is analysed once") {
  FakeLlmServer server(kotlin_analysis);
  LlmService service;
  auto llm = service.for_config(enabled_at(server.base_url(), 1), {}, true);
  REQUIRE(llm);
  for (int i = 0; i < 3; ++i) {
    CallFailure why = CallFailure::kNone;
    auto functions = llm->analyze(kKotlin, "a.kt", kotlin(), &why);
    REQUIRE(functions.ok());
    CHECK(functions->size() == 1);
  }
  CHECK(server.requests().size() == 1);
  nlohmann::json usage = service.usage();
  CHECK(usage["calls"] == 1);
  CHECK(usage["costUsd"].get<double>() == doctest::Approx(0.0065));
}

TEST_CASE("The budget is the server's: spent once, no more calls, across settings changes") {
  FakeLlmServer server(kotlin_analysis);
  LlmService service;
  // About $0.007 reserved for the first call, $0.0065 spent; the second does not fit.
  auto llm = service.for_config(enabled_at(server.base_url(), 0.01), {}, true);
  REQUIRE(llm);
  CallFailure why = CallFailure::kNone;
  CHECK(llm->analyze(kKotlin, "a.kt", kotlin(), &why).ok());
  CHECK_FALSE(llm->analyze(kKotlin + "\n", "a.kt", kotlin(), &why).ok());
  CHECK(why == CallFailure::kBudget);
  CHECK(llm->budget_spent());
  CHECK(llm->text_hooks().repairer == nullptr);
  CHECK(server.requests().size() == 1);

  // Another model (a new LLM) with the same budget: what is left of it, i.e. nothing.
  Config other = enabled_at(server.base_url(), 0.01);
  other.llm.model = "gpt-4o-mini";
  auto next = service.for_config(other, {}, true);
  REQUIRE(next);
  CHECK(next != llm);
  CHECK_FALSE(next->analyze(kKotlin + "\n\n", "a.kt", kotlin(), &why).ok());
  CHECK(why == CallFailure::kBudget);
  CHECK(server.requests().size() == 1);
  nlohmann::json usage = service.usage();
  CHECK(usage["budgetSpent"].get<bool>());
  CHECK(usage["calls"] == 1);
}

}  // namespace
}  // namespace telinject::server
