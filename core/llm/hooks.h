// make_hooks: every LLM object a front needs, built from the settings and owned together, for
// the CLI (one run) and the language server (its whole life, so one budget). Core sees them only
// through the hook interfaces of llm_hooks.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "config.h"
#include "llm/analyzer.h"
#include "llm/client.h"
#include "llm/file_instrumenter.h"
#include "llm/repair.h"
#include "pipeline.h"

namespace telinject {
class TraceLog;
}

namespace telinject::llm {

struct HookOptions {
  LlmSettings settings;  // provider, model, key, budget, whole_file_mode...
  /// Repair attempts per failing script; 0: no self-healing. Whole-file and analysis tries are
  /// one more.
  uint32_t max_retries = 3;
  /// The script cache's directory, for the analysis cache and the learned lessons; empty: none.
  std::filesystem::path cache_dir;
  /// Read the caches under cache_dir, never write them (runs that must change nothing on disk).
  bool read_only = false;
  /// The project's docs/lessons folder (its *.md go into repair prompts); empty: none.
  std::filesystem::path lessons_dir;
  TraceLog* trace = nullptr;  // one "llm_call" record per call; may be null
};

/// The LLM objects of one front. Thread-safe once made (each object is).
class Hooks {
 public:
  LlmClient& client() { return *client_; }
  const LlmClient& client() const { return *client_; }
  /// For process_text: self-healing (null when max_retries is 0) and --mode llm (null unless
  /// whole_file_mode).
  LlmHooks text_hooks() const { return {repairer_.get(), instrumenter_.get()}; }
  /// Lists the functions of languages without a grammar.
  FunctionAnalyzer* analyzer() const { return analyzer_.get(); }
  /// Sets `options`' llm, repairer, analyzer and instrumenter.
  void attach(RunOptions& options) const;

 private:
  friend Result<std::unique_ptr<Hooks>> make_hooks(const HookOptions& options);
  std::unique_ptr<LlmClient> client_;
  std::unique_ptr<LlmScriptRepairer> repairer_;
  std::unique_ptr<LlmAnalyzer> analyzer_;
  std::unique_ptr<LlmFileInstrumenter> instrumenter_;
};

/// Builds the provider (make_provider), the client with `settings.budget_usd`, and the hooks.
/// Fails, saying why in a sentence without the key, when no provider can be made (unknown
/// provider, a cloud provider without its key, a bad URL). Does not look at `enabled`: the
/// caller decides whether the LLM may be called at all.
Result<std::unique_ptr<Hooks>> make_hooks(const HookOptions& options);

}  // namespace telinject::llm
