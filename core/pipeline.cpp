// run_pipeline: the batch run — scan, then each file on a worker thread, then the runtime
// helpers and the cache index.
#include "pipeline.h"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "atomic_file.h"
#include "llm/client.h"
#include "llm/llm_language.h"
#include "scanner.h"
#include "script_cache.h"
#include "sha256.h"
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

std::optional<fs::perms> file_mode(const fs::path& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec) return std::nullopt;
  return status.permissions();
}

struct Worker {
  const RunOptions& options;
  ScriptCache* cache;
  const std::vector<ScannedFile>& files;
  std::map<const LanguageSupport*, std::string> fingerprints;

  // The output depends on the path as well as the bytes (qualified names and imports are
  // derived from it): identical files at two places have two records.
  std::string file_record_key(const ScannedFile& file, const std::string& content_hash) const {
    return Sha256()
        .add(fingerprints.at(file.language))
        .add(file.relative.generic_string())
        .add(content_hash)
        .hex();
  }

  fs::path target_of(const ScannedFile& file) const {
    return options.output_dir ? *options.output_dir / file.relative : file.path;
  }

  FileOutcome process(const ScannedFile& file) const {
    FileOutcome outcome;
    outcome.path = file.path;
    outcome.language = file.language_name();
    if (file.language) {
      for (const RuntimeFile& helper : file.language->runtime({file.root, file.relative})) {
        if (file.relative == helper.relative_path) {
          outcome.status = FileOutcome::Status::kSkipped;
          outcome.message = "telinject runtime helper";
          return outcome;
        }
      }
    }
    auto bytes = read_file(file.path);
    if (!bytes.ok()) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = bytes.error();
      return outcome;
    }
    if (auto problem = text_problem(*bytes)) {
      outcome.status = FileOutcome::Status::kSkipped;
      outcome.message = *problem;
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
        bool up_to_date = record->output_sha256 == input_hash && !options.output_dir;
        if (!up_to_date && options.output_dir) {
          auto existing = read_file(target);
          up_to_date = existing.ok() && sha256_hex(*existing) == record->output_sha256;
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
            ? process_text(*bytes, {file.root, file.relative}, *file.language, options.action,
                           options.config, options.use_cache ? cache : nullptr, options.trace,
                           nullptr, {options.repairer, options.instrumenter})
            : llm::process_llm_text(*bytes, {file.root, file.relative}, *file.llm_language,
                                    options.action, options.use_cache ? cache : nullptr,
                                    options.analyzer, options.trace);
    result.outcome.path = file.path;
    outcome = std::move(result.outcome);
    if (outcome.status == FileOutcome::Status::kError ||
        outcome.status == FileOutcome::Status::kSkipped)
      return outcome;
    const bool changed = outcome.status == FileOutcome::Status::kChanged;
    if (options.want_diff && changed) {
      std::string label = file.relative.generic_string();
      outcome.diff = unified_diff(*bytes, result.output, "a/" + label, "b/" + label);
    }
    if (!options.dry_run && options.action != Action::kCheck &&
        (changed || options.output_dir)) {
      std::error_code ec;
      if (options.output_dir) fs::create_directories(target.parent_path(), ec);
      auto existing = options.output_dir ? read_file(target) : Result<std::string>(*bytes);
      if (!existing.ok() || *existing != result.output) {
        auto written = write_file_atomically(target, result.output, file_mode(file.path));
        if (!written.ok()) {
          outcome.status = FileOutcome::Status::kError;
          outcome.message = written.error();
          return outcome;
        }
      }
    }
    if (file_cache && !options.dry_run) {
      bool clean = std::none_of(outcome.functions.begin(), outcome.functions.end(),
                                [](const FunctionOutcome& f) {
                                  return f.state == "error" || f.state == "not_done";
                                });
      if (clean) {
        std::string output_hash = changed ? sha256_hex(result.output) : input_hash;
        uint32_t carrying = outcome.instrumented + outcome.already_instrumented;
        (void)cache->put_file(record_key, {input_hash, output_hash, outcome.functions_found, carrying});
        if (changed) {
          // The output is a fixed point: the next run over it has nothing to do.
          std::string output_key = file_record_key(file, output_hash);
          (void)cache->put_file(output_key, {output_hash, output_hash, outcome.functions_found, carrying});
        }
      }
    }
    return outcome;
  }
};

bool same_first_line(std::string_view a, std::string_view b) {
  return a.substr(0, a.find('\n')) == b.substr(0, b.find('\n'));
}

// Where a helper at `relative` (below the file's root) goes: in a mirror tree, a helper placed
// above the root (the run was given a folder inside a package) lands at the mirror's top.
fs::path helper_target(const RunOptions& options, const fs::path& root, const fs::path& relative) {
  if (!options.output_dir) return (root / relative).lexically_normal();
  fs::path inside = relative.lexically_normal();
  if (!inside.empty() && *inside.begin() == "..") inside = inside.filename();
  return *options.output_dir / inside;
}

// Writes (instrument) or deletes (remove) the runtime helper of each language and root touched.
void handle_runtime_files(const RunOptions& options, const std::vector<ScannedFile>& files,
                          RunReport& report) {
  if (options.dry_run || options.action == Action::kCheck) return;
  // Every helper file some processed file needs (a language may place them per project).
  std::map<fs::path, std::string_view> helpers;
  for (size_t i = 0; i < files.size(); ++i) {
    const FileOutcome& o = report.files[i];
    bool carries = o.instrumented + o.already_instrumented > 0;
    if (options.action == Action::kInstrument && !carries) continue;
    if (options.action != Action::kInstrument && options.action != Action::kRemove) continue;
    if (!files[i].language) continue;  // LLM languages have no runtime helper
    auto templates = templates_for(*files[i].language, options.config);
    if (!templates.ok() || !templates->front().needs_runtime) continue;
    for (const RuntimeFile& helper : files[i].language->runtime({files[i].root, files[i].relative}))
      helpers.emplace(helper_target(options, files[i].root, helper.relative_path), helper.content);
  }
  for (const auto& [target, content] : helpers) {
    auto existing = read_file(target);
    if (options.action == Action::kInstrument) {
      if (existing.ok() && *existing == content) continue;
      if (existing.ok() && !same_first_line(*existing, content)) {
        // Not a helper telinject wrote (any version starts with the same line): the user's own.
        report.errors.push_back({target.string(),
                                 "a file of this name exists and is not telinject's helper; "
                                 "left as it is (rename it so instrumented code can import "
                                 "the helper)"});
        continue;
      }
      std::error_code made;
      fs::create_directories(target.parent_path(), made);
      auto written = write_file_atomically(target, content);
      if (written.ok()) report.runtime_files_written.push_back(target.string());
      else report.errors.push_back({target.string(), written.error()});
    } else if (report.functions_removed > 0 && existing.ok() && *existing == content) {
      // Only our own, unmodified helper goes, and only when this run took telemetry out.
      std::error_code ec;
      fs::remove(target, ec);
      // A helper in a folder of its own (Go's package) takes the folder when nothing else is
      // left in it; fs::remove leaves a folder that is not empty.
      if (!ec && target.parent_path() != target.parent_path().root_path() &&
          fs::is_empty(target.parent_path(), ec) && !ec) {
        bool is_root = options.output_dir && fs::equivalent(*options.output_dir, target.parent_path(), ec);
        for (const ScannedFile& file : files)
          is_root = is_root || fs::equivalent(file.root, target.parent_path(), ec);
        if (!is_root) fs::remove(target.parent_path(), ec);
      }
    }
  }
}

}  // namespace

RunReport run_pipeline(const RunOptions& options, ScriptCache* cache) {
  auto started = std::chrono::steady_clock::now();
  RunReport report;
  ScanOptions scan_options;
  scan_options.include = options.config.include;
  scan_options.exclude = options.config.exclude;
  scan_options.max_file_bytes = options.config.max_file_bytes;
  ScanResult scan = scan_paths(options.paths, LanguageRegistry::instance(), scan_options);
  for (const auto& s : scan.skipped) report.skipped_files.push_back({s.path.string(), s.reason});
  for (const auto& e : scan.errors) report.errors.push_back({e, "cannot scan"});
  if (options.output_dir) {
    // Never instrument the mirror itself when it lies inside a scanned tree.
    std::error_code ec;
    fs::path mirror = fs::weakly_canonical(*options.output_dir, ec);
    std::erase_if(scan.files, [&](const ScannedFile& f) {
      fs::path p = fs::weakly_canonical(f.path, ec);
      auto [m, _] = std::mismatch(mirror.begin(), mirror.end(), p.begin(), p.end());
      return m == mirror.end();
    });
  }

  if (options.leave_alone)
    std::erase_if(scan.files, [&](const ScannedFile& f) { return options.leave_alone(f.path); });

  Worker worker{options, cache, scan.files, {}};
  for (const ScannedFile& f : scan.files)
    if (f.language && !worker.fingerprints.count(f.language))
      worker.fingerprints[f.language] = run_fingerprint(options.config, *f.language);

  report.files.resize(scan.files.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mutex;
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < scan.files.size();) {
      if (options.cancelled && *options.cancelled) {
        report.files[i].path = scan.files[i].path;
        report.files[i].status = FileOutcome::Status::kSkipped;
        report.files[i].message = "cancelled";
        continue;
      }
      report.files[i] = worker.process(scan.files[i]);
      size_t finished = done.fetch_add(1) + 1;
      if (options.trace)
        options.trace->record(TraceLevel::kDebug, "file_done",
                              {{"file", scan.files[i].path.string()},
                               {"status", static_cast<int>(report.files[i].status)},
                               {"instrumented", report.files[i].instrumented},
                               {"cache_hits", report.files[i].cache_hits},
                               {"cache_misses", report.files[i].cache_misses}});
      if (options.progress) {
        std::lock_guard lock(progress_mutex);
        options.progress(finished, scan.files.size(), scan.files[i].path);
      }
    }
  };
  size_t jobs = options.config.jobs ? options.config.jobs : std::thread::hardware_concurrency();
  jobs = std::max<size_t>(1, std::min(jobs, scan.files.size()));
  if (jobs == 1) {
    work();
  } else {
    std::vector<std::thread> threads;
    for (size_t t = 0; t < jobs; ++t) threads.emplace_back(work);
    for (auto& t : threads) t.join();
  }

  for (const FileOutcome& o : report.files) {
    ++report.files_scanned;
    if (o.status == FileOutcome::Status::kChanged) ++report.files_changed;
    if (o.status == FileOutcome::Status::kError) report.errors.push_back({o.path.string(), o.message});
    if (o.status == FileOutcome::Status::kSkipped)
      report.skipped_files.push_back({o.path.string(), o.message});
    for (const FunctionOutcome& f : o.functions)
      if (f.state == "error")
        report.errors.push_back({o.path.string() + ":" + std::to_string(f.line),
                                 f.qualified_name + ": " + f.reason});
      else if (f.state == "not_done")
        report.not_done.push_back({o.path.string() + ":" + std::to_string(f.line),
                                   f.qualified_name + ": " + f.reason});
    report.functions_found += o.functions_found;
    report.functions_instrumented += o.instrumented;
    report.already_instrumented += o.already_instrumented;
    report.functions_removed += o.removed;
    report.functions_skipped += o.skipped;
    report.functions_uninstrumented += o.uninstrumented;
    report.cache_hits += o.cache_hits;
    report.cache_misses += o.cache_misses;
  }
  handle_runtime_files(options, scan.files, report);
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
