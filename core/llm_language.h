// Languages telinject has no tree-sitter grammar for. An LLM lists their functions as JSON
// (the FunctionAnalyzer hook, llm_hooks.h), which is checked against the text (names on the
// signature lines, ranges inside the file, the last line closing the block); telinject then
// inserts its own telemetry line at the start of each body through the same InsertionScript,
// validation and cache as grammar languages. The LLM only says where functions are: the
// inserted text is always the template's.
//
// Chosen design: a small table of descriptors (not LanguageSupport, which is built on a parse
// tree), a flag on ScannedFile, and process_llm_text beside process_text. The pipeline tests
// which kind of file it holds, never which language.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "llm_hooks.h"
#include "pipeline.h"
#include "telemetry_template.h"

namespace telinject {

class ScriptCache;

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

/// Parses and checks an analyzer answer `{"functions": [...]}` against `text`. Errors name the
/// function and what does not match.
Result<std::vector<AnalyzedFunction>> parse_analysis(std::string_view answer, std::string_view text,
                                                     const LlmLanguage& language);

/// process_text for a file of an LLM language: kInstrument and kCheck analyse it (`analyzer`
/// null: the file is reported as skipped), kRemove needs no LLM (it deletes the lines that are
/// exactly telinject's telemetry line). `only`, when given, limits instrument and remove to the
/// functions with these qualified names (the editor's actions on one function); remove needs
/// `analyzer` then, to know where they are.
TextResult process_llm_text(const std::string& input, const FileLocation& location,
                            const LlmLanguage& language, Action action, ScriptCache* cache,
                            FunctionAnalyzer* analyzer, TraceLog* trace,
                            const std::vector<std::string>* only = nullptr);

}  // namespace telinject
