#include "llm/client.h"

#include <nlohmann/json.hpp>

#include "trace_log.h"

namespace telinject::llm {

LlmClient::LlmClient(std::unique_ptr<Provider> provider, double budget_usd, TraceLog* trace)
    : provider_(std::move(provider)),
      price_(price_of(provider_->name(), provider_->model())),
      budget_(budget_usd),
      trace_(trace) {}

uint64_t LlmClient::context_window() {
  std::call_once(window_once_, [this] {
    window_ = provider_->reported_context_window();
    if (window_ == 0) window_ = known_context_window(provider_->model());
  });
  return window_;
}

Result<CompletionResponse> LlmClient::complete(CompletionRequest request, CallFailure* failure) {
  auto record = [&](const std::string& outcome, const CompletionResponse* response, double cost,
                    const std::string& error) {
    if (!trace_ || !trace_->enabled(TraceLevel::kInfo)) return;
    nlohmann::json data = {{"provider", std::string(provider_->name())},
                           {"model", response ? response->model : provider_->model()},
                           {"purpose", request.purpose},
                           {"outcome", outcome},
                           {"cost_usd", cost},
                           {"input_tokens", response ? response->input_tokens : 0},
                           {"output_tokens", response ? response->output_tokens : 0},
                           {"latency_ms", response ? response->latency_seconds * 1000 : 0.0},
                           {"price_known", price_.known}};
    if (response) data["endpoint"] = response->endpoint;
    if (!error.empty()) data["error"] = error;
    trace_->record(outcome == "ok" ? TraceLevel::kInfo : TraceLevel::kWarning, "llm_call", data);
  };
  auto fail = [&](CallFailure why, const std::string& outcome, std::string message) {
    if (failure) *failure = why;
    record(outcome, nullptr, 0, message);
    return make_error(std::move(message));
  };

  uint64_t input_estimate = estimate_tokens(request.system) + estimate_tokens(request.prompt);
  uint64_t window = context_window();
  constexpr uint64_t kMinimumOutput = 256;
  if (input_estimate + kMinimumOutput > window)
    return fail(CallFailure::kTooLarge, "too_large",
                "the prompt (about " + std::to_string(input_estimate) +
                    " tokens) does not fit the context window of " + provider_->model() + " (" +
                    std::to_string(window) + " tokens)");
  if (input_estimate + request.max_output_tokens > window)
    request.max_output_tokens = static_cast<uint32_t>(window - input_estimate);

  double worst_case = llm::cost_usd(price_, input_estimate, request.max_output_tokens);
  if (!budget_.reserve(worst_case)) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "over budget: this call could cost $%.4f and $%.4f of the $%.2f budget is spent",
                  worst_case, budget_.spent(), budget_.limit());
    return fail(CallFailure::kBudget, "budget_exceeded", text);
  }
  ++calls_;
  auto answer = provider_->complete(request);
  if (!answer.ok()) {
    budget_.settle(worst_case, 0);
    return fail(CallFailure::kProvider, "error", answer.error());
  }
  double cost = llm::cost_usd(price_, answer->input_tokens, answer->output_tokens);
  budget_.settle(worst_case, cost);
  if (failure) *failure = CallFailure::kNone;
  record("ok", &*answer, cost, "");
  return answer;
}

}  // namespace telinject::llm
