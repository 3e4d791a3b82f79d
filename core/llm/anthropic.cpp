// Anthropic messages API: POST {base}/v1/messages with x-api-key and anthropic-version,
// GET {base}/v1/models.
#include "llm/provider.h"
#include "llm/wire.h"

namespace telinject::llm {
namespace {

using nlohmann::json;

constexpr const char* kApiVersion = "2023-06-01";

class AnthropicProvider : public Provider {
 public:
  AnthropicProvider(ProviderOptions options, std::string base_url)
      : options_(std::move(options)), base_(std::move(base_url)) {}

  std::string_view name() const override { return "anthropic"; }
  const std::string& model() const override { return options_.model; }
  bool is_local() const override { return false; }

  Result<CompletionResponse> complete(const CompletionRequest& request,
                                      TransportFailure* failure) override {
    json payload = {{"model", options_.model},
                    {"max_tokens", request.max_output_tokens},
                    {"temperature", request.temperature},
                    {"messages", json::array({{{"role", "user"}, {"content", request.prompt}}})}};
    if (!request.system.empty()) payload["system"] = request.system;
    auto answer =
        exchange_json(options_, "anthropic", base_ + "/v1/messages", headers(), payload, failure);
    if (!answer.ok()) return make_error(answer.error());
    const json& body = answer->body;
    const std::string who = "anthropic at " + shown_;
    if (body.value("type", "") == "error")
      return make_error(who + ": " + body_excerpt(body.dump()));
    std::string stop = body.contains("stop_reason") && body["stop_reason"].is_string()
                           ? body["stop_reason"].get<std::string>()
                           : "";
    if (stop == "refusal") return make_error(who + ": the model refused to answer");
    if (stop == "max_tokens")
      return make_error(who + ": the answer was cut off at " +
                        std::to_string(request.max_output_tokens) + " output tokens");
    if (!body.contains("content") || !body["content"].is_array())
      return make_error(who + ": the answer has no content array");
    CompletionResponse out;
    for (const json& block : body["content"])
      if (block.is_object() && block.value("type", "") == "text" && block.contains("text") &&
          block["text"].is_string())
        out.text += block["text"].get<std::string>();
    const json usage = body.contains("usage") ? body["usage"] : json();
    if (!usage.is_object() || !usage.contains("input_tokens") ||
        !usage["input_tokens"].is_number_unsigned() || !usage.contains("output_tokens") ||
        !usage["output_tokens"].is_number_unsigned())
      return make_error(who +
                        ": the answer has no usage counts (usage.input_tokens, "
                        "usage.output_tokens); its cost cannot be tracked");
    out.input_tokens = usage["input_tokens"].get<uint64_t>();
    out.output_tokens = usage["output_tokens"].get<uint64_t>();
    out.model = body.contains("model") && body["model"].is_string()
                    ? body["model"].get<std::string>()
                    : options_.model;
    out.latency_seconds = answer->latency_seconds;
    out.endpoint = shown_;
    return out;
  }

  Result<std::vector<ModelInfo>> list_models() override {
    auto answer = exchange_json(options_, "anthropic", base_ + "/v1/models", headers(), json());
    if (!answer.ok()) return make_error(answer.error());
    const json& body = answer->body;
    if (!body.contains("data") || !body["data"].is_array())
      return make_error("anthropic at " + shown_ + ": the model list has no 'data' array");
    std::vector<ModelInfo> models;
    for (const json& m : body["data"])
      if (m.is_object() && m.contains("id") && m["id"].is_string())
        models.push_back({m["id"].get<std::string>(), 0});
    return models;
  }

 private:
  std::vector<std::pair<std::string, std::string>> headers() const {
    return {{"x-api-key", options_.api_key}, {"anthropic-version", kApiVersion}};
  }

  ProviderOptions options_;
  std::string base_;
  std::string shown_ = redact_url_credentials(base_);  // for messages and the trace
};

}  // namespace

std::unique_ptr<Provider> make_anthropic_provider(const ProviderOptions& options,
                                                  const std::string& base_url) {
  return std::make_unique<AnthropicProvider>(options, base_url);
}

}  // namespace telinject::llm
