// FakeLlmServer: an HTTP server on 127.0.0.1 (ephemeral port) for tests, answering each request
// with what the test's handler says, in the real wire formats of the LLM providers. Test-only:
// linked into test binaries, never into telinject.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace telinject::testing {

struct FakeRequest {
  std::string method;
  std::string target;                          // "/v1/chat/completions"
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json() const;  // the body parsed (null when it is not JSON)
};

struct FakeResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  double delay_seconds = 0;  // wait before answering (timeouts)
};

class FakeLlmServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;
  /// Starts listening at once; each connection is served on its own thread.
  explicit FakeLlmServer(Handler handler);
  /// Answers with `script` in order, one per request; the last answer repeats.
  explicit FakeLlmServer(std::vector<FakeResponse> script);
  ~FakeLlmServer();
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:PORT"
  std::vector<FakeRequest> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Answers in each provider's format, with usage counts.
FakeResponse openai_answer(const std::string& text, unsigned prompt_tokens = 100,
                           unsigned completion_tokens = 50,
                           const std::string& model = "gpt-4o-mini");
FakeResponse anthropic_answer(const std::string& text, unsigned input_tokens = 100,
                              unsigned output_tokens = 50,
                              const std::string& model = "claude-3-5-sonnet-20241022",
                              const std::string& stop_reason = "end_turn");
FakeResponse ollama_answer(const std::string& text, unsigned prompt_eval_count = 100,
                           unsigned eval_count = 50, const std::string& model = "qwen2.5-coder:7b");
FakeResponse json_answer(int status, const nlohmann::json& body);

}  // namespace telinject::testing
