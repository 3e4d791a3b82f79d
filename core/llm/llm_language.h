// Languages telinject has no tree-sitter grammar for. The LLM analyzer lists their functions as
// JSON, which is checked against the text (names on the signature lines, ranges inside the
// file, the last line closing the block); telinject then inserts its own telemetry line at the
// start of each body through the same InsertionScript, validation and cache as grammar
// languages. The LLM only says where functions are: the inserted text is always the template's.
//
// Chosen design: a small table of descriptors (not LanguageSupport, which is built on a parse
// tree), a flag on ScannedFile, and process_llm_text beside process_text. The pipeline tests
// which kind of file it holds, never which language.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "llm/client.h"
#include "pipeline.h"
#include "telemetry_template.h"

namespace telinject {
class ScriptCache;
}

namespace telinject::llm {

struct LlmLanguage {
  std::string name;                     // "ruby"
  std::vector<std::string> extensions;  // ".rb"
  std::string block_end;                // how a function's last line starts: "end", "}"
  LanguageTemplate telemetry;           // one statement at the start of the body; no import
};

/// The languages handled through the LLM.
const std::vector<LlmLanguage>& llm_languages();
/// The LLM language of `path` by its extension, or nullptr.
const LlmLanguage* llm_language_for(const std::filesystem::path& path);

/// One function as the analyzer reports it; lines are 1-based.
struct AnalyzedFunction {
  std::string name;
  std::string qualified_name;
  uint32_t start_line = 0;       // the signature's first line
  uint32_t body_start_line = 0;  // the body's first line (the telemetry goes before it)
  uint32_t end_line = 0;         // the line that closes the function
};

/// Parses and checks an analyzer answer `{"functions": [...]}` against `text`. Errors name the
/// function and what does not match.
Result<std::vector<AnalyzedFunction>> parse_analysis(std::string_view answer, std::string_view text,
                                                     const LlmLanguage& language);

/// Asks the LLM for the functions of files, retrying with the rejection in the prompt, and
/// keeps checked analyses under `<cache>/analysis/` so an unchanged file is never analysed twice.
class LlmAnalyzer {
 public:
  /// `cache_dir` empty: no analysis cache. `store` false: the cache is read, never written
  /// (runs that must change nothing on disk).
  LlmAnalyzer(LlmClient& client, std::filesystem::path cache_dir, uint32_t max_attempts,
              bool store = true);
  /// `failure` is kBudget when the budget stopped it.
  Result<std::vector<AnalyzedFunction>> analyze(const std::string& text, const std::string& file,
                                                const LlmLanguage& language, CallFailure* failure);
  uint32_t cache_hits() const { return cache_hits_; }

 private:
  LlmClient& client_;
  std::filesystem::path cache_dir_;
  uint32_t max_attempts_;
  bool store_;
  std::atomic<uint32_t> cache_hits_{0};
};

/// process_text for a file of an LLM language: kInstrument and kCheck analyse it (`analyzer`
/// null: the file is reported as skipped), kRemove needs no LLM (it deletes the lines that are
/// exactly telinject's telemetry line).
TextResult process_llm_text(const std::string& input, const FileLocation& location,
                            const LlmLanguage& language, Action action, ScriptCache* cache,
                            LlmAnalyzer* analyzer, TraceLog* trace);

}  // namespace telinject::llm
