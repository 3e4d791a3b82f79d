// run_pipeline: the batch run — scan, then each file on a worker thread, then the runtime
// helpers and the cache index.
#include "pipeline.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "atomic_file.h"
#include "bounded_queue.h"
#include "disk_memo.h"
#include "llm_language.h"
#include "runtime_helpers.h"
#include "scanner.h"
#include "script_cache.h"
#include "sha256.h"
#include "test_hooks.h"
#include "trace_log.h"
#include "unified_diff.h"
#include "version.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;

// Everything besides the file's bytes that decides an instrument run's output.
std::string run_fingerprint(const Config& config, const LanguageSupport& language) {
  Sha256 hash;
  hash.add(kVersion).add("file").add(language.name()).add(config.profile);
  auto templates = templates_for(language, config);
  if (templates.ok())
    for (const auto& t : *templates) hash.add(t.fingerprint());
  for (const auto& pattern : config.exclude_functions) hash.add(pattern);
  hash.add(std::to_string(config.min_function_lines));
  return hash.hex();
}

// Whether `bytes` may hold telemetry of any profile `language` knows: one of the markers the
// headers start with appears in it. Cheap next to a parse.
bool may_carry_telemetry(std::string_view bytes, const LanguageSupport& language,
                         const Config& config) {
  auto templates = templates_for(language, config);
  if (!templates.ok()) return true;  // the parse reports the problem
  return std::any_of(templates->begin(), templates->end(), [&](const LanguageTemplate& t) {
    std::string marker = t.marker();
    return !marker.empty() && bytes.find(marker) != std::string_view::npos;
  });
}

std::string size_limit_reason(const ScannedFile& file) {
  return "over size limit (" + std::to_string(file.size) + " bytes)";
}

std::optional<fs::perms> file_mode(const fs::path& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec) return std::nullopt;
  return status.permissions();
}

const char* const kNotOurHelper =
    "named like telinject's runtime helper but not telinject's: left as it is (rename it: "
    "instrumented code imports this name)";

// A runtime helper instrumented code would import, and why telinject cannot write it there
// (helper_conflict).
struct BlockedHelper {
  fs::path target;
  std::string why;
};

// One scanned file on its way from the scan to a worker.
struct WorkItem {
  size_t index = 0;  // in path order
  ScannedFile file;
  std::optional<BlockedHelper> blocked_helper;  // instrument only
};

struct Worker {
  const RunOptions& options;
  ScriptCache* cache;
  DiskMemo* memo;  // the run's: what languages looked up on disk around its files
  // By language, for every language (filled before the workers start, read-only after).
  std::map<const LanguageSupport*, std::string> fingerprints;
  std::map<const LanguageSupport*, bool> needs_runtime;   // by the run's profile
  std::map<const LanguageSupport*, std::string> markers;  // the run's profile's header prefix
  // A mirror file was written (not synced: the run syncs the mirror's file system once at its
  // end, where two fsyncs per file cost more than the rest of a cold run on a slow disk).
  mutable std::atomic<bool> mirror_written{false};

  bool uses_runtime(const ScannedFile& file) const {
    auto it = needs_runtime.find(file.language);
    return it != needs_runtime.end() && it->second;
  }

  // The outcome for a file at the path of its language's helper: telinject's own helper is
  // skipped; a user's file of that name is reported (it blocks the helper) unless the profile
  // has no helper, when it is an ordinary file (nothing).
  std::optional<FileOutcome> helper_path_outcome(const ScannedFile& file) const {
    if (!file.language) return std::nullopt;
    for (const RuntimeFile& helper : file.language->runtime(location_of(file))) {
      if (file.relative != helper.relative_path) continue;
      FileOutcome outcome;
      outcome.path = file.path;
      outcome.language = file.language_name();
      auto existing = read_file(file.path);
      if (existing.ok() && same_first_line(*existing, helper.content)) {
        outcome.status = FileOutcome::Status::kSkipped;
        outcome.message = "telinject runtime helper";
        return outcome;
      }
      if (!uses_runtime(file)) return std::nullopt;
      outcome.status = options.action == Action::kRemove ? FileOutcome::Status::kSkipped
                                                         : FileOutcome::Status::kError;
      outcome.message = kNotOurHelper;
      return outcome;
    }
    return std::nullopt;
  }

  FileLocation location_of(const ScannedFile& file) const {
    return {file.root, file.relative, memo};
  }

  // The output depends on the path as well as the bytes (qualified names and imports are
  // derived from it): identical files at two places have two records.
  std::string file_record_key(const ScannedFile& file, const std::string& content_hash) const {
    return Sha256()
        .add(fingerprints.at(file.language))
        .add(file.relative.generic_string())
        .add(content_hash)
        .hex();
  }

  // A file record lets a run skip a file unparsed; the cache is only a plain file, so the
  // claim is checked against the bytes: the output must hold at least as many span headers
  // as the record says functions carry. A record with functions but none carrying (all of them
  // excluded: rare) is not taken on trust at all.
  bool record_is_plausible(const FileRecord& record, const ScannedFile& file,
                           std::string_view output) const {
    if (record.instrumented == 0) return record.functions == 0;
    const std::string& marker = markers.at(file.language);
    if (marker.empty()) return false;
    uint32_t found = 0;
    for (size_t at = output.find(marker);
         at != std::string_view::npos && found < record.instrumented;
         at = output.find(marker, at + marker.size()))
      ++found;
    return found >= record.instrumented;
  }

  fs::path target_of(const ScannedFile& file) const {
    return options.output_dir ? *options.output_dir / file.relative : file.path;
  }

  // Replaces the file the run read, when nobody changed it since (an editor's save is never
  // lost). A symbolic link (only a file named on the command line can be one) keeps pointing
  // at its target, which is replaced.
  Result<void> replace_in_place(const ScannedFile& file, const std::string& input,
                                const FileStamp& stamp, const std::string& output) const {
    std::error_code ec;
    fs::path real = file.path;
    if (fs::is_symlink(fs::symlink_status(file.path, ec))) {
      real = fs::canonical(file.path, ec);
      if (ec) return make_error(file.path.string() + ": " + ec.message());
    }
    test_hooks::before_replace(real);
    auto replaced = replace_file_if_unchanged(real, output, input, stamp);
    if (replaced.ok()) test_hooks::after_file_written();
    return replaced;
  }

  // Writes the mirror's copy; never through a symbolic link below the mirror's root (it could
  // lead anywhere), and a link at the copy's own name is replaced, not followed.
  Result<void> write_mirror(const ScannedFile& file, const fs::path& target,
                            const std::string& output) const {
    std::error_code ec;
    if (auto link = link_below(*options.output_dir, file.relative.parent_path()))
      return make_error(link->string() +
                        ": a symbolic link inside the output folder; telinject does not write "
                        "through it");
    fs::create_directories(target.parent_path(), ec);
    auto existing = read_file(target);
    if (existing.ok() && *existing == output && !fs::is_symlink(fs::symlink_status(target, ec)))
      return {};
    auto written = write_file_atomically(target, output, file_mode(file.path), false);
    if (written.ok()) {
      mirror_written = true;
      test_hooks::after_file_written();
    }
    return written;
  }

  FileOutcome process(const WorkItem& item) const {
    const ScannedFile& file = item.file;
    FileOutcome outcome;
    outcome.path = file.path;
    outcome.language = file.language_name();
    if (auto helper = helper_path_outcome(file)) return std::move(*helper);
    // A CI gate must not pass what it could not read: check turns skips into errors.
    const auto not_processed = options.action == Action::kCheck ? FileOutcome::Status::kError
                                                                : FileOutcome::Status::kSkipped;
    const std::string not_checked = options.action == Action::kCheck ? "not checked: " : "";
    if (file.over_size_limit && options.action != Action::kRemove) {
      outcome.status = not_processed;
      outcome.message = not_checked + size_limit_reason(file);
      return outcome;
    }
    FileStamp stamp;
    auto bytes = read_file(file.path, &stamp);
    if (!bytes.ok()) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = bytes.error();
      return outcome;
    }
    if (auto problem = text_problem(*bytes)) {
      outcome.status = not_processed;
      outcome.message = not_checked + *problem;
      return outcome;
    }
    // The size limit guards instrumenting, not cleaning: a file pushed over it by telemetry is
    // cleaned all the same; one without any is left unparsed.
    if (file.over_size_limit &&
        (!file.language || !may_carry_telemetry(*bytes, *file.language, options.config))) {
      outcome.status = FileOutcome::Status::kSkipped;
      outcome.message = size_limit_reason(file);
      return outcome;
    }
    const fs::path target = target_of(file);
    const bool instrument = options.action == Action::kInstrument;
    // Files of LLM languages have their own analysis cache instead of file records.
    const bool file_cache = instrument && cache && options.use_cache && file.language;
    std::string input_hash, record_key;
    if (file_cache) {
      input_hash = sha256_hex(*bytes);
      record_key = file_record_key(file, input_hash);
      if (auto record = cache->get_file(record_key)) {
        bool up_to_date = record->output_sha256 == input_hash && !options.output_dir &&
                          record_is_plausible(*record, file, *bytes);
        if (!up_to_date && options.output_dir) {
          auto existing = read_file(target);
          up_to_date = existing.ok() && sha256_hex(*existing) == record->output_sha256 &&
                       record_is_plausible(*record, file, *existing);
        }
        if (up_to_date) {
          outcome.from_file_cache = true;
          outcome.functions_found = record->functions;
          outcome.already_instrumented = record->instrumented;
          return outcome;
        }
      }
    }

    TextResult result =
        file.language
            ? process_text(*bytes, location_of(file), *file.language, options.action,
                           options.config, options.use_cache ? cache : nullptr, options.trace,
                           nullptr, {options.repairer, options.instrumenter})
            : process_llm_text(*bytes, location_of(file), *file.llm_language, options.action,
                               options.use_cache ? cache : nullptr, options.analyzer,
                               options.trace);
    result.outcome.path = file.path;
    outcome = std::move(result.outcome);
    if (outcome.status == FileOutcome::Status::kError ||
        outcome.status == FileOutcome::Status::kSkipped)
      return outcome;
    if (outcome.status == FileOutcome::Status::kChanged && options.action == Action::kInstrument) {
      // Instrumented code would import the user's module instead of the helper.
      if (const auto& blocked = item.blocked_helper) {
        FileOutcome refused;
        refused.path = file.path;
        refused.language = outcome.language;
        refused.status = FileOutcome::Status::kError;
        refused.message = "left as it was: it would import telinject's runtime helper from " +
                          blocked->target.string() + ", which is " + blocked->why;
        return refused;
      }
    }
    const bool changed = outcome.status == FileOutcome::Status::kChanged;
    if (options.want_diff && changed) {
      std::string label = file.relative.generic_string();
      outcome.diff = unified_diff(*bytes, result.output, "a/" + label, "b/" + label);
    }
    if (!options.dry_run && options.action != Action::kCheck && (changed || options.output_dir)) {
      auto written = options.output_dir ? write_mirror(file, target, result.output)
                                        : replace_in_place(file, *bytes, stamp, result.output);
      if (!written.ok()) {
        // Nothing was instrumented or removed: the report must not count it.
        FileOutcome failed;
        failed.path = file.path;
        failed.language = outcome.language;
        failed.functions_found = outcome.functions_found;
        failed.status = FileOutcome::Status::kError;
        failed.message = written.error();
        return failed;
      }
    }
    if (file_cache && !options.dry_run) {
      bool clean = std::none_of(outcome.functions.begin(), outcome.functions.end(),
                                [](const FunctionOutcome& f) {
                                  return f.state == FunctionOutcome::State::kError ||
                                         f.state == FunctionOutcome::State::kNotDone;
                                });
      if (clean) {
        std::string output_hash = changed ? sha256_hex(result.output) : input_hash;
        uint32_t carrying = outcome.instrumented + outcome.already_instrumented;
        (void)cache->put_file(record_key,
                              {input_hash, output_hash, outcome.functions_found, carrying});
        if (changed) {
          // The output is a fixed point: the next run over it has nothing to do.
          std::string output_key = file_record_key(file, output_hash);
          (void)cache->put_file(output_key,
                                {output_hash, output_hash, outcome.functions_found, carrying});
        }
      }
    }
    return outcome;
  }
};

// What the scan's thread decides for each file before a worker gets it. What it looks up is
// kept per folder and per helper, never per file.
struct FileGate {
  const RunOptions& options;
  const Worker& worker;
  std::optional<fs::path> mirror;  // the output folder, weakly canonical
  std::set<fs::path> cleaned;      // folders cleaned of stale temporary files
  std::map<fs::path, std::optional<std::string>> helpers;  // helper target -> helper_conflict
  std::optional<ShardFilter> shard;                        // --shard I/N
  std::mutex shard_mutex;  // the filter remembers folders; the count runs beside

  // Whether the run takes `file`: never one in the mirror (when it lies inside a scanned tree),
  // nor one left to the editor, nor another shard's. Thread-safe.
  bool takes(const ScannedFile& file) {
    if (mirror) {
      std::error_code ec;
      fs::path p = fs::weakly_canonical(file.path, ec);
      if (std::mismatch(mirror->begin(), mirror->end(), p.begin(), p.end()).first == mirror->end())
        return false;
    }
    if (options.leave_alone && options.leave_alone(file.path)) return false;
    return in_shard(file.path, file.root);
  }

  // Whether the file at `path`, scanned from `root`, is this shard's (always without --shard).
  bool in_shard(const fs::path& path, const fs::path& root) {
    if (!shard) return true;
    std::lock_guard lock(shard_mutex);
    return shard->takes(path, root);
  }

  // Before the first file of a folder is written: a run killed mid-write (kill -9, power cut)
  // leaves a temporary file beside the file it was replacing; the folders this run writes into
  // are cleaned of those of dead processes. Then, for instrument, whether the helper the file
  // would import is blocked by a file of the user's.
  void prepare(WorkItem& item) {
    const ScannedFile& file = item.file;
    if (!options.dry_run && options.action != Action::kCheck) {
      for (fs::path folder :
           {file.path.parent_path(),
            options.output_dir ? (*options.output_dir / file.relative).parent_path() : fs::path()})
        if (!folder.empty() && cleaned.insert(folder).second) remove_stale_temporary_files(folder);
    }
    if (options.action != Action::kInstrument || !worker.uses_runtime(file)) return;
    for (const RuntimeFile& helper : file.language->runtime(worker.location_of(file))) {
      fs::path target = helper_target(options, file.root, helper.relative_path);
      auto [at, fresh] = helpers.try_emplace(target);
      if (fresh && !left_to_editor(options, target))
        at->second = helper_conflict(target, helper.content);
      if (at->second && !item.blocked_helper)
        item.blocked_helper = BlockedHelper{target, *at->second};
    }
  }
};

std::optional<fs::path> wants_mirror_check(const RunOptions& options) {
  if (!options.output_dir) return std::nullopt;
  std::error_code ec;
  return fs::weakly_canonical(*options.output_dir, ec);
}

// What the run keeps of each file once it is done: the report's counters and lists of problems
// (put in path order at the end), the outcome itself only with RunOptions::keep_files, and the
// runtime helpers the file needs. Thread-safe.
class RunTally {
 public:
  explicit RunTally(const RunOptions& options) : options_(options) {}

  void add(const WorkItem& item, FileOutcome outcome, const Worker& worker) {
    const ScannedFile& file = item.file;
    // Outside the lock: the helpers the file imports (they may need the disk).
    std::vector<RuntimeFile> helpers;
    bool carries = outcome.instrumented + outcome.already_instrumented > 0;
    if (!options_.dry_run && file.language && worker.uses_runtime(file) &&
        (options_.action == Action::kRemove || (options_.action == Action::kInstrument && carries)))
      helpers = file.language->runtime(worker.location_of(file));

    std::lock_guard lock(mutex_);
    for (const RuntimeFile& helper : helpers) {
      fs::path target = helper_target(options_, file.root, helper.relative_path);
      auto [at, fresh] = needs_.helpers.try_emplace(target, helper.content);
      // The first file in path order decides, as when files were taken one after the other.
      if (fresh || item.index < first_needing_[target]) {
        at->second = helper.content;
        first_needing_[target] = item.index;
      }
    }
    needs_.roots.insert(file.root);
    const FileOutcome& o = outcome;
    ++files_scanned_;
    if (o.status == FileOutcome::Status::kChanged) ++counts_.files_changed;
    if (o.status == FileOutcome::Status::kError) {
      needs_.file_error = true;
      errors_.push_back({item.index, {o.path.string(), o.message}});
    }
    if (o.status == FileOutcome::Status::kSkipped)
      skipped_.push_back({item.index, {o.path.string(), o.message}});
    for (const FunctionOutcome& f : o.functions)
      if (f.state == FunctionOutcome::State::kError)
        errors_.push_back(
            {item.index,
             {o.path.string() + ":" + std::to_string(f.line), f.qualified_name + ": " + f.reason}});
      else if (f.state == FunctionOutcome::State::kNotDone)
        not_done_.push_back(
            {item.index,
             {o.path.string() + ":" + std::to_string(f.line), f.qualified_name + ": " + f.reason}});
    counts_.functions_found += o.functions_found;
    counts_.functions_instrumented += o.instrumented;
    counts_.already_instrumented += o.already_instrumented;
    counts_.functions_removed += o.removed;
    counts_.functions_skipped += o.skipped;
    counts_.functions_uninstrumented += o.uninstrumented;
    counts_.cache_hits += o.cache_hits;
    counts_.cache_misses += o.cache_misses;
    if (options_.keep_files) {
      if (kept_.size() <= item.index) kept_.resize(item.index + 1);
      kept_[item.index] = std::move(outcome);
    }
  }

  // Adds the counters, the files' problems after those already in `report` (the scan's), and
  // the kept outcomes.
  void finish(RunReport& report) {
    std::lock_guard lock(mutex_);
    report.files_scanned = files_scanned_;
    report.files_changed = counts_.files_changed;
    report.functions_found = counts_.functions_found;
    report.functions_instrumented = counts_.functions_instrumented;
    report.already_instrumented = counts_.already_instrumented;
    report.functions_removed = counts_.functions_removed;
    report.functions_skipped = counts_.functions_skipped;
    report.functions_uninstrumented = counts_.functions_uninstrumented;
    report.cache_hits = counts_.cache_hits;
    report.cache_misses = counts_.cache_misses;
    append_in_order(errors_, report.errors);
    append_in_order(skipped_, report.skipped_files);
    append_in_order(not_done_, report.not_done);
    report.files = std::move(kept_);
  }

  const RuntimeNeeds& runtime_needs() const { return needs_; }

 private:
  using Entry = std::pair<std::string, std::string>;
  struct Problem {
    size_t index;  // the file's, in path order
    Entry entry;
  };

  static void append_in_order(std::vector<Problem>& problems, std::vector<Entry>& out) {
    std::stable_sort(problems.begin(), problems.end(),
                     [](const Problem& a, const Problem& b) { return a.index < b.index; });
    for (Problem& problem : problems) out.push_back(std::move(problem.entry));
  }

  const RunOptions& options_;
  std::mutex mutex_;
  uint64_t files_scanned_ = 0;
  RunReport counts_;  // its counters only
  std::vector<Problem> errors_, skipped_, not_done_;
  std::vector<FileOutcome> kept_;
  RuntimeNeeds needs_;
  std::map<fs::path, size_t> first_needing_;  // helper target -> index of the first file
};

}  // namespace

Result<void> check_profile(const Config& config) {
  std::set<std::string> known;
  for (const LanguageSupport* language : LanguageRegistry::instance().all())
    for (const LanguageTemplate& t : language->builtin_templates()) known.insert(t.profile);
  for (const auto& [profile, by_language] : config.templates) known.insert(profile);
  if (known.count(config.profile)) return {};
  std::string names;
  for (const std::string& name : known) names += (names.empty() ? "" : ", ") + name;
  return make_error("unknown profile '" + config.profile + "' (known: " + names + ")");
}

RunReport run_pipeline(const RunOptions& options, ScriptCache* cache) {
  auto started = std::chrono::steady_clock::now();
  RunReport report;
  ScanOptions scan_options;
  scan_options.include = options.config.include;
  scan_options.exclude = options.config.exclude;
  scan_options.max_file_bytes = options.config.max_file_bytes;
  scan_options.take_oversized = options.action != Action::kInstrument;

  // On-disk lookups (go.mod files...) are shared by the run's files and forgotten after it.
  DiskMemo memo;
  Worker worker{options, cache, &memo, {}, {}, {}, {}};
  for (const LanguageSupport* language : LanguageRegistry::instance().all()) {
    worker.fingerprints[language] = run_fingerprint(options.config, *language);
    auto templates = templates_for(*language, options.config);
    worker.needs_runtime[language] = templates.ok() && templates->front().needs_runtime;
    worker.markers[language] = templates.ok() ? templates->front().marker() : "";
  }
  FileGate gate{options, worker, wants_mirror_check(options), {}, {}, {}, {}};
  if (options.shard) gate.shard.emplace(*options.shard);

  // The progress total comes from a second scan that only counts (the same rules, so the same
  // files): the run itself starts on the first file found and never holds the whole list.
  std::atomic<size_t> counted{0};
  std::atomic<bool> count_known{false};
  std::thread counter;
  if (options.progress)
    counter = std::thread([&] {
      size_t files = 0;
      scan_paths(options.paths, LanguageRegistry::instance(), scan_options,
                 [&](ScannedFile&& file) { files += gate.takes(file); });
      counted = files;
      count_known = true;
    });

  RunTally tally(options);
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  auto finish = [&](const WorkItem& item) {
    if (options.cancelled && *options.cancelled) {
      FileOutcome cancelled;
      cancelled.path = item.file.path;
      cancelled.status = FileOutcome::Status::kSkipped;
      cancelled.message = "cancelled";
      tally.add(item, std::move(cancelled), worker);
      return;
    }
    FileOutcome outcome = worker.process(item);
    if (options.trace)
      options.trace->record(TraceLevel::kDebug, "file_done",
                            {{"file", item.file.path.string()},
                             {"status", static_cast<int>(outcome.status)},
                             {"instrumented", outcome.instrumented},
                             {"cache_hits", outcome.cache_hits},
                             {"cache_misses", outcome.cache_misses}});
    tally.add(item, std::move(outcome), worker);
    size_t finished = done.fetch_add(1) + 1;
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      size_t total = count_known ? std::max<size_t>(counted, finished) : 0;
      options.progress(finished, total, item.file.path);
    }
  };

  size_t jobs = options.config.jobs ? options.config.jobs : std::thread::hardware_concurrency();
  jobs = std::max<size_t>(1, jobs);
  // Scanned files wait here for a worker; the scan waits when it is full.
  BoundedQueue<WorkItem> queue(64 * jobs);
  std::vector<std::thread> threads;
  if (jobs > 1)
    for (size_t t = 0; t < jobs; ++t)
      threads.emplace_back([&] {
        while (std::optional<WorkItem> item = queue.pop()) finish(*item);
      });
  size_t index = 0;
  ScanResult scan = scan_paths(options.paths, LanguageRegistry::instance(), scan_options,
                               [&](ScannedFile&& file) {
                                 if (!gate.takes(file)) return;
                                 WorkItem item{index++, std::move(file), {}};
                                 gate.prepare(item);
                                 if (jobs > 1)
                                   queue.push(std::move(item));
                                 else
                                   finish(item);
                               });
  queue.close();
  for (auto& t : threads) t.join();
  if (counter.joinable()) counter.join();
  // The mirror is durable when the run ends (a run cut short is run again; sources are intact).
  if (worker.mirror_written) {
    auto synced = sync_file_system(*options.output_dir);
    if (!synced.ok()) report.errors.push_back({options.output_dir->string(), synced.error()});
  }

  for (const auto& s : scan.skipped)
    if (gate.in_shard(s.path, s.path.parent_path()))
      report.skipped_files.push_back({s.path.string(), s.reason});
  for (const auto& e : scan.errors) report.errors.push_back({e, "cannot scan"});
  tally.finish(report);
  handle_runtime_files(options, tally.runtime_needs(), report);
  if (cache && options.use_cache && !options.dry_run) {
    auto flushed = cache->flush_index();
    if (!flushed.ok()) report.errors.push_back({cache->directory().string(), flushed.error()});
  }
  if (options.llm) {
    report.llm_calls = options.llm->calls();
    report.cost_usd = options.llm->cost_usd();
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace telinject
