#include "scanner.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>

#include "gitignore.h"
#include "glob.h"
#include "llm_language.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIgnoredByGit = "ignored by .gitignore";
constexpr std::string_view kExcluded = "excluded by config";
constexpr std::string_view kNotIncluded = "not included by config";
constexpr std::string_view kSymlink = "symbolic link";

bool has_entry(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// Why a directory is not walked, judging by its name alone. Only names no source folder takes:
// version control, node_modules, and caches of tools. Build output (build, dist, out, target)
// and vendor folders are ordinary names (pip has a package called `build`): they are skipped
// only where .gitignore or the config says so.
std::optional<std::string_view> reason_by_name(std::string_view name) {
  if (name == ".git" || name == ".hg" || name == ".svn" || name == ".bzr" || name == "_darcs" ||
      name == ".jj" || name == ".pijul")
    return "version control";
  if (name == "node_modules") return "node_modules";
  if (name == "__pycache__" || name == ".tox" || name == ".nox" || name == ".mypy_cache" ||
      name == ".pytest_cache" || name == ".ruff_cache")
    return "cache";
  if (name == ".telemetry_cache") return "telinject cache";
  return std::nullopt;
}

// Why a directory is not walked, judging by what it holds (a few stats, no listing, so that
// an ignored directory with many entries costs nothing).
std::optional<std::string_view> reason_by_content(const fs::path& directory,
                                                  std::string_view name) {
  if (has_entry(directory / "pyvenv.cfg") || has_entry(directory / "conda-meta"))
    return "virtual environment";
  if ((name == ".venv" || name == "venv" || name == "env") &&
      (has_entry(directory / "bin" / "activate") || has_entry(directory / "Scripts" / "activate")))
    return "virtual environment";
  // `go mod vendor` records what it copied in vendor/modules.txt: third-party code that an
  // instrumented copy would break (it would import a helper the module does not vendor).
  if (name == "vendor" && has_entry(directory / "modules.txt")) return "Go vendor directory";
  return std::nullopt;
}

// By extension; a file without one by its "#!" line (only the first 256 bytes are read).
const LanguageSupport* language_of(const fs::path& path, const LanguageRegistry& languages) {
  if (path.has_extension()) return languages.by_extension(path);
  std::ifstream in(path, std::ios::binary);
  char buffer[256];
  in.read(buffer, sizeof buffer);
  std::string_view line(buffer, static_cast<size_t>(in.gcount()));
  line = line.substr(0, line.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return languages.by_shebang(line);
}

// include/exclude from the options, parsed once. "./src" and "src" mean the same.
struct ConfigGlobs {
  std::vector<PathGlob> include;
  std::vector<PathGlob> exclude;

  static std::vector<PathGlob> parse(const std::vector<std::string>& patterns) {
    std::vector<PathGlob> globs;
    for (std::string_view text : patterns) {
      while (text.starts_with("./")) text.remove_prefix(2);
      if (auto glob = parse_path_glob(text)) globs.push_back(std::move(*glob));
    }
    return globs;
  }

  static bool any(const std::vector<PathGlob>& globs, std::string_view relative,
                  bool is_directory) {
    return std::any_of(globs.begin(), globs.end(), [&](const PathGlob& glob) {
      return path_glob_match(glob, relative, is_directory);
    });
  }

  bool excluded(std::string_view relative, bool is_directory) const {
    return any(exclude, relative, is_directory);
  }

  // Whether an include pattern points at this very path (path_glob_names), which brings it back
  // when a default rule or .gitignore would skip it.
  bool named(std::string_view relative, bool is_directory) const {
    return std::any_of(include.begin(), include.end(), [&](const PathGlob& glob) {
      return path_glob_names(glob, relative, is_directory);
    });
  }

  // A file is included when the file or one of its directories matches ("src" includes
  // everything below src).
  bool included(std::string_view relative) const {
    if (include.empty() || any(include, relative, false)) return true;
    for (size_t slash = relative.find('/'); slash != std::string_view::npos;
         slash = relative.find('/', slash + 1)) {
      if (any(include, relative.substr(0, slash), true)) return true;
    }
    return false;
  }
};

// State shared by every argument of one scan_paths call.
struct Scan {
  const LanguageRegistry& languages;
  const ScanOptions& options;
  ConfigGlobs globs;
  ScanResult result;
  std::set<fs::path> taken;     // paths in result.files
  std::set<fs::path> reported;  // paths in result.skipped
  // Set when the arguments are disjoint: files go straight to it, in walk order (path order).
  const ScannedFileSink* stream = nullptr;

  void skip(const fs::path& path, std::string reason) {
    if (reported.insert(path).second) result.skipped.push_back({path, std::move(reason)});
  }

  void take(const fs::path& path, const fs::path& root, std::string_view relative,
            const LanguageSupport* language, const LlmLanguage* llm_language = nullptr) {
    if (taken.contains(path)) return;
    std::error_code ec;
    uintmax_t size = fs::file_size(path, ec);
    if (ec) {
      result.errors.push_back(path.string() + ": " + ec.message());
    } else if (size > options.max_file_bytes && !options.take_oversized) {
      skip(path, "over size limit (" + std::to_string(size) + " bytes)");
    } else if (stream) {
      (*stream)({path, root, fs::path(relative), language, llm_language,
                 size > options.max_file_bytes, size});
    } else {
      taken.insert(path);
      result.files.push_back({path, root, fs::path(relative), language, llm_language,
                              size > options.max_file_bytes, size});
    }
  }
};

// The recursive walk below one directory argument.
class DirectoryWalk {
 public:
  DirectoryWalk(Scan& scan, fs::path root) : scan_(scan), root_(std::move(root)) {}

  void run() {
    if (scan_.options.use_gitignore) push_enclosing_rules();
    walk(root_, "");
  }

 private:
  // Rules from the enclosing repository: its info/exclude and the .gitignore of every directory
  // from the repository root down to the root's parent (the root's own comes with the walk).
  void push_enclosing_rules() {
    std::optional<fs::path> repository = enclosing_work_tree(root_);
    if (!repository) return;
    rules_.push_repository_excludes(*repository);
    fs::path directory = *repository;
    for (const fs::path& part : root_.lexically_relative(*repository)) {
      if (part == ".") break;
      rules_.push_file(directory / ".gitignore", directory);
      directory /= part;
    }
  }

  void walk(const fs::path& directory, const std::string& relative) {
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec))
      entries.push_back(*it);
    if (ec) scan_.result.errors.push_back(directory.string() + ": " + ec.message());
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.path().filename() < b.path().filename();
    });

    // A repository nested below the root (submodule, vendored checkout) has its own rules:
    // git does not apply the outer ones inside it.
    std::optional<GitignoreRules> outer_rules;
    size_t pushed = 0;
    if (scan_.options.use_gitignore) {
      auto has = [&](std::string_view name) {
        return std::any_of(entries.begin(), entries.end(),
                           [&](const auto& e) { return e.path().filename() == name; });
      };
      if (directory != root_ && has(".git")) {
        outer_rules = std::exchange(rules_, GitignoreRules());
        rules_.push_repository_excludes(directory);
      }
      if (has(".gitignore")) pushed = rules_.push_file(directory / ".gitignore", directory);
    }

    for (const fs::directory_entry& entry : entries) {
      std::string name = entry.path().filename().string();
      visit(entry, relative.empty() ? name : relative + "/" + name);
    }

    if (outer_rules)
      rules_ = std::move(*outer_rules);
    else
      rules_.pop(pushed);
  }

  void visit(const fs::directory_entry& entry, const std::string& relative) {
    std::error_code ec;
    const fs::path& path = entry.path();
    if (entry.is_symlink(ec)) {
      // Never followed: a link may leave the tree or loop. Only report what could be source.
      if (entry.is_directory(ec) || scan_.languages.by_extension(path) ||
          (entry.is_regular_file(ec) && language_of(path, scan_.languages)))
        scan_.skip(path, std::string(kSymlink));
    } else if (entry.is_directory(ec)) {
      visit_directory(path, relative);
    } else if (entry.is_regular_file(ec)) {
      visit_file(path, relative);
    }
    // Sockets, fifos and devices are never source (and opening a fifo would block).
  }

  void visit_directory(const fs::path& path, const std::string& relative) {
    std::string name = path.filename().string();
    std::optional<std::string_view> reason = reason_by_name(name);
    if (!reason) reason = reason_by_content(path, name);
    if (!reason && ignored_by_git(path, true)) reason = kIgnoredByGit;
    if (reason && scan_.globs.named(relative, true)) reason.reset();  // include wins
    if (!reason && scan_.globs.excluded(relative, true)) reason = kExcluded;
    if (reason)
      scan_.skip(path, std::string(*reason));
    else
      walk(path, relative);
  }

  void visit_file(const fs::path& path, const std::string& relative) {
    const LanguageSupport* language = language_of(path, scan_.languages);
    const LlmLanguage* llm_language = language ? nullptr : llm_language_for(path);
    if (!language && !llm_language) return;
    if (ignored_by_git(path, false) && !scan_.globs.named(relative, false))
      scan_.skip(path, std::string(kIgnoredByGit));
    else if (scan_.globs.excluded(relative, false))
      scan_.skip(path, std::string(kExcluded));
    else if (!scan_.globs.included(relative))
      scan_.skip(path, std::string(kNotIncluded));
    else
      scan_.take(path, root_, relative, language, llm_language);
  }

  bool ignored_by_git(const fs::path& path, bool is_directory) const {
    return scan_.options.use_gitignore && !rules_.empty() &&
           rules_.ignored(path.generic_string(), is_directory);
  }

  Scan& scan_;
  fs::path root_;
  GitignoreRules rules_;
};

// "dir/", "./dir/.." and relative arguments become one absolute spelling, so that overlapping
// arguments find the same files.
fs::path normalized_absolute(const fs::path& given) {
  std::error_code ec;
  fs::path absolute = fs::absolute(given, ec).lexically_normal();
  if (absolute.has_relative_path() && !absolute.has_filename()) absolute = absolute.parent_path();
  return absolute;
}

// Whether no argument is another or lies below another: then every file has one argument, and
// walking the arguments in path order finds the files in path order.
bool disjoint(std::vector<fs::path> arguments) {
  std::sort(arguments.begin(), arguments.end());
  // The paths below an argument sort right after it, so a nested one is next to its parent.
  for (size_t i = 1; i < arguments.size(); ++i) {
    const fs::path& outer = arguments[i - 1];
    const fs::path& inner = arguments[i];
    if (std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end()).first == outer.end())
      return false;
  }
  return true;
}

void scan_argument(Scan& scan, const fs::path& given, const fs::path& path) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    bool missing = !ec || ec == std::errc::no_such_file_or_directory;
    scan.result.errors.push_back(given.string() + ": " +
                                 (missing ? "no such file or directory" : ec.message()));
  } else if (fs::is_directory(status)) {
    DirectoryWalk(scan, path).run();
  } else if (!fs::is_regular_file(status)) {
    scan.result.errors.push_back(given.string() + ": not a regular file or directory");
  } else if (const LanguageSupport* language = language_of(path, scan.languages)) {
    // Named explicitly: taken whatever the ignore rules say.
    scan.take(path, path.parent_path(), path.filename().string(), language);
  } else if (const LlmLanguage* llm_language = llm_language_for(path)) {
    scan.take(path, path.parent_path(), path.filename().string(), nullptr, llm_language);
  } else {
    scan.skip(path, "not a supported language");
  }
}

}  // namespace

ScanResult scan_paths(const std::vector<fs::path>& paths, const LanguageRegistry& languages,
                      const ScanOptions& options, const ScannedFileSink& sink) {
  Scan scan{languages, options, {}, {}, {}, {}, nullptr};
  scan.globs.include = ConfigGlobs::parse(options.include);
  scan.globs.exclude = ConfigGlobs::parse(options.exclude);
  std::vector<fs::path> normalized;
  for (const fs::path& given : paths) normalized.push_back(normalized_absolute(given));
  std::vector<size_t> order(paths.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (disjoint(normalized)) {
    scan.stream = &sink;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return normalized[a] < normalized[b]; });
  }
  // Errors are reported in the order of the arguments, whatever order they are walked in.
  std::vector<std::vector<std::string>> errors(paths.size());
  for (size_t i : order) {
    scan_argument(scan, paths[i], normalized[i]);
    errors[i] = std::exchange(scan.result.errors, {});
  }
  for (auto& some : errors)
    for (std::string& error : some) scan.result.errors.push_back(std::move(error));

  ScanResult& result = scan.result;
  // A file skipped under one argument may be taken under another (`telinject . ignored.py`).
  std::erase_if(result.skipped, [&](const SkippedFile& s) { return scan.taken.contains(s.path); });
  std::sort(result.files.begin(), result.files.end(),
            [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
  std::sort(result.skipped.begin(), result.skipped.end(),
            [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; });
  for (ScannedFile& file : result.files) sink(std::move(file));
  result.files.clear();
  return std::move(scan.result);
}

ScanResult scan_paths(const std::vector<fs::path>& paths, const LanguageRegistry& languages,
                      const ScanOptions& options) {
  std::vector<ScannedFile> files;
  ScanResult result = scan_paths(paths, languages, options,
                                 [&](ScannedFile&& file) { files.push_back(std::move(file)); });
  result.files = std::move(files);
  return result;
}

std::optional<std::string> text_problem(std::string_view bytes) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t size = bytes.size();
  auto invalid = [](size_t at) { return "invalid UTF-8 at byte " + std::to_string(at); };
  size_t i = 0;
  while (i < size) {
    // Fast path, eight bytes at a time: (b - 1) | b has its top bit set exactly when b is NUL
    // or not ASCII (no borrow crosses bytes while every byte is in 1..0x7F).
    while (i + 8 <= size) {
      uint64_t chunk;
      std::memcpy(&chunk, data + i, 8);
      if (((chunk - 0x0101010101010101ULL) | chunk) & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= size) break;
    unsigned char c = data[i];
    if (c == 0) return "binary file (NUL byte at offset " + std::to_string(i) + ")";
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Lead bytes: C2..DF two bytes, E0..EF three, F0..F4 four. C0, C1 (always overlong) and
    // F5..FF (beyond U+10FFFF) never start a character; the second byte's range rules out
    // the remaining overlongs, surrogates (ED A0..BF) and code points past U+10FFFF.
    size_t length;
    unsigned char second_low = 0x80, second_high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) second_low = 0xA0;
      if (c == 0xED) second_high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) second_low = 0x90;
      if (c == 0xF4) second_high = 0x8F;
    } else {
      return invalid(i);
    }
    if (i + length > size) return invalid(i);
    if (data[i + 1] < second_low || data[i + 1] > second_high) return invalid(i);
    for (size_t k = 2; k < length; ++k)
      if ((data[i + k] & 0xC0) != 0x80) return invalid(i);
    i += length;
  }
  return std::nullopt;
}

std::string ScannedFile::language_name() const {
  return language ? std::string(language->name()) : llm_language ? llm_language->name : "";
}

}  // namespace telinject
