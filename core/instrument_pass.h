// One file's instrument pass (instrument(), run by process_text in file_processor.cpp; its LLM
// steps in instrument_pass_llm.cpp) and the pieces the other passes share: the parsed file,
// candidate scripts, reconstruction and validation. Internal to core.
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

/// Whether `f` is one the caller chose (`only`: qualified names; null: every function).
bool wanted(const FunctionInfo& f, const std::vector<std::string>* only);

/// The text's result before any pass changes it: the input as it came, the language and the
/// number of functions found.
TextResult unchanged_result(const ExtractedText& extracted);

/// What one instrument pass decided for one function.
struct FunctionPlan {
  bool selected = false;  // to be instrumented in this pass
  std::string failure;    // why its script failed (it is reported as an error)
  std::string not_done;   // left for the next run: the LLM budget is spent
  std::string note;       // why a selected function was left alone
};

/// One file's instrument pass: what it reads (the extraction, the cache, the trace) and what
/// it owns (a plan per function, the candidate scripts, the outcome so far). The LLM steps
/// read and update it too.
struct InstrumentPass {
  /// Selects the uninstrumented functions that `only` names (all when null).
  InstrumentPass(const ExtractedText& extracted, ScriptCache* cache, TraceLog* trace,
                 const std::vector<std::string>* only);

  const Parsed& parsed;
  const LanguageSupport& language;
  const std::vector<LanguageTemplate>& templates;  // the run's; the first is the one used
  const LanguageTemplate& tmpl;
  const FileLocation& location;
  const Config& config;
  ScriptCache* cache;
  TraceLog* trace;
  std::vector<FunctionPlan> plans;  // one per parsed.functions, in their order
  std::vector<Candidate> candidates;
  FileOutcome outcome;
};

/// The candidates from the template: its script for every selected function, from the cache
/// when a cached one passes its test and equals it; a function whose script cannot be made
/// gets the reason in its plan.
void plan_from_templates(InstrumentPass& pass);

/// The instrumented text: the candidates reconstructed and, when `must_validate`, validated.
/// When they fail together, each is tried with its enclosing functions' scripts: the failing
/// ones (and those nested in them) are dropped and the rest tried again. An error when each
/// passes alone but not all together (the file is left as it was).
Result<std::string> validate_candidates(InstrumentPass& pass, bool must_validate);

/// Instruments the functions of `extracted` that `only` names (all when null); the others are
/// reported as they are. The LLM steps run when `hooks` has them.
TextResult instrument(const ExtractedText& extracted, ScriptCache* cache, TraceLog* trace,
                      const std::vector<std::string>* only, LlmHooks hooks);

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
