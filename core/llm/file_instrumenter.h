// FileInstrumenter: `--mode llm`, the seed's traditional pipeline. The LLM instruments a whole
// file; the answer is aligned into insertions, refused unless it is telemetry only, split into
// one InsertionScript per function and validated by the caller like any scripts. Failed tries
// are retried with the reasons; after `reflection_threshold` failures a reflection call
// analyses them and its guidance goes into the next prompts. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "insertion_script.h"
#include "llm/client.h"
#include "telemetry_template.h"

namespace telinject::llm {

struct TargetFunction {
  size_t index = 0;  // the caller's function index
  std::string qualified_name, name, kind;
  uint32_t start_row = 0, end_row = 0;  // 0-based, inclusive
};

struct FileTask {
  std::string language;
  std::string file;
  std::string text;  // the whole file
  const LanguageTemplate* tmpl = nullptr;
  /// The functions to instrument; none of them encloses another.
  std::vector<TargetFunction> targets;
};

/// Scripts by the caller's function index.
using FileScripts = std::map<size_t, InsertionScript>;

class FileInstrumenter {
 public:
  /// `max_attempts` whole-file tries (1 + --max-retries).
  FileInstrumenter(LlmClient& client, uint32_t max_attempts, uint32_t reflection_threshold);

  /// Tries until `validate` accepts the scripts of one answer. `failure` is kBudget when the
  /// budget stopped it.
  Result<FileScripts> instrument(const FileTask& task,
                                 const std::function<Result<void>(const FileScripts&)>& validate,
                                 CallFailure* failure);

  /// True when the whole file fits one request in the model's context window with room for
  /// the instrumented file in the answer; otherwise the caller sends one function at a time.
  bool fits(const FileTask& task);

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
