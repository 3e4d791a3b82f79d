// One file's instrument pass, shared by core's text processing (file_processor.cpp) and its
// LLM steps (instrument_pass_llm.cpp): the parsed file, candidate scripts, reconstruction and
// validation. Internal to core.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "language.h"
#include "pipeline.h"
#include "syntax_tree.h"

namespace telinject {

class ScriptCache;
class TraceLog;

namespace pass {

/// Whether apply_config_filters (exclude_functions, min_function_lines) is why `f` is skipped.
bool skipped_by_config(const FunctionInfo& f);

/// The text of `f` from the start of its first row.
std::string function_text(const SourceText& source, const FunctionInfo& f);

/// The enclosing functions of `index` that are instrumented in this pass, outermost first.
std::vector<size_t> wrapped_ancestors(const std::vector<FunctionInfo>& functions,
                                      const std::vector<bool>& selected, size_t index);

struct Parsed {
  SourceText source;
  SyntaxTree tree;
  std::vector<FunctionInfo> functions;
  std::string module;
  FileLocation location;
  /// The tree came from the caller (an editor's document): validation re-parses the result
  /// incrementally from it, which is much cheaper than a whole parse for one function's edits.
  bool incremental = false;

  ParsedSource view() const { return {source, tree.root(), module, location}; }
};

/// Parses `source` (or takes `tree`, its parse, when given) and extracts its functions.
Result<std::unique_ptr<Parsed>> parse_and_extract(SourceText source, const FileLocation& location,
                                                  const LanguageSupport& language,
                                                  const std::vector<LanguageTemplate>& known,
                                                  Result<SyntaxTree> tree);
Result<std::unique_ptr<Parsed>> parse_and_extract(SourceText source, const FileLocation& location,
                                                  const LanguageSupport& language,
                                                  const std::vector<LanguageTemplate>& known);

/// Checks `output` (`original` after `edits`) against `original`: it parses with no new
/// errors, the functions in `added` carry telemetry and every other keeps its state, and
/// removing the added telemetry gives the original bytes back. Returns the reason on failure.
/// `from_templates`: every script is the template's own, so the language may prove all that
/// from the original's tree (LanguageSupport::proves_instrumented) instead of a second parse.
Result<void> validate_instrumented(const Parsed& original, const std::string& output,
                                   const std::vector<TextEdit>& edits,
                                   const std::vector<size_t>& added,
                                   const LanguageSupport& language,
                                   const std::vector<LanguageTemplate>& known,
                                   bool from_templates = false);

struct Candidate {
  size_t index;
  InsertionScript script;
  bool from_cache;
  bool from_template = false;  // the template's script (made now, or cached and equal to it)
};

/// Whether every candidate's script is the template's own.
bool all_from_templates(const std::vector<Candidate>& candidates);

/// The instrumented text; `applied` gets the edits, sorted by offset.
Result<std::string> reconstruct(const Parsed& parsed, const std::vector<Candidate>& candidates,
                                const LanguageSupport& language, const LanguageTemplate& tmpl,
                                std::vector<TextEdit>* applied);

// The state of one instrument pass that the LLM steps read and update.
struct InstrumentPass {
  const Parsed& parsed;
  const LanguageSupport& language;
  const LanguageTemplate& tmpl;
  const std::vector<LanguageTemplate>& templates;
  const FileLocation& location;
  ScriptCache* cache;
  TraceLog* trace;
  FileOutcome& outcome;
  std::vector<bool>& selected;
  std::vector<Candidate>& candidates;
  std::vector<std::string>& failures;  // per function: why it failed
  std::vector<std::string>& not_done;  // per function: left undone for the budget
  std::vector<std::string>& notes;     // per function: why a selected one was left alone
};

// --mode llm: the outermost selected functions go to the LLM in one whole-file request (or

/// --mode llm: the outermost selected functions go to the LLM in one whole-file request (or
/// one per function when the file is too large); functions nested in them wait for the next
/// run (their layout depends on the answer). Adds the validated scripts to the candidates.
void plan_with_llm(InstrumentPass& pass, FileInstrumenter& instrumenter);

/// Self-healing: a function whose own script failed validation gets a fix from the cache
/// (made by the LLM in an earlier run) or from the LLM. Only functions with no enclosing
/// function instrumented or failing in this pass: their layout is the file's own. Returns
/// which functions were repaired; their scripts are added to the candidates.
std::vector<bool> repair_failed_scripts(InstrumentPass& pass, ScriptRepairer* repairer);

}  // namespace pass

struct ExtractedText {
  std::string input;  // when `parsed` is null (`parsed->source` holds it otherwise)
  const LanguageSupport* language = nullptr;
  Config config;
  FileLocation location;
  std::vector<LanguageTemplate> templates;  // templates_for(*language, config)
  std::unique_ptr<pass::Parsed> parsed;     // null when `error` says why
  std::string error;
};

}  // namespace telinject
