// Benchmark of a batch run against bare tree-sitter, measured in the same process run.
//
//   bench_pipeline --corpus DIR [--json FILE] [--repeat N] [--query LANGUAGE=QUERY]...
//                  [--max-file-bytes N]
//
// Baseline: read + parse + run the language's function query over every file of the languages
// given (default: python, `(function_definition) @function`), one thread. Then the real pipeline
// (`run_pipeline`, writing a mirror tree, fresh cache): cold on one thread, warm on one thread
// (same cache and mirror), cold on two threads. Figures are ratios to the baseline of the same run,
// plus functions per second.
#include <tree_sitter/api.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline.h"
#include "scanner.h"
#include "script_cache.h"

namespace fs = std::filesystem;
using namespace telinject;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Baseline {
  double seconds = 0;
  uint64_t functions = 0;
  uint64_t bytes = 0;
};

// The function query of each language in the baseline, by language name.
using BaselineQueries = std::vector<std::pair<std::string, std::string>>;

Baseline bare_parse_and_query(const std::vector<ScannedFile>& files,
                              const BaselineQueries& queries) {
  struct Prepared {
    const LanguageSupport* language;
    TSParser* parser;
    TSQuery* query;
  };
  std::vector<Prepared> prepared;
  for (const auto& [name, source] : queries) {
    const LanguageSupport* language = LanguageRegistry::instance().by_name(name);
    if (!language) continue;
    TSParser* parser = ts_parser_new();
    ts_parser_set_language(parser, language->grammar());
    uint32_t error_offset = 0;
    TSQueryError error_type;
    TSQuery* query = ts_query_new(language->grammar(), source.c_str(),
                                  static_cast<uint32_t>(source.size()), &error_offset, &error_type);
    if (!query) {
      std::fprintf(stderr, "bench_pipeline: bad query for %s at %u\n", name.c_str(), error_offset);
      std::exit(2);
    }
    prepared.push_back({language, parser, query});
  }
  TSQueryCursor* cursor = ts_query_cursor_new();
  Baseline result;
  auto start = std::chrono::steady_clock::now();
  for (const ScannedFile& file : files) {
    auto it = std::find_if(prepared.begin(), prepared.end(),
                           [&](const Prepared& p) { return p.language == file.language; });
    if (it == prepared.end()) continue;
    std::string text = slurp(file.path);
    result.bytes += text.size();
    TSTree* tree = ts_parser_parse_string(it->parser, nullptr, text.data(),
                                          static_cast<uint32_t>(text.size()));
    ts_query_cursor_exec(cursor, it->query, ts_tree_root_node(tree));
    TSQueryMatch match;
    while (ts_query_cursor_next_match(cursor, &match)) ++result.functions;
    ts_tree_delete(tree);
  }
  result.seconds = seconds_since(start);
  ts_query_cursor_delete(cursor);
  for (Prepared& p : prepared) {
    ts_query_delete(p.query);
    ts_parser_delete(p.parser);
  }
  return result;
}

struct Measured {
  double seconds = 0;
  RunReport report;
};

struct Variant {
  uint32_t jobs = 1;
  ValidateMode validate = ValidateMode::kNormal;
  bool script_cache = true;
};

Measured pipeline_run(const fs::path& corpus, const fs::path& out, const fs::path& cache_dir,
                      Variant variant, uint64_t max_file_bytes) {
  RunOptions options;
  options.config.max_file_bytes = max_file_bytes;
  options.paths = {corpus};
  options.output_dir = out;
  options.config.jobs = variant.jobs;
  options.config.validate = variant.validate;
  options.config.cache_dir = cache_dir;
  options.use_cache = variant.script_cache;
  ScriptCache cache(cache_dir);
  auto start = std::chrono::steady_clock::now();
  Measured m;
  m.report = run_pipeline(options, &cache);
  m.seconds = seconds_since(start);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path corpus;
  fs::path json_file;
  int repeat = 1;
  BaselineQueries queries;
  uint64_t max_file_bytes = Config{}.max_file_bytes;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--corpus" && i + 1 < argc)
      corpus = argv[++i];
    else if (arg == "--json" && i + 1 < argc)
      json_file = argv[++i];
    else if (arg == "--repeat" && i + 1 < argc)
      repeat = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--max-file-bytes" && i + 1 < argc)
      max_file_bytes = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--query" && i + 1 < argc && std::strchr(argv[i + 1], '=')) {
      std::string spec = argv[++i];
      size_t equals = spec.find('=');
      queries.emplace_back(spec.substr(0, equals), spec.substr(equals + 1));
    } else {
      std::fprintf(stderr,
                   "usage: bench_pipeline --corpus DIR [--json FILE] [--repeat N] "
                   "[--query LANGUAGE=QUERY]... [--max-file-bytes N]\n");
      return 2;
    }
  }
  if (corpus.empty() || !fs::is_directory(corpus)) {
    std::fprintf(stderr, "bench_pipeline: --corpus DIR is required\n");
    return 2;
  }
  if (queries.empty()) queries.emplace_back("python", "(function_definition) @function");
  ScanOptions scan_options;
  scan_options.max_file_bytes = max_file_bytes;
  ScanResult scan = scan_paths({corpus}, LanguageRegistry::instance(), scan_options);
  fs::path work = fs::temp_directory_path() / ("telinject-bench-" + std::to_string(::getpid()));
  fs::remove_all(work);

  // Best of `repeat` for each figure. Every run writes into directories of its own, and all are
  // deleted only at the end: ext4 allocates inodes slowly right after many were deleted
  // (recently deleted inodes are skipped one by one), which would charge one run for the
  // clean-up of the one before.
  Baseline base;
  Measured cold1, warm1, cold2, unvalidated1, uncached1;
  auto keep_best = [](Measured& best, Measured m, int r) {
    if (r == 0 || m.seconds < best.seconds) best = std::move(m);
  };
  fs::create_directories(work);
  for (int r = 0; r < repeat; ++r) {
    Baseline b = bare_parse_and_query(scan.files, queries);
    if (r == 0 || b.seconds < base.seconds) base = b;
    fs::path run = work / std::to_string(r);
    keep_best(cold1, pipeline_run(corpus, run / "out1", run / "cache1", {}, max_file_bytes), r);
    keep_best(warm1, pipeline_run(corpus, run / "out1", run / "cache1", {}, max_file_bytes), r);
    keep_best(cold2,
              pipeline_run(corpus, run / "out2", run / "cache2", {.jobs = 2}, max_file_bytes), r);
    keep_best(unvalidated1,
              pipeline_run(corpus, run / "out3", run / "cache3", {.validate = ValidateMode::kOff},
                           max_file_bytes),
              r);
    keep_best(
        uncached1,
        pipeline_run(corpus, run / "out4", run / "cache4", {.script_cache = false}, max_file_bytes),
        r);
  }
  fs::remove_all(work);

  uint64_t functions = cold1.report.functions_found;
  nlohmann::json out = {
      {"corpus", corpus.string()},
      {"files", scan.files.size()},
      {"bytes", base.bytes},
      {"functions_query", base.functions},
      {"functions_found", functions},
      {"functions_instrumented", cold1.report.functions_instrumented},
      {"errors", cold1.report.errors.size()},
      {"baseline_parse_query_s", base.seconds},
      {"cold_1_thread_s", cold1.seconds},
      {"warm_1_thread_s", warm1.seconds},
      {"cold_2_threads_s", cold2.seconds},
      {"cold_1_thread_no_validation_s", unvalidated1.seconds},
      {"cold_1_thread_no_script_cache_s", uncached1.seconds},
      {"cold_over_baseline", cold1.seconds / base.seconds},
      {"warm_over_cold", warm1.seconds / cold1.seconds},
      {"cold_functions_per_s", functions / cold1.seconds},
      {"warm_functions_per_s", functions / warm1.seconds},
      {"cold_ms_per_function", 1000.0 * cold1.seconds / std::max<uint64_t>(1, functions)},
      {"warm_ms_per_function", 1000.0 * warm1.seconds / std::max<uint64_t>(1, functions)},
      {"warm_files_changed", warm1.report.files_changed},
  };
  std::printf("corpus %s: %zu files, %.1f MB, %llu functions (%llu by the bare query)\n",
              corpus.c_str(), scan.files.size(), base.bytes / 1e6,
              static_cast<unsigned long long>(functions),
              static_cast<unsigned long long>(base.functions));
  std::printf("bare parse + query, 1 thread   %7.3f s   1.00x\n", base.seconds);
  std::printf("cold run, 1 thread             %7.3f s   %.2fx baseline   %8.0f functions/s\n",
              cold1.seconds, cold1.seconds / base.seconds, functions / cold1.seconds);
  std::printf("warm run, 1 thread             %7.3f s   %.1f%% of cold   %8.0f functions/s\n",
              warm1.seconds, 100.0 * warm1.seconds / cold1.seconds, functions / warm1.seconds);
  std::printf("cold run, 2 threads            %7.3f s   %.2fx baseline\n", cold2.seconds,
              cold2.seconds / base.seconds);
  std::printf("  where cold time goes: without validation %.2fx, without the script cache %.2fx\n",
              unvalidated1.seconds / base.seconds, uncached1.seconds / base.seconds);
  if (!json_file.empty()) std::ofstream(json_file) << out.dump(2) << "\n";
  // Per-file errors (the test suite's deliberately broken files) are figures, not failures.
  return 0;
}
