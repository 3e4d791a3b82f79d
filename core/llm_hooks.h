// What core may ask an LLM, declared here and implemented by the telinject_llm target
// (core/llm/, llm::make_hooks): repair a script that fails validation, instrument a whole file
// (--mode llm), list the functions of a language without a grammar, and say what the calls
// cost. Core never includes llm/ and links no HTTP client for it; every hook is optional (a
// null pointer: no LLM for that step). Whatever a hook returns is text that core checks
// (answer_script.h) and validates like any script; it is never run. Implementations are
// thread-safe: workers call them at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "insertion_script.h"
#include "result.h"
#include "telemetry_template.h"

namespace telinject {

/// Why an LLM hook failed, for callers that must tell "over budget" from other errors.
enum class CallFailure { kNone, kBudget, kTooLarge, kProvider };

/// Self-healing: one function whose template script failed validation.
struct RepairTask {
  std::string language;
  std::string file;  // for the prompt and the trace
  std::string qualified_name;
  std::string name;
  std::string kind;
  std::string function_text;  // from the function's first row
  const LanguageTemplate* tmpl = nullptr;
  std::string failed_output;  // the template's instrumentation of the function, if it applied
  std::string failure;        // why it failed validation
};

class ScriptRepairer {
 public:
  virtual ~ScriptRepairer() = default;
  /// A script for `task` that `validate` (the caller's whole-file validation) accepts, with
  /// origin "llm", or why none was found. `failure` is kBudget when the budget stopped it.
  virtual Result<InsertionScript> repair(
      const RepairTask& task, const std::function<Result<void>(const InsertionScript&)>& validate,
      CallFailure* failure) = 0;
};

/// --mode llm: the functions of one file the LLM instruments in one request.
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
  virtual ~FileInstrumenter() = default;
  /// Scripts of one answer that `validate` accepts. `failure` is kBudget when the budget
  /// stopped it.
  virtual Result<FileScripts> instrument(
      const FileTask& task, const std::function<Result<void>(const FileScripts&)>& validate,
      CallFailure* failure) = 0;
  /// True when the whole file fits one request; otherwise the caller sends one function at a
  /// time.
  virtual bool fits(const FileTask& task) = 0;
};

/// Languages without a grammar (llm_language.h): one function as the LLM lists it; lines are
/// 1-based.
struct AnalyzedFunction {
  std::string name;
  std::string qualified_name;
  uint32_t start_line = 0;       // the signature's first line
  uint32_t body_start_line = 0;  // the body's first line (the telemetry goes before it)
  uint32_t end_line = 0;         // the line that closes the function
};

struct LlmLanguage;

class FunctionAnalyzer {
 public:
  virtual ~FunctionAnalyzer() = default;
  /// The functions of `text` (`file` names it in the prompt), checked against the text
  /// (parse_analysis). `failure` is kBudget when the budget stopped it.
  virtual Result<std::vector<AnalyzedFunction>> analyze(const std::string& text,
                                                        const std::string& file,
                                                        const LlmLanguage& language,
                                                        CallFailure* failure) = 0;
};

/// What the LLM calls have cost so far, for reports. Thread-safe.
class LlmMeter {
 public:
  virtual ~LlmMeter() = default;
  virtual uint64_t calls() const = 0;
  virtual double cost_usd() const = 0;
  /// US dollars the calls may spend in all; 0: no limit.
  virtual double budget_usd() const = 0;
  /// True once a call was refused for the budget.
  virtual bool budget_exhausted() const = 0;
};

}  // namespace telinject
