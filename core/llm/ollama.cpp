// Ollama's native API: POST {base}/api/chat (stream off), GET {base}/api/tags, and
// POST {base}/api/show for the model's context length.
#include <mutex>

#include "llm/pricing.h"
#include "llm/provider.h"
#include "llm/wire.h"

namespace telinject::llm {
namespace {

using nlohmann::json;

class OllamaProvider : public Provider {
 public:
  OllamaProvider(ProviderOptions options, std::string base_url)
      : options_(std::move(options)), base_(std::move(base_url)) {}

  std::string_view name() const override { return "ollama"; }
  const std::string& model() const override { return options_.model; }
  bool is_local() const override { return true; }

  Result<CompletionResponse> complete(const CompletionRequest& request,
                                      TransportFailure* failure) override {
    json messages = json::array();
    if (!request.system.empty())
      messages.push_back({{"role", "system"}, {"content", request.system}});
    messages.push_back({{"role", "user"}, {"content", request.prompt}});
    json payload = {{"model", options_.model},
                    {"messages", std::move(messages)},
                    {"stream", false},
                    {"options",
                     {{"num_predict", request.max_output_tokens},
                      {"temperature", request.temperature},
                      {"num_ctx", context_for(request)}}}};
    auto answer = exchange_json(options_, "ollama", base_ + "/api/chat", {}, payload, failure);
    if (!answer.ok()) return make_error(answer.error());
    const json& body = answer->body;
    const std::string who = "ollama at " + shown_;
    if (body.contains("error") && body["error"].is_string())
      return make_error(who + ": " + body_excerpt(body["error"].get<std::string>()));
    if (!body.contains("message") || !body["message"].is_object() ||
        !body["message"].contains("content") || !body["message"]["content"].is_string())
      return make_error(who + ": the answer has no message.content");
    if (body.contains("done_reason") && body["done_reason"] == "length")
      return make_error(who + ": the answer was cut off at " +
                        std::to_string(request.max_output_tokens) + " output tokens");
    CompletionResponse out;
    out.text = body["message"]["content"].get<std::string>();
    // Ollama leaves prompt_eval_count out when the prompt came from its cache.
    if (body.contains("prompt_eval_count") && body["prompt_eval_count"].is_number_unsigned())
      out.input_tokens = body["prompt_eval_count"].get<uint64_t>();
    if (body.contains("eval_count") && body["eval_count"].is_number_unsigned())
      out.output_tokens = body["eval_count"].get<uint64_t>();
    out.model = body.contains("model") && body["model"].is_string()
                    ? body["model"].get<std::string>()
                    : options_.model;
    out.latency_seconds = answer->latency_seconds;
    out.endpoint = shown_;
    return out;
  }

  Result<std::vector<ModelInfo>> list_models() override {
    auto answer = exchange_json(options_, "ollama", base_ + "/api/tags", {}, json());
    if (!answer.ok()) return make_error(answer.error());
    const json& body = answer->body;
    if (!body.contains("models") || !body["models"].is_array())
      return make_error("ollama at " + shown_ + ": the model list has no 'models' array");
    std::vector<ModelInfo> models;
    for (const json& m : body["models"])
      if (m.is_object() && m.contains("name") && m["name"].is_string())
        models.push_back({m["name"].get<std::string>(), 0});
    return models;
  }

  // Ollama cuts prompts to its own default context (a few thousand tokens) unless told
  // otherwise: ask for what this request needs, within what the model has.
  uint64_t context_for(const CompletionRequest& request) {
    uint64_t needed = estimate_tokens(request.system) + estimate_tokens(request.prompt) +
                      request.max_output_tokens;
    needed = (needed + 2047) / 2048 * 2048;
    uint64_t window = reported_context_window();
    return window ? std::min(needed, window) : needed;
  }

  uint64_t reported_context_window() override {
    std::lock_guard lock(mutex_);
    if (context_window_) return *context_window_;
    context_window_ = 0;
    auto answer =
        exchange_json(options_, "ollama", base_ + "/api/show", {}, json{{"model", options_.model}});
    if (answer.ok() && answer->body.contains("model_info") &&
        answer->body["model_info"].is_object()) {
      // "<architecture>.context_length", e.g. "llama.context_length".
      for (const auto& [key, value] : answer->body["model_info"].items()) {
        const std::string suffix = ".context_length";
        if (key.size() > suffix.size() &&
            key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            value.is_number_unsigned())
          context_window_ = value.get<uint64_t>();
      }
    }
    return *context_window_;
  }

 private:
  ProviderOptions options_;
  std::string base_;
  std::string shown_ = redact_url_credentials(base_);  // for messages and the trace
  std::mutex mutex_;
  std::optional<uint64_t> context_window_;
};

}  // namespace

std::unique_ptr<Provider> make_ollama_provider(const ProviderOptions& options,
                                               const std::string& base_url) {
  return std::make_unique<OllamaProvider>(options, base_url);
}

}  // namespace telinject::llm
