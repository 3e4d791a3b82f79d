// Provider: one LLM API (OpenAI chat completions, Anthropic messages, Ollama's native chat, or
// any OpenAI-compatible server), turned into one call: complete(request) -> text and usage.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "llm/http.h"
#include "result.h"

namespace telinject::llm {

struct CompletionRequest {
  std::string system;  // instructions
  std::string prompt;  // the user message
  uint32_t max_output_tokens = 4096;
  double temperature = 0;
  std::string purpose;  // "refactor", "analyze", ... (trace only)
};

struct CompletionResponse {
  std::string text;
  uint64_t input_tokens = 0;  // from the provider's usage fields
  uint64_t output_tokens = 0;
  std::string model;  // as the provider names it in the answer
  double latency_seconds = 0;
  std::string endpoint;  // base URL that answered (pools have several)
};

struct ModelInfo {
  std::string id;
  uint64_t context_window = 0;  // 0: the API does not say
};

/// One provider. Thread-safe: calls may run from several workers at once. Errors are complete
/// sentences that never contain the API key: authentication (401/403), unknown model or URL
/// (404), rate limits and server errors after the retries, timeouts, malformed or truncated
/// answers, refusals and answers cut off at the output limit.
class Provider {
 public:
  virtual ~Provider() = default;
  /// "openai", "anthropic" or "ollama".
  virtual std::string_view name() const = 0;
  virtual const std::string& model() const = 0;
  /// Local models cost nothing.
  virtual bool is_local() const = 0;
  /// `failure` (optional) says whether the endpoint could not be reached at all.
  virtual Result<CompletionResponse> complete(const CompletionRequest& request,
                                              TransportFailure* failure = nullptr) = 0;
  virtual Result<std::vector<ModelInfo>> list_models() = 0;
  /// The model's context window as the provider reports it (Ollama's /api/show), or 0.
  virtual uint64_t reported_context_window() { return 0; }
};

/// Everything a provider needs, resolved from LlmSettings (see make_provider).
struct ProviderOptions {
  std::string provider;  // "openai", "anthropic", "ollama"
  std::string model;
  std::vector<std::string> base_urls;  // one, or several for an Ollama pool
  std::string api_key;
  double timeout_seconds = 120;
  RetryPolicy retry;
  HttpTransport* transport = nullptr;  // null: libcurl
};

/// Default base URLs, models and timeouts per provider; `settings.base_url` may list several
/// URLs separated by commas (an Ollama pool). Fails on an unknown provider, a cloud provider
/// without its key, or a bad URL. The provider "" is refused: there is no LLM configured.
Result<ProviderOptions> resolve_provider_options(const LlmSettings& settings);

/// A provider for `options` (a pool when several base URLs are given).
Result<std::unique_ptr<Provider>> make_provider(const ProviderOptions& options);

/// Shortcut: resolve_provider_options then make_provider.
Result<std::unique_ptr<Provider>> make_provider(const LlmSettings& settings);

// The providers (openai.cpp, anthropic.cpp, ollama.cpp); `base_url` without a trailing slash.
std::unique_ptr<Provider> make_openai_provider(const ProviderOptions& options,
                                               const std::string& base_url);
std::unique_ptr<Provider> make_anthropic_provider(const ProviderOptions& options,
                                                  const std::string& base_url);
std::unique_ptr<Provider> make_ollama_provider(const ProviderOptions& options,
                                               const std::string& base_url);
/// Several endpoints of one provider: calls spread round-robin; an endpoint that does not
/// answer (refused, timed out) is taken out for `retry_after_seconds` and then tried again.
std::unique_ptr<Provider> make_pool(std::vector<std::unique_ptr<Provider>> members,
                                    double retry_after_seconds = 60);

}  // namespace telinject::llm
