// LlmFileInstrumenter: the FileInstrumenter hook (llm_hooks.h), `--mode llm`, the seed's
// traditional pipeline. The LLM instruments a whole file; the answer is aligned into insertions,
// refused unless it is telemetry only, split into one InsertionScript per function and validated by
// the caller like any scripts. Failed tries are retried with the reasons; after
// `reflection_threshold` failures a reflection call analyses them and its guidance goes into the
// next prompts. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "insertion_script.h"
#include "llm/client.h"
#include "llm_hooks.h"
#include "telemetry_template.h"

namespace telinject::llm {

class LlmFileInstrumenter final : public FileInstrumenter {
 public:
  /// `max_attempts` whole-file tries (1 + --max-retries).
  LlmFileInstrumenter(LlmClient& client, uint32_t max_attempts, uint32_t reflection_threshold);

  /// Tries until `validate` accepts the scripts of one answer. `failure` is kBudget when the
  /// budget stopped it.
  Result<FileScripts> instrument(const FileTask& task,
                                 const std::function<Result<void>(const FileScripts&)>& validate,
                                 CallFailure* failure) override;

  /// True when the whole file fits one request in the model's context window with room for
  /// the instrumented file in the answer; otherwise the caller sends one function at a time.
  bool fits(const FileTask& task) override;

  /// Turns one answer (the whole instrumented file) into per-function scripts, or says why not.
  static Result<FileScripts> scripts_from_answer(const FileTask& task, std::string_view code);

 private:
  std::string prompt(const FileTask& task, const std::vector<std::string>& rejected,
                     const std::string& guidance) const;

  LlmClient& client_;
  uint32_t max_attempts_;
  uint32_t reflection_threshold_;
};

}  // namespace telinject::llm
