#include "scanner.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>

#include "gitignore.h"
#include "glob.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;

// Why a directory is never walked, or nothing.
std::optional<std::string> skipped_directory(const fs::path& directory) {
  std::string name = directory.filename().string();
  std::error_code ec;
  if (name == ".git" || name == ".hg" || name == ".svn") return "version control";
  if (name == "node_modules") return "node_modules";
  if (name == "vendor") return "vendor";
  if (name == "__pycache__" || name == ".tox" || name == ".mypy_cache" || name == ".pytest_cache" ||
      name == ".ruff_cache" || name == ".nox")
    return "cache";
  if (name == ".telemetry_cache") return "telinject cache";
  if (fs::exists(directory / "pyvenv.cfg", ec)) return "virtual environment";
  if ((name == ".venv" || name == "venv" || name == "env") &&
      (fs::exists(directory / "bin" / "activate", ec) || fs::exists(directory / "Scripts" / "activate", ec)))
    return "virtual environment";
  if (name == "build" || name == "dist" || name == "target" || name == "out" ||
      (name.size() > 9 && name.substr(name.size() - 9) == ".egg-info") ||
      fs::exists(directory / "CMakeCache.txt", ec))
    return "build output";
  return std::nullopt;
}

const LanguageSupport* language_of(const fs::path& path, const LanguageRegistry& languages) {
  if (const LanguageSupport* by_extension = languages.by_extension(path)) return by_extension;
  if (path.has_extension()) return nullptr;
  std::ifstream in(path, std::ios::binary);
  char line[256] = {};
  in.read(line, sizeof line - 1);
  std::string_view first(line, static_cast<size_t>(in.gcount()));
  first = first.substr(0, first.find('\n'));
  return languages.by_shebang(first);
}

// The enclosing git work tree's root, when `directory` lies inside one.
std::optional<fs::path> git_root(fs::path directory) {
  std::error_code ec;
  for (; !directory.empty(); directory = directory.parent_path()) {
    if (fs::exists(directory / ".git", ec)) return directory;
    if (directory == directory.root_path()) break;
  }
  return std::nullopt;
}

struct Walk {
  const LanguageRegistry& languages;
  const ScanOptions& options;
  ScanResult& result;
  GitignoreRules rules;
  fs::path root;
  std::set<fs::path> seen;

  std::string relative(const fs::path& path) const {
    return path.lexically_relative(root).generic_string();
  }

  bool excluded(const std::string& rel) const {
    return std::any_of(options.exclude.begin(), options.exclude.end(),
                       [&](const std::string& g) { return glob_match(g, rel); });
  }

  void take(const fs::path& path, const LanguageSupport* language) {
    if (!seen.insert(path).second) return;
    std::error_code ec;
    uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > options.max_file_bytes) {
      result.skipped.push_back({path, "over size limit (" + std::to_string(size) + " bytes)"});
      return;
    }
    result.files.push_back({path, root, path.lexically_relative(root), language});
  }

  void directory(const fs::path& dir) {
    size_t pushed = options.use_gitignore ? rules.push_file(dir / ".gitignore", dir) : 0;
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      entries.push_back(*it);
    if (ec) result.errors.push_back(dir.string() + ": " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path() < b.path(); });
    for (const auto& entry : entries) {
      const fs::path& path = entry.path();
      std::string rel = relative(path);
      std::error_code status_ec;
      bool is_link = entry.is_symlink(status_ec);
      bool is_dir = !is_link && entry.is_directory(status_ec);
      if (is_dir) {
        if (auto reason = skipped_directory(path)) {
          result.skipped.push_back({path, *reason});
        } else if (options.use_gitignore && rules.ignored(path.generic_string(), true)) {
          result.skipped.push_back({path, "ignored by .gitignore"});
        } else if (excluded(rel)) {
          result.skipped.push_back({path, "excluded by config"});
        } else {
          directory(path);
        }
        continue;
      }
      if (!is_link && !entry.is_regular_file(status_ec)) continue;
      const LanguageSupport* language = language_of(path, languages);
      if (!language) continue;
      if (is_link) {
        result.skipped.push_back({path, "symbolic link"});
      } else if (options.use_gitignore && rules.ignored(path.generic_string(), false)) {
        result.skipped.push_back({path, "ignored by .gitignore"});
      } else if (excluded(rel)) {
        result.skipped.push_back({path, "excluded by config"});
      } else if (!options.include.empty() &&
                 std::none_of(options.include.begin(), options.include.end(),
                              [&](const std::string& g) { return glob_match(g, rel); })) {
        result.skipped.push_back({path, "not included by config"});
      } else {
        take(path, language);
      }
    }
    rules.pop(pushed);
  }
};

}  // namespace

ScanResult scan_paths(const std::vector<fs::path>& paths, const LanguageRegistry& languages,
                      const ScanOptions& options) {
  ScanResult result;
  std::set<fs::path> seen;
  for (const fs::path& given : paths) {
    std::error_code ec;
    fs::path absolute = fs::absolute(given, ec).lexically_normal();
    if (!absolute.empty() && absolute.filename().empty()) absolute = absolute.parent_path();
    if (!fs::exists(absolute, ec)) {
      result.errors.push_back(given.string() + ": no such file or directory");
      continue;
    }
    Walk walk{languages, options, result, {}, {}, std::move(seen)};
    if (fs::is_directory(absolute, ec)) {
      walk.root = absolute;
      if (options.use_gitignore) {
        // Rules of the enclosing repository, from its root down to (not including) `absolute`.
        if (auto repo = git_root(absolute)) {
          walk.rules.push_file(*repo / ".git" / "info" / "exclude", *repo);
          fs::path dir = *repo;
          if (dir != absolute) walk.rules.push_file(dir / ".gitignore", dir);
          for (const auto& part : absolute.lexically_relative(*repo)) {
            if (part == ".") break;
            dir /= part;
            if (dir != absolute) walk.rules.push_file(dir / ".gitignore", dir);
          }
        }
      }
      walk.directory(absolute);
    } else {
      walk.root = absolute.parent_path();
      const LanguageSupport* language = language_of(absolute, languages);
      if (language) walk.take(absolute, language);
      else result.errors.push_back(given.string() + ": not a file of a supported language");
    }
    seen = std::move(walk.seen);
  }
  std::sort(result.files.begin(), result.files.end(),
            [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
  return result;
}

std::optional<std::string> text_problem(std::string_view bytes) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t size = bytes.size();
  size_t i = 0;
  while (i < size) {
    // Fast path: eight ASCII bytes with no NUL.
    if (i + 8 <= size) {
      uint64_t chunk;
      std::memcpy(&chunk, data + i, 8);
      bool ascii = (chunk & 0x8080808080808080ULL) == 0;
      bool has_zero = ((chunk - 0x0101010101010101ULL) & ~chunk & 0x8080808080808080ULL) != 0;
      if (ascii && !has_zero) {
        i += 8;
        continue;
      }
    }
    unsigned char c = data[i];
    if (c == 0) return "binary file (NUL byte at offset " + std::to_string(i) + ")";
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t code;
    if ((c & 0xE0) == 0xC0) length = 2, code = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) length = 3, code = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) length = 4, code = c & 0x07;
    else return "invalid UTF-8 at byte " + std::to_string(i);
    if (i + length > size) return "invalid UTF-8 at byte " + std::to_string(i);
    for (size_t k = 1; k < length; ++k) {
      if ((data[i + k] & 0xC0) != 0x80) return "invalid UTF-8 at byte " + std::to_string(i);
      code = (code << 6) | (data[i + k] & 0x3F);
    }
    bool overlong = (length == 2 && code < 0x80) || (length == 3 && code < 0x800) ||
                    (length == 4 && code < 0x10000);
    if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return "invalid UTF-8 at byte " + std::to_string(i);
    i += length;
  }
  return std::nullopt;
}

}  // namespace telinject
