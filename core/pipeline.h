// Pipeline: a batch run over files — scan, parse, extract, script (from the cache or the
// templates), validate, reconstruct and write. The CLI and the language server are fronts on it.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "language.h"
#include "llm_hooks.h"
#include "result.h"
#include "shard.h"

namespace telinject {

class SyntaxTree;

class ScriptCache;
class TraceLog;

enum class Action {
  kInstrument,  // add telemetry to uninstrumented functions
  kRemove,      // take out exactly what telinject added
  kCheck,       // report uninstrumented functions, change nothing
};

struct RunOptions {
  Action action = Action::kInstrument;
  std::vector<std::filesystem::path> paths;
  /// Mirror tree to write into instead of changing files in place.
  std::optional<std::filesystem::path> output_dir;
  bool dry_run = false;
  bool want_diff = false;  // fill FileOutcome::diff
  bool use_cache = true;
  /// Keep every file's outcome (its functions, its diff) in RunReport::files, in path order.
  /// Without it the report holds the counters and the lists of problems only, and the run's
  /// memory does not grow with the number of files.
  bool keep_files = true;
  Config config;
  /// Called after each file from worker threads, serialised by the pipeline. `total` is 0 until
  /// it is known: a second scan counts the files while the run starts on the first ones.
  std::function<void(size_t done, size_t total, const std::filesystem::path& file)> progress;
  /// When set, scanned files (root / relative) for which it returns true are not processed and
  /// not reported: the language server leaves the documents open in the editor to the editor.
  /// A runtime helper it returns true for is neither checked, written nor deleted (the editor's
  /// buffer may hold it before the disk does).
  std::function<bool(const std::filesystem::path& file)> leave_alone;
  /// `--shard I/N`: only the files of this shard are processed and reported (shard.h); the
  /// union of the N shards' runs is one run. `remove` keeps the runtime helpers then (another
  /// shard's files may still import them).
  std::optional<Shard> shard;
  /// When set and true, files not started yet are left as they are (reported as skipped,
  /// "cancelled"); a file being written is finished whole. Read from worker threads.
  const std::atomic<bool>* cancelled = nullptr;
  TraceLog* trace = nullptr;  // optional, thread-safe
  /// The LLM hooks (llm_hooks.h, built by llm::make_hooks) are all optional.
  /// What the LLM calls cost, for the report; null: no LLM configured.
  const LlmMeter* llm = nullptr;
  /// Self-healing of scripts that fail validation; null: failures are reported as they are.
  ScriptRepairer* repairer = nullptr;
  /// Lists the functions of files in languages without a grammar; null: such files are
  /// reported as skipped (remove needs no LLM).
  FunctionAnalyzer* analyzer = nullptr;
  /// `--mode llm`: the LLM instruments whole files instead of the templates.
  FileInstrumenter* instrumenter = nullptr;
};

/// What process_text may ask the LLM (all optional).
struct LlmHooks {
  ScriptRepairer* repairer = nullptr;        // self-healing of failing template scripts
  FileInstrumenter* instrumenter = nullptr;  // --mode llm: whole-file instrumentation
};

struct FunctionOutcome {
  /// What the run did with the function, or found of it. Outputs spell it with to_string.
  enum class State {
    kInstrumented,         // given telemetry in this run
    kAlreadyInstrumented,  // carried telemetry before the run
    kUninstrumented,       // left without telemetry (check, or not chosen)
    kRemoved,              // its telemetry taken out in this run
    kSkipped,              // cannot or should not be instrumented; see `reason`
    kOptedOut,             // `telinject: ignore`
    kError,                // its script failed; see `reason`
    kNotDone,              // left for the next run: the LLM budget is spent
  };
  std::string qualified_name;
  uint32_t line = 0;      // 1-based row of the name
  uint32_t column = 0;    // 0-based byte column of the name in its row
  uint32_t end_line = 0;  // 1-based last row of the definition
  State state = State::kUninstrumented;
  std::string reason;
};

/// The state as the JSON and text outputs spell it: "instrumented", "already_instrumented",
/// "uninstrumented", "removed", "skipped", "opted_out", "error", "not_done".
const char* to_string(FunctionOutcome::State state);

struct FileOutcome {
  std::filesystem::path path;
  std::string language;
  enum class Status { kUnchanged, kChanged, kSkipped, kError } status = Status::kUnchanged;
  std::string message;  // reason for kSkipped, error for kError
  std::vector<FunctionOutcome> functions;
  uint32_t functions_found = 0;
  uint32_t instrumented = 0;  // newly instrumented in this run
  uint32_t already_instrumented = 0;
  uint32_t removed = 0;
  uint32_t skipped = 0;         // skipped or opted out
  uint32_t uninstrumented = 0;  // left without telemetry (check)
  uint32_t cache_hits = 0;
  uint32_t cache_misses = 0;
  bool from_file_cache = false;  // decided from the file-level record, not parsed
  std::string diff;
};

struct RunReport {
  std::vector<FileOutcome> files;  // in path order; empty without RunOptions::keep_files
  std::vector<std::pair<std::string, std::string>> skipped_files;  // path, reason (scanner)
  std::vector<std::pair<std::string, std::string>> errors;         // path, message
  std::vector<std::string> runtime_files_written;
  uint64_t files_scanned = 0, files_changed = 0, functions_found = 0, functions_instrumented = 0,
           already_instrumented = 0, functions_removed = 0, functions_skipped = 0,
           functions_uninstrumented = 0, cache_hits = 0, cache_misses = 0;
  double seconds = 0;
  uint64_t llm_calls = 0;
  double cost_usd = 0;  // spent on LLM calls in this run
  /// The run's LLM budget in US dollars (0: no limit); unset when the LLM was not enabled.
  std::optional<double> llm_budget_usd;
  /// Work left undone because the LLM budget ran out: path, what was not done.
  std::vector<std::pair<std::string, std::string>> not_done;
};

/// Runs `options.action` over `options.paths` with `jobs` worker threads (config.jobs; 0 means
/// one per core). Never throws; per-file problems land in the report, and a file is either left
/// as it was or replaced whole. `cache` may be null (no script cache).
RunReport run_pipeline(const RunOptions& options, ScriptCache* cache);

/// Processes one file's text (already read) for `action`. `location` names the module
/// (Python's qualified names) and places imports (JS, Go). `only`, when given, limits instrument
/// and remove to the functions with these qualified names (the editor's "instrument function"); the
/// others are reported as they are. `tree`, when given, is the caller's parse of `input` (the
/// language server keeps one per document): it is used instead of parsing again, and validation
/// re-parses the result incrementally from it. Used by the batch run and by the language server.
/// Thread-safe for distinct texts and trees (pass each thread its own SyntaxTree::copy()).
struct TextResult {
  std::string output;  // the new text (equal to input when nothing changes)
  FileOutcome outcome;
};
/// `hooks.repairer`, when given, asks the LLM to fix functions whose script fails validation (a
/// fix found in the cache is reused without a call); `hooks.instrumenter` replaces the templates
/// by the LLM's whole-file answer. Whatever the LLM gives is validated like any script.
TextResult process_text(const std::string& input, const FileLocation& location,
                        const LanguageSupport& language, Action action, const Config& config,
                        ScriptCache* cache, TraceLog* trace,
                        const std::vector<std::string>* only = nullptr, LlmHooks hooks = {},
                        const SyntaxTree* tree = nullptr);

/// A text parsed once and its functions extracted once (with the config's templates and
/// filters), for every caller that needs them: process_extracted (instrument, remove, check) and
/// check_extracted. The language server keeps one per document snapshot and settings, so that
/// diagnostics, code actions and hover share one extraction walk. Immutable once made; its tree
/// is read by one thread at a time (callers serialise process_extracted on one object).
struct ExtractedText;

/// Parses `text` (or takes `tree`, the caller's parse of it, used when `text` has no byte order
/// mark; validation then re-parses incrementally from it) and extracts its functions. An
/// unknown profile or a failed parse is kept as the error process_extracted reports.
std::shared_ptr<const ExtractedText> extract_text(const std::string& text,
                                                  const FileLocation& location,
                                                  const LanguageSupport& language,
                                                  const Config& config,
                                                  const SyntaxTree* tree = nullptr);

/// process_text on an extraction: the same result, without parsing or extracting again.
TextResult process_extracted(const ExtractedText& extracted, Action action, ScriptCache* cache,
                             TraceLog* trace, const std::vector<std::string>* only = nullptr,
                             LlmHooks hooks = {});

/// The functions as process_text(kCheck) reports them (none when the extraction failed).
std::vector<FunctionOutcome> check_extracted(const ExtractedText& extracted);

/// Marks uninstrumented functions that the config leaves out (exclude_functions,
/// min_function_lines) as skipped, with the reason.
void apply_config_filters(std::vector<FunctionInfo>& functions, const Config& config);

/// Succeeds when `config.profile` names a profile some language knows (a builtin one or one
/// under [templates]); otherwise an error listing the known profiles. A run with an unknown
/// profile could only fail on every file: callers check this first.
Result<void> check_profile(const Config& config);

/// The templates a run knows for `language`: the builtin profiles with user overrides from the
/// config, then user-only profiles. The first is the one named by `config.profile`, or an error.
Result<std::vector<LanguageTemplate>> templates_for(const LanguageSupport& language,
                                                    const Config& config);

}  // namespace telinject
