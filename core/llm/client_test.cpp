#include "llm/client.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "llm_fake_server.h"
#include "test_support.h"
#include "trace_log.h"

namespace telinject::llm {
namespace {

using testing::FakeLlmServer;

std::unique_ptr<Provider> openai_at(const std::string& url, const std::string& model,
                                    const std::string& key = "sk-trace-SECRET-42") {
  LlmSettings settings;
  settings.provider = "openai";
  settings.model = model;
  settings.base_url = url;
  settings.api_key = key;
  auto provider = make_provider(settings);
  REQUIRE(provider.ok());
  return std::move(*provider);
}

CompletionRequest request_of(size_t prompt_bytes, uint32_t max_output) {
  CompletionRequest request;
  request.prompt = std::string(prompt_bytes, 'x');
  request.max_output_tokens = max_output;
  request.purpose = "test";
  return request;
}

TEST_CASE("Prices: per model by prefix, local models free, unknown models cautious") {
  CHECK(price_of("openai", "gpt-4o-mini-2024-07-18").input_per_million == 0.15);
  CHECK(price_of("openai", "gpt-4o").output_per_million == 10.0);
  CHECK(price_of("anthropic", "claude-3-5-sonnet-20241022").input_per_million == 3.0);
  CHECK(price_of("ollama", "llama3.1:8b").input_per_million == 0);
  Price unknown = price_of("openai", "mystery-model");
  CHECK_FALSE(unknown.known);
  CHECK(unknown.output_per_million >= 75.0);
  CHECK(cost_usd(price_of("openai", "gpt-4o"), 1'000'000, 100'000) == doctest::Approx(3.5));
  CHECK(known_context_window("gpt-4o-mini") == 128000);
  CHECK(known_context_window("claude-3-5-haiku-latest") == 200000);
  CHECK(known_context_window("some-local-thing", 4096) == 4096);
}

TEST_CASE("Cost from the usage fields, accumulated across calls") {
  FakeLlmServer server({testing::openai_answer("a", 1'000'000, 0, "gpt-4o"),
                        testing::openai_answer("b", 0, 100'000, "gpt-4o")});
  LlmClient client(openai_at(server.base_url(), "gpt-4o"), 0, nullptr);
  REQUIRE(client.complete(request_of(100, 100)).ok());
  CHECK(client.cost_usd() == doctest::Approx(2.5));
  REQUIRE(client.complete(request_of(100, 100)).ok());
  CHECK(client.cost_usd() == doctest::Approx(3.5));
  CHECK(client.calls() == 2);
}

TEST_CASE("Budget: a call whose worst case exceeds what is left is refused before sending") {
  FakeLlmServer server({testing::openai_answer("ok", 10'000, 10'000, "gpt-4o")});
  // gpt-4o: $2.50 in, $10 out per 1M. Worst case of 3000 bytes (~1016 tokens) + 4000 output
  // tokens ~ $0.0425; actual 10k+10k tokens = $0.125.
  LlmClient client(openai_at(server.base_url(), "gpt-4o"), 0.2, nullptr);
  CallFailure failure = CallFailure::kNone;
  REQUIRE(client.complete(request_of(3000, 4000), &failure).ok());
  CHECK(client.cost_usd() == doctest::Approx(0.125));
  CHECK_FALSE(client.budget_exhausted());
  // $0.075 left; a call that could cost $0.0425 still fits.
  REQUIRE(client.complete(request_of(3000, 4000), &failure).ok());
  CHECK(client.cost_usd() == doctest::Approx(0.25));
  auto refused = client.complete(request_of(3000, 4000), &failure);
  REQUIRE_FALSE(refused.ok());
  CHECK(failure == CallFailure::kBudget);
  CHECK(refused.error().find("over budget") != std::string::npos);
  CHECK(client.budget_exhausted());
  CHECK(server.requests().size() == 2);
}

TEST_CASE("Budget: reservations of calls in flight count against it") {
  Budget budget(1.0);
  CHECK(budget.reserve(0.6));
  CHECK_FALSE(budget.reserve(0.6));
  CHECK(budget.exhausted());
  budget.settle(0.6, 0.1);
  CHECK(budget.spent() == doctest::Approx(0.1));
  CHECK(budget.reserve(0.6));
  Budget unlimited(0);
  CHECK(unlimited.reserve(1e9));
}

TEST_CASE("Prompts never exceed the context window") {
  FakeLlmServer server({testing::openai_answer("ok", 10, 10, "gpt-4")});
  LlmClient client(openai_at(server.base_url(), "gpt-4"), 0, nullptr);  // 8192 tokens
  CHECK(client.context_window() == 8192);
  CallFailure failure = CallFailure::kNone;
  auto too_big = client.complete(request_of(30000, 100), &failure);
  REQUIRE_FALSE(too_big.ok());
  CHECK(failure == CallFailure::kTooLarge);
  CHECK(too_big.error().find("context window") != std::string::npos);
  CHECK(server.requests().empty());
  // Fits, but not with 8000 output tokens: the output limit shrinks to what is left.
  REQUIRE(client.complete(request_of(6000, 8000)).ok());
  auto sent = server.requests().at(0).json();
  CHECK(sent["max_tokens"].get<uint32_t>() + estimate_tokens(std::string(6000, 'x')) <= 8192);
}

TEST_CASE("Every call is traced with cost, tokens, model, latency and outcome; never the key") {
  const std::string key = "sk-trace-SECRET-42";
  FakeLlmServer server({testing::openai_answer("ok", 1000, 500, "gpt-4o-mini"),
                        testing::json_answer(401, {{"error", "bad key " + key}})});
  telinject::testing::TempDir dir;
  auto trace = TraceLog::open(dir.path(), TraceLevel::kInfo, false);
  REQUIRE(trace.ok());
  LlmClient client(openai_at(server.base_url(), "gpt-4o-mini", key), 0, trace->get());
  REQUIRE(client.complete(request_of(10, 10)).ok());
  CHECK_FALSE(client.complete(request_of(10, 10)).ok());
  std::ifstream in((*trace)->path());
  std::string line;
  std::vector<nlohmann::json> records;
  std::string all;
  while (std::getline(in, line)) {
    all += line;
    records.push_back(nlohmann::json::parse(line));
  }
  REQUIRE(records.size() == 2);
  const auto& ok = records[0]["data"];
  CHECK(records[0]["event"] == "llm_call");
  CHECK(ok["outcome"] == "ok");
  CHECK(ok["model"] == "gpt-4o-mini");
  CHECK(ok["input_tokens"] == 1000);
  CHECK(ok["output_tokens"] == 500);
  CHECK(ok["cost_usd"].get<double>() == doctest::Approx((1000 * 0.15 + 500 * 0.60) / 1e6));
  CHECK(ok.contains("latency_ms"));
  CHECK(records[1]["data"]["outcome"] == "error");
  CHECK(all.find(key) == std::string::npos);
}

}  // namespace
}  // namespace telinject::llm
