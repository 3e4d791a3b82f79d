#include "llm/provider.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "llm_fake_server.h"

namespace telinject::llm {
namespace {

using testing::FakeLlmServer;
using testing::FakeResponse;
using testing::json_answer;

std::vector<double> g_sleeps;

ProviderOptions options_for(const std::string& provider, const std::string& base_url,
                            const std::string& key = "sk-test-SECRET-123") {
  LlmSettings settings;
  settings.provider = provider;
  settings.base_url = base_url;
  settings.api_key = key;
  settings.timeout_seconds = 5;
  auto options = resolve_provider_options(settings);
  REQUIRE(options.ok());
  options->retry.sleep = [](double seconds) { g_sleeps.push_back(seconds); };
  return *options;
}

std::unique_ptr<Provider> provider_for(const ProviderOptions& options) {
  auto made = make_provider(options);
  REQUIRE(made.ok());
  return std::move(*made);
}

// The requests a server got at `target`.
std::vector<testing::FakeRequest> at(const FakeLlmServer& server, const std::string& target) {
  std::vector<testing::FakeRequest> out;
  for (const auto& r : server.requests())
    if (r.target == target) out.push_back(r);
  return out;
}

CompletionRequest hello() {
  CompletionRequest request;
  request.system = "be brief";
  request.prompt = "say hi";
  request.max_output_tokens = 100;
  return request;
}

TEST_CASE("OpenAI: chat completions request, text and usage") {
  FakeLlmServer server({testing::openai_answer("hi there", 12, 3, "gpt-4o-mini-2024-07-18")});
  auto provider = provider_for(options_for("openai", server.base_url() + "/v1"));
  auto answer = provider->complete(hello());
  REQUIRE(answer.ok());
  CHECK(answer->text == "hi there");
  CHECK(answer->input_tokens == 12);
  CHECK(answer->output_tokens == 3);
  CHECK(answer->model == "gpt-4o-mini-2024-07-18");
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/v1/chat/completions");
  CHECK(requests[0].headers["authorization"] == "Bearer sk-test-SECRET-123");
  auto body = requests[0].json();
  CHECK(body["model"] == "gpt-4o-mini");
  CHECK(body["max_tokens"] == 100);
  CHECK(body["messages"][0]["role"] == "system");
  CHECK(body["messages"][1]["content"] == "say hi");
}

TEST_CASE("OpenAI reasoning models get max_completion_tokens and no temperature") {
  FakeLlmServer server({testing::openai_answer("ok", 1, 1, "o3-mini")});
  LlmSettings settings;
  settings.provider = "openai";
  settings.model = "o3-mini";
  settings.base_url = server.base_url();
  settings.api_key = "k";
  auto provider = make_provider(settings);
  REQUIRE(provider.ok());
  REQUIRE((*provider)->complete(hello()).ok());
  auto body = server.requests().at(0).json();
  CHECK(body["max_completion_tokens"] == 100);
  CHECK_FALSE(body.contains("max_tokens"));
  CHECK_FALSE(body.contains("temperature"));
}

TEST_CASE("Anthropic: messages request with its headers, refusal, usage") {
  FakeLlmServer server(
      {testing::anthropic_answer("hello", 20, 4),
       testing::anthropic_answer("", 20, 0, "claude-3-5-sonnet-20241022", "refusal")});
  auto provider = provider_for(options_for("anthropic", server.base_url()));
  auto answer = provider->complete(hello());
  REQUIRE(answer.ok());
  CHECK(answer->text == "hello");
  CHECK(answer->input_tokens == 20);
  CHECK(answer->output_tokens == 4);
  auto requests = server.requests();
  CHECK(requests[0].target == "/v1/messages");
  CHECK(requests[0].headers["x-api-key"] == "sk-test-SECRET-123");
  CHECK(requests[0].headers["anthropic-version"] == "2023-06-01");
  CHECK(requests[0].json()["system"] == "be brief");
  CHECK(requests[0].json()["messages"].size() == 1);
  auto refused = provider->complete(hello());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().find("refused") != std::string::npos);
}

TEST_CASE("Ollama native chat and its OpenAI-compatible endpoint") {
  FakeLlmServer server([](const testing::FakeRequest& r) -> FakeResponse {
    if (r.target == "/api/chat") return testing::ollama_answer("native", 30, 7);
    if (r.target == "/v1/chat/completions")
      return testing::openai_answer("compatible", 31, 8, "llama3");
    if (r.target == "/api/show")
      return json_answer(200, {{"model_info", {{"llama.context_length", 131072}}}});
    return json_answer(404, {{"error", "no route"}});
  });
  auto native = provider_for(options_for("ollama", server.base_url(), ""));
  auto answer = native->complete(hello());
  REQUIRE(answer.ok());
  CHECK(answer->text == "native");
  CHECK(answer->input_tokens == 30);
  CHECK(answer->output_tokens == 7);
  CHECK(native->is_local());
  CHECK(native->reported_context_window() == 131072);
  REQUIRE(at(server, "/api/chat").size() == 1);
  auto body = at(server, "/api/chat")[0].json();
  CHECK(body["stream"] == false);
  CHECK(body["options"]["num_predict"] == 100);
  // Ollama is told the context the request needs (its default would cut long prompts).
  CHECK(body["options"]["num_ctx"] == 2048);

  auto compatible = provider_for(options_for("ollama", server.base_url() + "/v1", ""));
  auto second = compatible->complete(hello());
  REQUIRE(second.ok());
  CHECK(second->text == "compatible");
  CHECK(compatible->is_local());
}

TEST_CASE("Timeout defaults: 600 s for Ollama, 120 s for cloud providers") {
  LlmSettings settings;
  settings.provider = "ollama";
  CHECK(resolve_provider_options(settings)->timeout_seconds == 600);
  settings.provider = "openai";
  settings.api_key = "k";
  CHECK(resolve_provider_options(settings)->timeout_seconds == 120);
  settings.timeout_seconds = 7;
  CHECK(resolve_provider_options(settings)->timeout_seconds == 7);
  settings.api_key = "";
  CHECK(resolve_provider_options(settings).error().find("OPENAI_API_KEY") != std::string::npos);
  settings.provider = "";
  CHECK_FALSE(resolve_provider_options(settings).ok());
  settings.provider = "gemini";
  CHECK(resolve_provider_options(settings).error().find("unknown LLM provider") !=
        std::string::npos);
}

TEST_CASE("429 with Retry-After is retried after the given wait, 500 with backoff") {
  g_sleeps.clear();
  FakeResponse limited = json_answer(429, {{"error", {{"message", "slow down"}}}});
  limited.headers.emplace_back("Retry-After", "7");
  FakeLlmServer server(
      {limited, json_answer(500, {{"error", "boom"}}), testing::openai_answer("ok")});
  auto provider = provider_for(options_for("openai", server.base_url()));
  auto answer = provider->complete(hello());
  REQUIRE(answer.ok());
  CHECK(answer->text == "ok");
  CHECK(server.requests().size() == 3);
  REQUIRE(g_sleeps.size() == 2);
  CHECK(g_sleeps[0] == 7);
  CHECK(g_sleeps[1] == 2);  // second backoff step: 1 s doubled
}

TEST_CASE("Persistent 429 and 5xx end in a clear error after the attempts") {
  g_sleeps.clear();
  FakeLlmServer server({json_answer(503, {{"error", "overloaded"}})});
  auto options = options_for("openai", server.base_url());
  options.retry.max_attempts = 3;
  auto answer = provider_for(options)->complete(hello());
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().find("HTTP 503") != std::string::npos);
  CHECK(server.requests().size() == 3);
}

TEST_CASE("401 and 404 explain themselves and never show the key") {
  const std::string key = "sk-live-VERYSECRET-9876";
  // Some servers echo the key they were given; it must not reach our messages.
  FakeLlmServer server(
      {json_answer(401, {{"error", {{"message", "Incorrect API key provided: " + key}}}}),
       json_answer(404, {{"error", "model 'nope' not found, key " + key}})});
  auto options = options_for("openai", server.base_url(), key);
  auto provider = provider_for(options);
  auto denied = provider->complete(hello());
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().find("authentication failed (HTTP 401)") != std::string::npos);
  CHECK(denied.error().find("OPENAI_API_KEY") != std::string::npos);
  CHECK(denied.error().find(key) == std::string::npos);
  auto missing = provider->complete(hello());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("not found (HTTP 404)") != std::string::npos);
  CHECK(missing.error().find(key) == std::string::npos);
  CHECK(missing.error().find("[redacted]") != std::string::npos);
}

TEST_CASE("A slow answer past the timeout is an error naming the timeout") {
  FakeResponse slow = testing::openai_answer("late");
  slow.delay_seconds = 3;
  FakeLlmServer server({slow});
  auto options = options_for("openai", server.base_url());
  options.timeout_seconds = 0.3;
  options.retry.max_attempts = 2;
  TransportFailure failure = TransportFailure::kNone;
  auto answer = provider_for(options)->complete(hello(), &failure);
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().find("no answer within 0.3 s") != std::string::npos);
  CHECK(failure == TransportFailure::kTimeout);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("Truncated or malformed JSON, missing usage, cut-off answers are errors") {
  std::string whole = testing::openai_answer("text").body;
  FakeLlmServer server(
      {FakeResponse{200, whole.substr(0, whole.size() / 2), {}, 0},
       json_answer(200, {{"choices", {{{"message", {{"content", "x"}}}}}}}),
       json_answer(200,
                   {{"choices", {{{"message", {{"content", "x"}}}, {"finish_reason", "length"}}}},
                    {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}}}}),
       json_answer(200, {{"choices",
                          {{{"message", {{"content", nullptr}, {"refusal", "I can't help"}}}}}}})});
  auto provider = provider_for(options_for("openai", server.base_url()));
  auto truncated = provider->complete(hello());
  CHECK(truncated.error().find("not valid JSON") != std::string::npos);
  auto no_usage = provider->complete(hello());
  CHECK(no_usage.error().find("no usage counts") != std::string::npos);
  auto cut = provider->complete(hello());
  CHECK(cut.error().find("cut off") != std::string::npos);
  auto refusal = provider->complete(hello());
  CHECK(refusal.error().find("refused: I can't help") != std::string::npos);
}

TEST_CASE("Model lists: OpenAI /v1/models, Anthropic /v1/models, Ollama /api/tags") {
  FakeLlmServer server([](const testing::FakeRequest& r) -> FakeResponse {
    if (r.target == "/v1/models" && r.headers.count("x-api-key"))
      return json_answer(200,
                         {{"data", {{{"id", "claude-3-5-haiku-20241022"}, {"type", "model"}}}}});
    if (r.target == "/v1/models")
      return json_answer(
          200, {{"object", "list"}, {"data", {{{"id", "gpt-4o"}}, {{"id", "gpt-4o-mini"}}}}});
    if (r.target == "/api/tags")
      return json_answer(200,
                         {{"models", {{{"name", "llama3.1:8b"}}, {{"name", "qwen2.5-coder:7b"}}}}});
    return json_answer(404, {});
  });
  auto openai = provider_for(options_for("openai", server.base_url()))->list_models();
  REQUIRE(openai.ok());
  CHECK(openai->size() == 2);
  CHECK((*openai)[1].id == "gpt-4o-mini");
  auto anthropic = provider_for(options_for("anthropic", server.base_url()))->list_models();
  REQUIRE(anthropic.ok());
  CHECK(anthropic->at(0).id == "claude-3-5-haiku-20241022");
  auto ollama = provider_for(options_for("ollama", server.base_url(), ""))->list_models();
  REQUIRE(ollama.ok());
  CHECK(ollama->size() == 2);
}

TEST_CASE("Pool: calls spread across endpoints; a dead one is taken out") {
  FakeLlmServer a({testing::ollama_answer("from a")});
  FakeLlmServer b({testing::ollama_answer("from b")});
  // A port nobody listens on: take one from a server that we then stop.
  std::string dead_url;
  {
    FakeLlmServer gone({testing::ollama_answer("never")});
    dead_url = gone.base_url();
  }
  auto options = options_for("ollama", a.base_url() + "," + dead_url + ", " + b.base_url(), "");
  REQUIRE(options.base_urls.size() == 3);
  auto pool = provider_for(options);
  int from_a = 0, from_b = 0;
  for (int i = 0; i < 6; ++i) {
    auto answer = pool->complete(hello());
    REQUIRE(answer.ok());
    (answer->text == "from a" ? from_a : from_b)++;
  }
  CHECK(from_a >= 2);
  CHECK(from_b >= 2);
  CHECK(at(a, "/api/chat").size() + at(b, "/api/chat").size() == 6);
}

TEST_CASE("Pool: an endpoint taken out is tried again after its pause") {
  std::atomic<bool> down{true};
  FakeLlmServer flaky([&down](const testing::FakeRequest&) {
    FakeResponse answer = testing::ollama_answer("flaky");
    if (down) answer.delay_seconds = 1;  // past the timeout: the endpoint looks dead
    return answer;
  });
  FakeLlmServer steady({testing::ollama_answer("steady")});
  auto options = options_for("ollama", flaky.base_url(), "");
  options.timeout_seconds = 0.2;
  options.retry.retry_transport_failures = false;
  std::vector<std::unique_ptr<Provider>> members;
  members.push_back(make_ollama_provider(options, flaky.base_url()));
  members.push_back(make_ollama_provider(options, steady.base_url()));
  auto pool = make_pool(std::move(members), /*retry_after_seconds=*/0.5);
  auto first = pool->complete(hello());  // flaky's turn: times out, steady answers
  REQUIRE(first.ok());
  CHECK(first->text == "steady");
  for (int i = 0; i < 3; ++i) CHECK(pool->complete(hello())->text == "steady");
  CHECK(at(flaky, "/api/chat").size() == 1);  // taken out: not asked again during the pause
  down = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  int from_flaky = 0;
  for (int i = 0; i < 4; ++i) from_flaky += pool->complete(hello())->text == "flaky";
  CHECK(from_flaky == 2);
}

}  // namespace
}  // namespace telinject::llm
