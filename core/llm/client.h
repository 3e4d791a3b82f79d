// LlmClient: what the pipeline calls. Wraps one provider with the context-window check, the
// budget, cost accounting and the debug trace (one "llm_call" record per call). Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "llm/budget.h"
#include "llm/pricing.h"
#include "llm/provider.h"
#include "llm_hooks.h"

namespace telinject {
class TraceLog;
}

namespace telinject::llm {

class LlmClient final : public LlmMeter {
 public:
  /// `budget_usd` 0: no limit. `trace` may be null.
  LlmClient(std::unique_ptr<Provider> provider, double budget_usd, TraceLog* trace);

  /// Sends `request` when it fits the model's context window (the output limit is lowered to
  /// what is left of the window when needed) and its worst-case cost fits the budget. Records
  /// the call in the trace with tokens, cost_usd, model, latency and outcome.
  Result<CompletionResponse> complete(CompletionRequest request, CallFailure* failure = nullptr);

  /// Context window of the model: the provider's metadata, else the known table, else 8192.
  uint64_t context_window();

  Provider& provider() { return *provider_; }
  double cost_usd() const override { return budget_.spent(); }
  uint64_t calls() const override { return calls_.load(); }
  /// True once a call was refused for the budget.
  bool budget_exhausted() const override { return budget_.exhausted(); }
  double budget_usd() const override { return budget_.limit(); }

 private:
  std::unique_ptr<Provider> provider_;
  Price price_;
  Budget budget_;
  TraceLog* trace_;
  std::atomic<uint64_t> calls_{0};
  std::once_flag window_once_;
  uint64_t window_ = 0;
};

}  // namespace telinject::llm
