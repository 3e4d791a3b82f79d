// telinject: the batch command line. A thin front on core: parse flags, load the config, run
// the pipeline, print the report, exit with a documented code.
//
// Exit codes: 0 success; 1 `check` found functions without telemetry; 2 usage or configuration
// error, a path that does not exist included (nothing is scanned or written then); 3 some files
// could not be processed (they were left as they were).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "allocator.h"
#include "cache_directory.h"
#include "check_output.h"
#include "config.h"
#include "llm/hooks.h"
#include "llm_commands.h"
#include "log.h"
#include "path_arguments.h"
#include "pipeline.h"
#include "progress_line.h"
#include "remote_cache.h"
#include "remote_http.h"
#include "report_command.h"
#include "report_output.h"
#include "script_cache.h"
#include "shard.h"
#include "trace_log.h"
#include "version.h"

namespace {

namespace fs = std::filesystem;
using namespace telinject;

constexpr int kExitUncovered = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFileErrors = 3;

struct Flags {
  std::vector<std::string> paths;
  std::string output;
  bool dry_run = false;
  bool verbose = false;
  bool quiet = false;
  // The word in the command's place when none was given (`telinject chek src`), for the
  // "did you mean" of a path that does not exist.
  std::optional<std::string> maybe_command;
  std::string validate;  // "", "off", "normal", "strict"
  bool validate_given = false;
  bool no_validate = false;
  int jobs = -1;
  bool no_parallel = false;
  int max_retries = -1;
  bool use_scripts = false;
  bool debug_trace = false;
  std::string trace_level;
  bool no_trace_console = false;
  bool diff = false;
  std::string profile;
  std::string config_file;
  std::string format = "text";
  std::string cache_dir;
  bool no_cache = false;
  std::string shard;         // --shard I/N
  std::string remote_cache;  // --remote-cache URL
  unsigned prune_days = 30;
  std::string export_dir;  // cache export DIR
  // LLM
  std::string provider, model, base_url, api_key;
  double budget = -1;  // < 0: not given
  bool llm = false;    // --llm: this run may call the LLM
  std::string mode = "script";
  int reflection_threshold = -1;
  std::string env_dir = ".";  // configure: where .env goes
};

void add_llm_flags(CLI::App* command, Flags& f) {
  command->add_option("--provider", f.provider, "LLM provider: openai, anthropic, ollama")
      ->check(CLI::IsMember({"openai", "anthropic", "ollama"}));
  command->add_option("--model", f.model, "LLM model (LLM_MODEL)");
  command->add_option("--base-url", f.base_url,
                      "LLM base URL (LLM_BASE_URL); several, comma-separated, for an Ollama pool");
  command->add_option("--api-key", f.api_key, "API key (OPENAI_API_KEY / ANTHROPIC_API_KEY)");
}

void add_run_flags(CLI::App* command, Flags& f) {
  command->add_option("paths", f.paths, "Files or directories")->required();
  command->add_option("-o,--output", f.output, "Write a mirror tree to DIR instead of in place");
  command->add_flag("--dry-run", f.dry_run, "Change no file; report what would change");
  auto* verbose =
      command->add_flag("-v,--verbose", f.verbose, "One line per function and skipped file");
  command
      ->add_flag("-q,--quiet", f.quiet,
                 "No summary, progress or warnings; errors, findings and diffs stay")
      ->excludes(verbose);
  command->add_option("--validate", f.validate, "Validation: normal (default), strict, off")
      ->expected(0, 1)
      ->check(CLI::IsMember({"", "off", "normal", "strict"}))
      ->each([&f](const std::string&) { f.validate_given = true; });
  command->add_flag("--no-validate", f.no_validate, "Same as --validate=off");
  command->add_option("-j,--jobs,--max-parallel", f.jobs, "Worker threads (default: one per core)")
      ->check(CLI::PositiveNumber);
  command->add_flag("--no-parallel", f.no_parallel, "One worker thread");
  command->add_option("--max-retries", f.max_retries, "Repair attempts for a failing script");
  command->add_flag("--use-scripts", f.use_scripts,
                    "Accepted for compatibility; scripts are the default");
  command->add_flag("--debug-trace", f.debug_trace, "Write a JSON Lines trace under logs/");
  command->add_option("--trace-level", f.trace_level, "TRACE, DEBUG, INFO, WARNING or ERROR");
  command->add_flag("--no-trace-console", f.no_trace_console, "Trace to the file only");
  command->add_flag("--diff", f.diff, "Print a unified diff of each change; implies --dry-run");
  command->add_option("--profile", f.profile,
                      "Telemetry profile: builtin, opentelemetry, or a config template");
  command->add_option("--config", f.config_file,
                      "Configuration file (default: .telinject.toml or pyproject.toml)");
  if (command->get_name() == "check")
    command
        ->add_option("--format", f.format,
                     "Output: text, json, sarif (SARIF 2.1.0) or github (annotations)")
        ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  else
    command->add_option("--format", f.format, "Output: text or json")
        ->check(CLI::IsMember({"text", "json"}));
  command->add_option("--cache-dir", f.cache_dir,
                      "Script cache directory (default .telemetry_cache)");
  command->add_flag("--no-cache", f.no_cache, "Neither read nor write the script cache");
  command->add_option("--shard", f.shard,
                      "Process only shard I of N (1-based: 1/4 … 4/4), a fixed split by path; "
                      "the N shards together do what one run does");
  command->add_option("--remote-cache", f.remote_cache,
                      "Shared script cache: redis://host[:port][/db] or http(s)://host/path "
                      "(TELINJECT_REMOTE_CACHE; password in TELINJECT_REMOTE_CACHE_PASSWORD)");
  add_llm_flags(command, f);
  command->add_flag("--llm", f.llm,
                    "Let this run call the LLM (it costs money; also [llm] enabled = true)");
  command
      ->add_option("--budget", f.budget,
                   "Most US dollars this run may spend on LLM calls (default 0.50; 0: no limit)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--mode", f.mode,
                   "script (default: templates, the LLM only repairs) or llm (the LLM "
                   "instruments whole files; validated all the same)")
      ->check(CLI::IsMember({"script", "llm"}));
  command
      ->add_option("--reflection-threshold", f.reflection_threshold,
                   "--mode llm: failed tries before a reflection call (default 2; 0: never)")
      ->check(CLI::NonNegativeNumber);
}

fs::path project_dir_for(const std::vector<std::string>& paths) {
  if (paths.empty()) return fs::current_path();
  fs::path first = paths.front();
  std::error_code ec;
  return fs::is_directory(first, ec) ? first
                                     : (first.has_parent_path() ? first.parent_path() : ".");
}

// Config from file and environment, then the flags on top.
Result<Config> effective_config(const Flags& f) {
  std::optional<fs::path> explicit_file;
  if (!f.config_file.empty()) explicit_file = f.config_file;
  // LLM flags go in as the environment variables they override, so that the key and the
  // timeout follow the provider the flags choose.
  auto environment = process_environment();
  if (!f.provider.empty()) environment["LLM_PROVIDER"] = f.provider;
  if (!f.model.empty()) environment["LLM_MODEL"] = f.model;
  if (!f.base_url.empty()) environment["LLM_BASE_URL"] = f.base_url;
  auto loaded = load_config(project_dir_for(f.paths), explicit_file, environment);
  if (!loaded.ok()) return loaded;
  Config config = std::move(*loaded);
  if (!f.profile.empty()) config.profile = f.profile;
  if (!f.cache_dir.empty()) config.cache_dir = f.cache_dir;
  if (!f.remote_cache.empty()) {
    // A command line lands in CI logs and `ps`: secrets come from the environment only.
    if (url_has_credentials(f.remote_cache))
      return make_error("--remote-cache " + masked_url(f.remote_cache) +
                        ": no credentials on the command line; give the password in "
                        "TELINJECT_REMOTE_CACHE_PASSWORD, or the whole URL in "
                        "TELINJECT_REMOTE_CACHE");
    config.remote_cache.url = f.remote_cache;
  }
  if (f.jobs > 0) config.jobs = static_cast<uint32_t>(f.jobs);
  if (f.no_parallel) config.jobs = 1;
  if (f.max_retries >= 0) config.max_retries = static_cast<uint32_t>(f.max_retries);
  if (f.validate_given)
    config.validate = f.validate == "off"      ? ValidateMode::kOff
                      : f.validate == "strict" ? ValidateMode::kStrict
                                               : ValidateMode::kNormal;
  if (f.no_validate) config.validate = ValidateMode::kOff;
  if (f.debug_trace) config.debug_trace = true;
  if (!f.trace_level.empty()) config.trace_level = f.trace_level;
  if (f.no_trace_console) config.trace_console = false;
  if (!f.api_key.empty()) config.llm.api_key = f.api_key;
  if (f.budget >= 0) config.llm.budget_usd = f.budget;
  config.llm.whole_file_mode = f.mode == "llm";
  if (f.llm || config.llm.whole_file_mode) config.llm.enabled = true;
  if (f.reflection_threshold >= 0)
    config.llm.reflection_threshold = static_cast<uint32_t>(f.reflection_threshold);
  return config;
}

// The commands a mistyped word may have meant.
const std::vector<std::string> kCommandNames = {"instrument", "remove", "check",     "cache",
                                                "check-api",  "models", "configure", "report"};

int run(Action action, const Flags& f) {
  if (f.quiet) logger().set_level(spdlog::level::err);
  // Before anything else: a bad path (often a mistyped command) must not turn into a run over
  // the other arguments.
  auto problems = cli::path_argument_problems(f.paths, f.maybe_command, kCommandNames);
  for (const std::string& problem : problems)
    std::fprintf(stderr, "telinject: %s\n", problem.c_str());
  if (!problems.empty()) return kExitUsage;
  auto config = effective_config(f);
  if (!config.ok()) {
    std::fprintf(stderr, "telinject: %s\n", config.error().c_str());
    return kExitUsage;
  }
  if (auto profile = check_profile(*config); !profile.ok()) {
    std::fprintf(stderr, "telinject: %s\n", profile.error().c_str());
    return kExitUsage;
  }
  RunOptions options;
  options.action = action;
  if (!f.shard.empty()) {
    auto shard = parse_shard(f.shard);
    if (!shard.ok()) {
      std::fprintf(stderr, "telinject: %s\n", shard.error().c_str());
      return kExitUsage;
    }
    options.shard = *shard;
  }
  for (const auto& p : f.paths) options.paths.emplace_back(p);
  if (!f.output.empty()) options.output_dir = fs::path(f.output);
  // --diff shows what would change and writes nothing, as black and ruff do.
  options.dry_run = f.dry_run || f.diff;
  options.want_diff = f.diff;
  // Runs that change nothing leave the cache as it is (and make none).
  const bool read_only = options.dry_run || action == Action::kCheck;
  options.use_cache = !f.no_cache;
  // Only these outputs list files one by one; the others need the counters, so a run over any
  // number of files keeps no per-file state.
  options.keep_files = f.format != "text" || f.verbose || f.diff || action == Action::kCheck;
  options.config = *config;

  std::unique_ptr<TraceLog> trace;
  if (config->debug_trace) {
    auto level = parse_trace_level(config->trace_level);
    if (!level) {
      std::fprintf(stderr, "telinject: unknown trace level '%s'\n", config->trace_level.c_str());
      return kExitUsage;
    }
    auto opened = TraceLog::open("logs", *level, config->trace_console);
    if (!opened.ok()) {
      std::fprintf(stderr, "telinject: %s\n", opened.error().c_str());
      return kExitUsage;
    }
    trace = std::move(*opened);
    options.trace = trace.get();
  }

  // The LLM is optional: without one, work that needs it is reported as skipped.
  std::unique_ptr<llm::Hooks> llm_hooks;
  if (config->llm.enabled) {
    auto made = llm::make_hooks({config->llm, config->max_retries,
                                 options.use_cache ? config->cache_dir : fs::path(), read_only,
                                 project_dir_for(f.paths) / "docs" / "lessons", trace.get()});
    if (made.ok()) {
      llm_hooks = std::move(*made);
      llm_hooks->attach(options);
    } else {
      std::fprintf(stderr, "telinject: LLM not used: %s\n", made.error().c_str());
    }
  }

  // A key in the environment is not a wish to spend: the run says how to opt in.
  const bool llm_not_enabled = !config->llm.enabled && !config->llm.provider.empty();
  if (config->llm.whole_file_mode && !llm_hooks && action == Action::kInstrument) {
    std::fprintf(stderr, "telinject: --mode llm needs an LLM (LLM_PROVIDER or an API key)\n");
    return kExitUsage;
  }

  bool json_output = f.format == "json";
  const bool show_progress = f.format == "text" && !f.verbose && !f.quiet && isatty(STDERR_FILENO);
  cli::ProgressLine progress(show_progress);
  // Without a line to draw the run need not count its files first.
  if (show_progress)
    options.progress = [&progress](size_t done, size_t total, const fs::path&) {
      progress.update(done, total);
    };
  ScriptCache cache(config->cache_dir,
                    read_only ? ScriptCache::Access::kReadOnly : ScriptCache::Access::kReadWrite);
  std::shared_ptr<RemoteCache> remote;
  if (options.use_cache && !config->remote_cache.url.empty()) {
    auto store = open_remote_store(config->remote_cache, open_http_store);
    if (!store.ok()) {
      std::fprintf(stderr, "telinject: %s\n", store.error().c_str());
      return kExitUsage;
    }
    remote = std::make_shared<RemoteCache>(std::move(*store), masked_url(config->remote_cache.url));
    cache.set_remote(remote);
  }
  // A batch run on an empty store (a first run, CI with a fresh cache) does not ask it.
  if (options.use_cache) cache.skip_reads_if_empty();
  RunReport report = run_pipeline(options, options.use_cache ? &cache : nullptr);
  progress.finish();
  if (llm_hooks) report.llm_budget_usd = config->llm.budget_usd;
  if (trace)
    trace->record(TraceLevel::kInfo, "run_finished",
                  {{"files_scanned", report.files_scanned},
                   {"files_changed", report.files_changed},
                   {"functions_instrumented", report.functions_instrumented},
                   {"cache_hits", report.cache_hits},
                   {"cache_misses", report.cache_misses},
                   {"errors", report.errors.size()},
                   {"seconds", report.seconds},
                   {"llm_calls", report.llm_calls},
                   {"cost_usd", report.cost_usd}});

  if (f.format == "github") {
    cli::print_github_annotations(stdout, cli::check_findings(report));
  } else if (f.format != "text") {
    std::string out = json_output
                          ? cli::report_json(report, action, f.verbose || action == Action::kCheck)
                          : cli::check_sarif(cli::check_findings(report));
    std::puts(out.c_str());
    for (const auto& [file, message] : report.errors)
      std::fprintf(stderr, "error: %s: %s\n", cli::printable(file).c_str(),
                   cli::printable(message).c_str());
  } else {
    cli::print_report(stdout, report, action, {f.verbose, f.quiet, options.dry_run});
  }
  if (remote && !f.quiet) {
    RemoteCounts counts = remote->run_counts();
    std::fprintf(stderr,
                 "telinject: remote cache %s: %llu hits, %llu misses, %llu refused, %llu sent\n",
                 remote->shown_url().c_str(), static_cast<unsigned long long>(counts.hits),
                 static_cast<unsigned long long>(counts.misses),
                 static_cast<unsigned long long>(counts.refused),
                 static_cast<unsigned long long>(counts.stored));
  }
  if (report.files_scanned == 0 && !f.quiet) cli::warn_nothing_to_process(stderr, f.paths, report);
  if (llm_not_enabled && !f.quiet && action != Action::kRemove)
    cli::explain_llm_not_enabled(stderr, report);
  if (!report.errors.empty() || !report.not_done.empty()) return kExitFileErrors;
  if (action == Action::kCheck && report.functions_uninstrumented > 0) return kExitUncovered;
  return 0;
}

int run_cache(const std::string& verb, const Flags& f) {
  Flags with_paths = f;
  auto config = effective_config(with_paths);
  if (!config.ok()) {
    std::fprintf(stderr, "telinject: %s\n", config.error().c_str());
    return kExitUsage;
  }
  ScriptCache cache(config->cache_dir);
  if (verb == "clear" || verb == "prune") {
    // `--cache-dir .` must never delete a project's own tests/ or scripts/.
    auto recognised = check_cache_directory(cache.directory());
    if (!recognised.ok()) {
      std::fprintf(stderr, "telinject: %s\n", recognised.error().c_str());
      return kExitUsage;
    }
  }
  if (verb == "clear") {
    auto cleared = cache.clear();
    if (!cleared.ok()) {
      std::fprintf(stderr, "telinject: %s\n", cleared.error().c_str());
      return kExitFileErrors;
    }
    std::printf("cleared %s (%llu entries)\n", cache.directory().c_str(),
                static_cast<unsigned long long>(cleared->removed));
    if (cleared->kept > 0)
      std::fprintf(stderr, "telinject: left %llu files in %s that telinject did not write\n",
                   static_cast<unsigned long long>(cleared->kept), cache.directory().c_str());
    return 0;
  }
  if (verb == "prune") {
    auto pruned = cache.prune(f.prune_days);
    if (!pruned.ok()) {
      std::fprintf(stderr, "telinject: %s\n", pruned.error().c_str());
      return kExitFileErrors;
    }
    std::printf("pruned %llu entries older than %u days\n",
                static_cast<unsigned long long>(*pruned), f.prune_days);
    return 0;
  }
  if (verb == "export") {
    auto exported = cache.export_to(f.export_dir);
    if (!exported.ok()) {
      std::fprintf(stderr, "telinject: %s\n", exported.error().c_str());
      return kExitFileErrors;
    }
    std::printf("exported %llu scripts and their tests to %s\n",
                static_cast<unsigned long long>(*exported), f.export_dir.c_str());
    return 0;
  }
  auto stats = cache.stats();
  if (!stats.ok()) {
    std::fprintf(stderr, "telinject: %s\n", stats.error().c_str());
    return kExitFileErrors;
  }
  if (f.format == "json") {
    nlohmann::json out = cache_stats_json(cache.directory(), *stats);
    out["remote_hits"] = stats->remote_hits;
    out["remote_misses"] = stats->remote_misses;
    out["remote_refused"] = stats->remote_refused;
    out["earlier_layout_files"] = stats->earlier_layout_files;
    std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf(
        "cache %s: %llu scripts, %llu tests, %llu file records, %llu bytes; "
        "lifetime %llu hits, %llu misses, %llu damaged entries replaced\n",
        cache.directory().c_str(), static_cast<unsigned long long>(stats->scripts),
        static_cast<unsigned long long>(stats->tests),
        static_cast<unsigned long long>(stats->files),
        static_cast<unsigned long long>(stats->bytes), static_cast<unsigned long long>(stats->hits),
        static_cast<unsigned long long>(stats->misses),
        static_cast<unsigned long long>(stats->damaged));
    if (stats->remote_hits + stats->remote_misses + stats->remote_refused > 0)
      std::printf(
          "remote cache: lifetime %llu hits, %llu misses, %llu refused (failed "
          "verification, never used)\n",
          static_cast<unsigned long long>(stats->remote_hits),
          static_cast<unsigned long long>(stats->remote_misses),
          static_cast<unsigned long long>(stats->remote_refused));
    if (stats->earlier_layout_files > 0)
      std::printf(
          "%llu entry files of an earlier version (scripts/, tests/, files/) are no "
          "longer read: `telinject cache clear` removes them\n",
          static_cast<unsigned long long>(stats->earlier_layout_files));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // `telinject PATH…` means `telinject instrument PATH…`.
  static const std::set<std::string> kCommands = {"instrument", "remove", "check",     "cache",
                                                  "check-api",  "models", "configure", "report",
                                                  "-h",         "--help", "--version"};
  // The log's level (core's warnings and debugging): TELINJECT_LOG_LEVEL, warnings by default.
  if (const char* level = std::getenv("TELINJECT_LOG_LEVEL"); level && *level) {
    auto parsed = parse_log_level(level);
    if (!parsed) {
      std::fprintf(stderr,
                   "telinject: TELINJECT_LOG_LEVEL=%s: use trace, debug, info, warning, error "
                   "or off\n",
                   level);
      return kExitUsage;
    }
    logger().set_level(*parsed);
  }
  logger().debug("telinject {} (malloc: {})", kVersion, allocator_description());
  std::vector<char*> args(argv, argv + argc);
  static char kDefaultCommand[] = "instrument";
  Flags flags;
  if (argc > 1 && !kCommands.count(argv[1])) {
    args.insert(args.begin() + 1, kDefaultCommand);
    if (argv[1][0] != '-') flags.maybe_command = argv[1];
  }

  CLI::App app{"telinject: adds tracing telemetry to every function of a codebase"};
  app.set_version_flag("--version", std::string("telinject ") + kVersion);
  app.require_subcommand(1);
  auto* instrument = app.add_subcommand("instrument", "Add telemetry to functions (default)");
  add_run_flags(instrument, flags);
  auto* remove = app.add_subcommand("remove", "Take out exactly the telemetry telinject added");
  add_run_flags(remove, flags);
  auto* check = app.add_subcommand("check", "Exit 1 when functions have no telemetry (CI gate)");
  add_run_flags(check, flags);
  auto* cache = app.add_subcommand("cache", "Script cache: stats, clear, prune, export");
  cache->require_subcommand(1);
  for (const char* verb : {"stats", "clear", "prune", "export"}) {
    auto* sub = cache->add_subcommand(verb);
    sub->add_option("--cache-dir", flags.cache_dir, "Cache directory (default .telemetry_cache)");
    sub->add_option("--config", flags.config_file, "Configuration file");
    sub->add_option("--format", flags.format)->check(CLI::IsMember({"text", "json"}));
    if (std::strcmp(verb, "prune") == 0)
      sub->add_option("--days", flags.prune_days, "Remove entries unused for this many days");
    if (std::strcmp(verb, "export") == 0)
      sub->add_option("DIR", flags.export_dir,
                      "Write scripts/<lang>/… and tests/<lang>/… (readable JSON) below DIR")
          ->required();
  }
  auto* check_api = app.add_subcommand("check-api", "Test the LLM provider's connection and key");
  auto* models =
      app.add_subcommand("models", "List the LLM provider's models, with recommendations");
  for (auto* sub : {check_api, models}) {
    add_llm_flags(sub, flags);
    sub->add_option("--config", flags.config_file, "Configuration file");
    sub->add_option("--format", flags.format)->check(CLI::IsMember({"text", "json"}));
  }
  auto* configure = app.add_subcommand(
      "configure", "Write the LLM settings into .env (asks for what the flags leave out)");
  add_llm_flags(configure, flags);
  configure->add_option("--dir", flags.env_dir, "Directory of the .env to write (default: .)");
  cli::ReportFlags report_flags;
  auto* report = cli::add_report_command(app, report_flags);
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (*instrument) return run(Action::kInstrument, flags);
  if (*remove) return run(Action::kRemove, flags);
  if (*check) return run(Action::kCheck, flags);
  if (*report) return cli::run_report_command(report_flags);
  if (*check_api || *models || *configure) {
    Flags llm_flags = flags;
    if (*configure) {
      // The wizard starts from what is configured, not from its own flags.
      llm_flags.provider = llm_flags.model = llm_flags.base_url = llm_flags.api_key = "";
      llm_flags.paths = {flags.env_dir};
    }
    auto config = effective_config(llm_flags);
    if (!config.ok()) {
      std::fprintf(stderr, "telinject: %s\n", config.error().c_str());
      return kExitUsage;
    }
    if (*check_api) return cli::check_api(*config, flags.format == "json");
    if (*models) return cli::list_models(*config, flags.format == "json");
    return cli::configure(
        {flags.provider, flags.model, flags.base_url, flags.api_key, flags.env_dir}, *config);
  }
  for (auto* sub : cache->get_subcommands())
    if (*sub) return run_cache(sub->get_name(), flags);
  return kExitUsage;
}
