#include "cache_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "atomic_file.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEntryFolders[] = {"scripts", "tests", "files", "metadata"};

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_word(std::string_view text) {  // cache_safe_name's alphabet
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// "<name>_<hash8>.json" with a name of 1 to 64 characters.
bool is_script_file_name(std::string_view name) {
  if (!name.ends_with(".json")) return false;
  name.remove_suffix(5);
  if (name.size() < 10 || name.size() > 64 + 9 || name[name.size() - 9] != '_') return false;
  return is_hex(name.substr(name.size() - 8)) && is_word(name.substr(0, name.size() - 9));
}

std::string read_prefix(const fs::path& path, size_t size) {
  std::string out(size, '\0');
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "\x01";  // unreadable: never taken for an entry
  ssize_t n = ::read(fd, out.data(), size);
  ::close(fd);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

bool written_index(const fs::path& path) {
  auto text = read_file(path);
  if (!text.ok() || text->size() > 65536) return false;
  auto index = nlohmann::json::parse(*text, nullptr, false);
  return index.is_object() && index.contains("version") && index.contains("hits") &&
         index.contains("misses") && index.contains("updated");
}

}  // namespace

bool is_cache_language_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+';
  });
}

bool is_telinject_store(const fs::path& path) {
  constexpr std::string_view kMagic("SQLite format 3\0", 16);
  std::string header = read_prefix(path, 72);
  if (header.size() < 72 || !std::string_view(header).starts_with(kMagic)) return false;
  auto byte = [&](int at) { return static_cast<uint32_t>(static_cast<unsigned char>(header[at])); };
  uint32_t mark = (byte(68) << 24) | (byte(69) << 16) | (byte(70) << 8) | byte(71);
  return mark == static_cast<uint32_t>(kCacheApplicationId);
}

Result<void> check_cache_directory(const fs::path& root) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(root, ec);
  if (!fs::exists(status)) return {};
  if (fs::is_directory(status)) {
    if (fs::is_empty(root, ec) && !ec) return {};
    if (read_prefix(root / ".gitignore", kCacheGitignore.size() + 1) == kCacheGitignore) return {};
    if (is_telinject_store(root / "cache.sqlite3")) return {};
    if (written_index(root / "metadata" / "cache_index.json")) return {};
  }
  return make_error(root.string() +
                    " is not a telinject cache (it has neither the .gitignore telinject writes "
                    "nor telinject's cache.sqlite3); nothing was deleted");
}

bool is_cache_entry_name(const fs::path& relative) {
  std::vector<std::string> parts;
  for (const fs::path& part : relative) parts.push_back(part.string());
  if (parts.size() == 2 && parts[0] == "metadata")
    return parts[1] == "cache_index.json" || parts[1] == "lock";
  if (parts.size() != 3) return false;
  const std::string& folder = parts[0];
  const std::string& name = parts[2];
  if (folder == "files") {
    std::string_view stem = name;
    return stem.ends_with(".json") && stem.size() == 64 + 5 && is_hex(stem.substr(0, 64)) &&
           parts[1].size() == 2 && stem.starts_with(parts[1]);
  }
  if (!is_cache_language_name(parts[1])) return false;
  if (folder == "scripts") return is_script_file_name(name);
  if (folder == "tests") return name.starts_with("test_") && is_script_file_name(name.substr(5));
  return false;
}

bool has_cache_entry_content(const fs::path& path, const fs::path& relative) {
  if (*relative.begin() == "metadata") return true;
  // Every entry is written with its keys sorted: "checksum" first, or "checks" (a test).
  constexpr std::string_view kStarts[] = {"{\"checksum\":\"", "{\"checks\":["};
  std::string start = read_prefix(path, 16);
  return std::any_of(std::begin(kStarts), std::end(kStarts), [&](std::string_view known) {
    return known.starts_with(start) || std::string_view(start).starts_with(known);
  });
}

Result<CacheRemoval> remove_cache_entries(const fs::path& root) {
  CacheRemoval removal;
  for (const char* folder : kEntryFolders) {
    fs::path top = root / folder;
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(top, ec))) continue;  // a link is never entered
    std::vector<fs::path> files, folders{top};
    for (auto it = fs::recursive_directory_iterator(top, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code status_error;
      fs::file_status status = it->symlink_status(status_error);
      if (fs::is_directory(status))
        folders.push_back(it->path());
      else
        files.push_back(it->path());
    }
    if (ec) return make_error(top.string() + ": " + ec.message());
    for (const fs::path& directory : folders) remove_stale_temporary_files(directory);
    for (const fs::path& file : files) {
      fs::path relative = file.lexically_relative(root);
      std::error_code removed;
      bool ours = fs::is_regular_file(fs::symlink_status(file, removed)) &&
                  is_cache_entry_name(relative) && has_cache_entry_content(file, relative);
      if (!ours) {
        removal.kept += fs::exists(fs::symlink_status(file, removed));
        continue;
      }
      if (!fs::remove(file, removed) && removed)
        return make_error(file.string() + ": " + removed.message());
      ++removal.removed;
    }
    // Deepest first; a folder that still holds something stays.
    std::sort(folders.begin(), folders.end(), std::greater<>());
    for (const fs::path& directory : folders) {
      std::error_code ignored;
      if (fs::is_empty(directory, ignored) && !ignored) fs::remove(directory, ignored);
    }
  }
  return removal;
}

}  // namespace telinject
