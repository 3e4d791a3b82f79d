// The language server's LLM: one for the server's whole life, so that its budget holds across
// documents, requests and settings reloads. Built with llm::make_hooks from a folder's settings
// when `llm.enabled` is true; the features reach it through ServerSettings::llm.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config.h"
#include "llm/hooks.h"
#include "llm_hooks.h"

namespace telinject::server {

/// The hooks the features use, plus a memo of function lists: the same text is never analysed
/// twice (a didChange that leaves the text as it was, diagnostics and code actions on one
/// version). Once a call was refused for the budget, no hook calls the LLM again. Thread-safe.
class ServerLlm final : public FunctionAnalyzer {
 public:
  /// `spent`: the server's budget was spent before (by an LLM this one replaces).
  ServerLlm(std::unique_ptr<llm::Hooks> hooks, bool spent);

  /// Self-healing for process_text; none once the budget is spent.
  LlmHooks text_hooks() const;
  /// The memo, else the LLM (unless the budget is spent: then kBudget without a call).
  Result<std::vector<AnalyzedFunction>> analyze(const std::string& text, const std::string& file,
                                                const LlmLanguage& language,
                                                CallFailure* failure) override;
  const LlmMeter& meter() const { return hooks_->client(); }
  /// True once a call was refused for the budget (logged once, as a warning).
  bool budget_spent() const;

 private:
  std::unique_ptr<llm::Hooks> hooks_;
  const bool spent_before_;
  mutable std::atomic<bool> warned_{false};
  std::mutex mutex_;                                           // guards memo_
  std::map<std::string, std::vector<AnalyzedFunction>> memo_;  // by hash of language and text
};

/// The server's one LLM and what it has cost. Thread-safe.
class LlmService {
 public:
  /// The LLM for a folder's `config` (null when `config.llm.enabled` is false or no provider
  /// can be made: the reason is logged once). The same object while provider, model, base URL,
  /// key, timeout, budget and max_retries stay the same, whatever the folder (`cache_dir`, for
  /// the analyses and learned lessons, is the first folder's); a change makes a new one whose
  /// budget is what is left of the old (the budget is the server's, not the settings').
  std::shared_ptr<ServerLlm> for_config(const Config& config,
                                        const std::filesystem::path& cache_dir, bool read_only);
  /// For telinject.cacheStats: {"enabled", "calls", "costUsd", "budgetUsd", "budgetSpent"}.
  nlohmann::json usage() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<ServerLlm> current_;
  std::string identity_;       // of current_'s settings
  std::string last_problem_;   // logged once
  double spent_before_ = 0;    // by the LLMs replaced since the server started
  uint64_t calls_before_ = 0;  // likewise
  bool budget_spent_before_ = false;
  double budget_usd_ = 0;  // as configured; 0: no limit
};

}  // namespace telinject::server
