// Provider selection from the settings, and the Ollama pool.
#include "llm/provider.h"

#include <atomic>
#include <chrono>
#include <mutex>

#include "llm/wire.h"

namespace telinject::llm {
namespace {

std::vector<std::string> split_urls(const std::string& list) {
  std::vector<std::string> urls;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string url =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    url.erase(0, url.find_first_not_of(" \t"));
    url.erase(url.find_last_not_of(" \t") + 1);
    if (!url.empty()) urls.push_back(url);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return urls;
}

bool ends_with_v1(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url.size() >= 3 && url.compare(url.size() - 3, 3, "/v1") == 0;
}

class ProviderPool : public Provider {
 public:
  ProviderPool(std::vector<std::unique_ptr<Provider>> members, double retry_after_seconds)
      : members_(std::move(members)),
        dead_until_(members_.size()),
        retry_after_(retry_after_seconds) {}

  std::string_view name() const override { return members_.front()->name(); }
  const std::string& model() const override { return members_.front()->model(); }
  bool is_local() const override { return members_.front()->is_local(); }

  Result<CompletionResponse> complete(const CompletionRequest& request,
                                      TransportFailure* failure) override {
    std::string errors;
    size_t first = next_.fetch_add(1) % members_.size();
    // Live endpoints first, in turn from `first`; then the dead ones, in case all are down.
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t k = 0; k < members_.size(); ++k) {
        size_t i = (first + k) % members_.size();
        if (is_dead(i) != (pass == 1)) continue;
        TransportFailure why = TransportFailure::kNone;
        auto answer = members_[i]->complete(request, &why);
        if (answer.ok()) {
          mark(i, false);
          if (failure) *failure = TransportFailure::kNone;
          return answer;
        }
        if (why == TransportFailure::kNone) return answer;  // it answered: not an endpoint problem
        mark(i, true);
        if (failure) *failure = why;
        errors += (errors.empty() ? "" : "; ") + answer.error();
      }
    }
    return make_error("no endpoint of the pool answered: " + errors);
  }

  Result<std::vector<ModelInfo>> list_models() override {
    std::string errors;
    for (auto& member : members_) {
      auto models = member->list_models();
      if (models.ok()) return models;
      errors += (errors.empty() ? "" : "; ") + models.error();
    }
    return make_error(errors);
  }

  uint64_t reported_context_window() override {
    for (auto& member : members_)
      if (uint64_t window = member->reported_context_window()) return window;
    return 0;
  }

 private:
  bool is_dead(size_t i) {
    std::lock_guard lock(mutex_);
    return dead_until_[i] > std::chrono::steady_clock::now();
  }
  void mark(size_t i, bool dead) {
    std::lock_guard lock(mutex_);
    dead_until_[i] = dead ? std::chrono::steady_clock::now() +
                                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(retry_after_))
                          : std::chrono::steady_clock::time_point{};
  }

  std::vector<std::unique_ptr<Provider>> members_;
  std::mutex mutex_;
  std::vector<std::chrono::steady_clock::time_point> dead_until_;
  double retry_after_;
  std::atomic<size_t> next_{0};
};

}  // namespace

Result<ProviderOptions> resolve_provider_options(const LlmSettings& settings) {
  ProviderOptions options;
  options.provider = settings.provider;
  if (options.provider.empty())
    return make_error(
        "no LLM is configured: set LLM_PROVIDER (openai, anthropic, ollama) or an "
        "API key (OPENAI_API_KEY, ANTHROPIC_API_KEY)");
  if (options.provider != "openai" && options.provider != "anthropic" &&
      options.provider != "ollama")
    return make_error("unknown LLM provider '" + options.provider +
                      "' (expected openai, anthropic or ollama)");
  const bool local = options.provider == "ollama";
  options.model = settings.model;
  if (options.model.empty())
    options.model = options.provider == "openai"      ? "gpt-4o-mini"
                    : options.provider == "anthropic" ? "claude-3-5-sonnet-20241022"
                                                      : "qwen2.5-coder:7b";
  options.base_urls = split_urls(settings.base_url);
  if (options.base_urls.empty())
    options.base_urls.push_back(options.provider == "openai"      ? "https://api.openai.com"
                                : options.provider == "anthropic" ? "https://api.anthropic.com"
                                                                  : "http://localhost:11434");
  for (const std::string& url : options.base_urls)
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      return make_error("LLM base URL '" + redact_url_credentials(url) +
                        "' must start with http:// or https://");
  options.api_key = settings.api_key;
  if (!local && options.api_key.empty())
    return make_error(std::string("no API key for ") + options.provider + ": set " +
                      (options.provider == "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY") +
                      " (environment or .env) or pass --api-key");
  options.timeout_seconds = settings.timeout_seconds > 0 ? settings.timeout_seconds
                            : local                      ? 600
                                                         : 120;
  return options;
}

Result<std::unique_ptr<Provider>> make_provider(const ProviderOptions& options) {
  auto one = [&options](const std::string& url) -> std::unique_ptr<Provider> {
    if (options.provider == "anthropic")
      return make_anthropic_provider(options, strip_api_suffix(url));
    // Ollama's base URL ending in /v1 is its OpenAI-compatible endpoint.
    if (options.provider == "ollama" && !ends_with_v1(url))
      return make_ollama_provider(options, strip_api_suffix(url));
    return make_openai_provider(options, strip_api_suffix(url));
  };
  if (options.base_urls.empty()) return make_error("no LLM base URL");
  if (options.base_urls.size() == 1) return one(options.base_urls.front());
  ProviderOptions member_options = options;
  // A dead endpoint is the pool's business: move on at once instead of retrying it.
  member_options.retry.retry_transport_failures = false;
  std::vector<std::unique_ptr<Provider>> members;
  for (const std::string& url : options.base_urls) {
    ProviderOptions copy = member_options;
    copy.base_urls = {url};
    auto made = make_provider(copy);
    if (!made.ok()) return made;
    members.push_back(std::move(*made));
  }
  return make_pool(std::move(members));
}

Result<std::unique_ptr<Provider>> make_provider(const LlmSettings& settings) {
  auto options = resolve_provider_options(settings);
  if (!options.ok()) return make_error(options.error());
  return make_provider(*options);
}

std::unique_ptr<Provider> make_pool(std::vector<std::unique_ptr<Provider>> members,
                                    double retry_after_seconds) {
  return std::make_unique<ProviderPool>(std::move(members), retry_after_seconds);
}

}  // namespace telinject::llm
