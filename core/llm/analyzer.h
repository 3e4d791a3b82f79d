// LlmAnalyzer: the FunctionAnalyzer hook (llm_hooks.h) for languages without a grammar
// (llm_language.h). Asks the LLM for the functions of a file, retrying with the rejection in
// the prompt, and keeps checked analyses under `<cache>/analysis/` so an unchanged file is
// never analysed twice. Thread-safe.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "llm/client.h"
#include "llm_language.h"

namespace telinject::llm {

class LlmAnalyzer final : public FunctionAnalyzer {
 public:
  /// `cache_dir` empty: no analysis cache. `store` false: the cache is read, never written
  /// (runs that must change nothing on disk).
  LlmAnalyzer(LlmClient& client, std::filesystem::path cache_dir, uint32_t max_attempts,
              bool store = true);
  Result<std::vector<AnalyzedFunction>> analyze(const std::string& text, const std::string& file,
                                                const LlmLanguage& language,
                                                CallFailure* failure) override;
  uint32_t cache_hits() const { return cache_hits_; }

 private:
  LlmClient& client_;
  std::filesystem::path cache_dir_;
  uint32_t max_attempts_;
  bool store_;
  std::atomic<uint32_t> cache_hits_{0};
};

}  // namespace telinject::llm
