// Scanner: walks the paths a run is given and decides, for every file, whether it is source that
// telinject handles (and in which language) or why it is skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "language.h"

namespace telinject {
struct LlmLanguage;  // llm_language.h

struct ScanOptions {
  /// Globs relative to the scanned root ("src/**/*.py"); when not empty a file must match one
  /// (the file or one of its directories: "src" includes everything below src). A pattern that
  /// names a folder or file (path_glob_names: "src/build", "**/generated/*.py") also brings it
  /// back when a default rule or .gitignore would skip it; `exclude` still wins over it.
  std::vector<std::string> include;
  /// Globs relative to the scanned root; a matching file or directory is skipped.
  std::vector<std::string> exclude;
  /// Files larger than this are skipped ("over size limit").
  uint64_t max_file_bytes = 2 * 1024 * 1024;
  /// Take files over max_file_bytes all the same, with ScannedFile::over_size_limit set: the
  /// limit guards instrumenting, while remove must clean files of any size and check must
  /// report what it could not check.
  bool take_oversized = false;
  /// Honour .gitignore files (each directory's, plus .git/info/exclude) below the root.
  bool use_gitignore = true;
};

struct ScannedFile {
  std::filesystem::path path;      // as found: root / relative
  std::filesystem::path root;      // the directory the run was given (a file's parent for files)
  std::filesystem::path relative;  // below root
  const LanguageSupport* language = nullptr;
  /// Set instead of `language` for a language without a grammar, handled through the LLM.
  const LlmLanguage* llm_language = nullptr;
  /// Larger than ScanOptions::max_file_bytes (taken only with take_oversized).
  bool over_size_limit = false;
  uint64_t size = 0;  // bytes, when the scan looked
  /// The language's name, whichever kind it is.
  std::string language_name() const;
};

struct SkippedFile {
  std::filesystem::path path;
  std::string reason;  // "ignored by .gitignore", "virtual environment", "binary", ...
};

struct ScanResult {
  std::vector<ScannedFile> files;    // sorted by path, no duplicates
  std::vector<SkippedFile> skipped;  // files telinject could have handled but will not
  std::vector<std::string> errors;   // paths that do not exist or cannot be read
};

/// Walks `paths` (files or directories). Directories skipped whole are reported once in
/// `skipped` with their reason: by default only version control (.git, .hg, .svn, .bzr, _darcs,
/// .jj, .pijul), virtual environments (pyvenv.cfg, conda-meta, or an activate script in .venv,
/// venv or env), node_modules, Go's vendor folder (holding modules.txt), tool caches
/// (__pycache__, .tox, .nox, .mypy_cache, .pytest_cache, .ruff_cache, .telemetry_cache), and
/// what .gitignore or `exclude` names; an `include` pattern naming one brings it back. Files of
/// unknown language are not reported. Files of a language
/// that only the LLM handles (llm_language_for) are taken with `llm_language` set. A path given
/// explicitly as a file is taken even when ignore rules would skip it.
ScanResult scan_paths(const std::vector<std::filesystem::path>& paths,
                      const LanguageRegistry& languages, const ScanOptions& options);

/// Receives each file a scan takes.
using ScannedFileSink = std::function<void(ScannedFile&&)>;

/// scan_paths handing each file it takes to `sink` (on the calling thread) instead of listing
/// it, in the same order: sorted by path, no duplicates. When no argument holds or repeats
/// another, the arguments are walked in path order and each file goes to `sink` as the walk
/// finds it, so that a run can start on the first file and no list of files is kept; otherwise
/// the files are collected and sorted first. The result's `files` is empty; `skipped` and
/// `errors` are as scan_paths gives them.
ScanResult scan_paths(const std::vector<std::filesystem::path>& paths,
                      const LanguageRegistry& languages, const ScanOptions& options,
                      const ScannedFileSink& sink);

/// Why `bytes` cannot be treated as source text ("binary file (NUL byte at offset N)", "invalid
/// UTF-8 at byte N"), or nothing when it can. Called by the pipeline on the bytes it reads anyway.
std::optional<std::string> text_problem(std::string_view bytes);

}  // namespace telinject
