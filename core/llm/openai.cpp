// OpenAI chat completions, also spoken by Ollama's /v1 endpoint and any OpenAI-compatible
// server: POST {base}/v1/chat/completions, GET {base}/v1/models.
#include "llm/provider.h"
#include "llm/wire.h"

namespace telinject::llm {
namespace {

using nlohmann::json;

bool is_reasoning_model(std::string_view model) {
  if (auto slash = model.rfind('/'); slash != std::string_view::npos)
    model.remove_prefix(slash + 1);
  for (std::string_view prefix : {"o1", "o3", "o4", "gpt-5"})
    if (model.substr(0, prefix.size()) == prefix) return true;
  return false;
}

class OpenAiProvider : public Provider {
 public:
  OpenAiProvider(ProviderOptions options, std::string base_url, std::string name)
      : options_(std::move(options)), base_(std::move(base_url)), name_(std::move(name)) {}

  std::string_view name() const override { return name_; }
  const std::string& model() const override { return options_.model; }
  bool is_local() const override { return name_ == "ollama"; }

  Result<CompletionResponse> complete(const CompletionRequest& request,
                                      TransportFailure* failure) override {
    json messages = json::array();
    if (!request.system.empty())
      messages.push_back({{"role", "system"}, {"content", request.system}});
    messages.push_back({{"role", "user"}, {"content", request.prompt}});
    json payload = {{"model", options_.model}, {"messages", std::move(messages)}};
    if (is_reasoning_model(options_.model)) {
      // o1/o3/o4 and gpt-5 take max_completion_tokens and only their default temperature.
      payload["max_completion_tokens"] = request.max_output_tokens;
    } else {
      payload["max_tokens"] = request.max_output_tokens;
      payload["temperature"] = request.temperature;
    }
    auto answer =
        exchange_json(options_, name_, base_ + "/v1/chat/completions", headers(), payload, failure);
    if (!answer.ok()) return make_error(answer.error());
    const json& body = answer->body;
    const std::string who = name_ + " at " + shown_;
    const json* choices = body.contains("choices") ? &body["choices"] : nullptr;
    if (!choices || !choices->is_array() || choices->empty() || !(*choices)[0].is_object() ||
        !(*choices)[0].contains("message") || !(*choices)[0]["message"].is_object())
      return make_error(who + ": the answer has no choices[0].message");
    const json& choice = (*choices)[0];
    const json& message = choice["message"];
    if (message.contains("refusal") && message["refusal"].is_string())
      return make_error(
          who + ": the model refused: " + body_excerpt(message["refusal"].get<std::string>()));
    std::string finish = choice.value("finish_reason", json()).is_string()
                             ? choice["finish_reason"].get<std::string>()
                             : "";
    if (finish == "content_filter")
      return make_error(who + ": the answer was withheld by the provider's content filter");
    if (finish == "length")
      return make_error(who + ": the answer was cut off at " +
                        std::to_string(request.max_output_tokens) + " output tokens");
    if (!message.contains("content") || !message["content"].is_string())
      return make_error(who + ": the answer has no text content");
    CompletionResponse out;
    out.text = message["content"].get<std::string>();
    out.latency_seconds = answer->latency_seconds;
    out.endpoint = shown_;
    out.model = body.contains("model") && body["model"].is_string()
                    ? body["model"].get<std::string>()
                    : options_.model;
    const json usage = body.contains("usage") ? body["usage"] : json();
    if (!usage.is_object() || !usage.contains("prompt_tokens") ||
        !usage["prompt_tokens"].is_number_unsigned() || !usage.contains("completion_tokens") ||
        !usage["completion_tokens"].is_number_unsigned())
      return make_error(who +
                        ": the answer has no usage counts (usage.prompt_tokens, "
                        "usage.completion_tokens); its cost cannot be tracked");
    out.input_tokens = usage["prompt_tokens"].get<uint64_t>();
    out.output_tokens = usage["completion_tokens"].get<uint64_t>();
    return out;
  }

  Result<std::vector<ModelInfo>> list_models() override {
    auto answer = exchange_json(options_, name_, base_ + "/v1/models", headers(), json());
    if (!answer.ok()) return make_error(answer.error());
    const json& body = answer->body;
    if (!body.contains("data") || !body["data"].is_array())
      return make_error(name_ + " at " + shown_ + ": the model list has no 'data' array");
    std::vector<ModelInfo> models;
    for (const json& m : body["data"])
      if (m.is_object() && m.contains("id") && m["id"].is_string())
        models.push_back({m["id"].get<std::string>(), 0});
    return models;
  }

 private:
  std::vector<std::pair<std::string, std::string>> headers() const {
    if (options_.api_key.empty()) return {};
    return {{"Authorization", "Bearer " + options_.api_key}};
  }

  ProviderOptions options_;
  std::string base_;
  std::string shown_ = redact_url_credentials(base_);  // for messages and the trace
  std::string name_;
};

}  // namespace

std::unique_ptr<Provider> make_openai_provider(const ProviderOptions& options,
                                               const std::string& base_url) {
  return std::make_unique<OpenAiProvider>(options, base_url, options.provider);
}

}  // namespace telinject::llm
