#include "script_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "cache_directory.h"
#include "sha256.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Holds an exclusive flock(2) on a file for its lifetime.
class FileLock {
 public:
  explicit FileLock(const fs::path& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::string iso_now() {
  std::time_t now = std::time(nullptr);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buffer;
}

// Counts files (not temporaries) and their bytes below `directory`.
void count_entries(const fs::path& directory, uint64_t* files, uint64_t* bytes) {
  std::error_code ec;
  if (!fs::exists(directory, ec)) return;
  for (auto it = fs::recursive_directory_iterator(directory, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().extension() != ".json") continue;
    ++*files;
    *bytes += it->file_size(ec);
  }
}

}  // namespace

std::string cache_safe_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out.push_back(keep ? c : '_');
    if (out.size() == 64) break;
  }
  return out.empty() ? "_" : out;
}

Result<void> create_cache_directory(const fs::path& root, const fs::path& inner) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    if (root.has_parent_path()) fs::create_directories(root.parent_path(), ec);
    // create_directory reports "made" to one caller only, so one process writes the file.
    bool made = fs::create_directory(root, ec);
    if (ec) return make_error(root.string() + ": " + ec.message());
    if (made) {
      auto written = write_file_atomically(root / ".gitignore", kCacheGitignore, std::nullopt, false);
      if (!written.ok()) return written;
    }
  }
  if (!inner.empty()) {
    fs::create_directories(root / inner, ec);
    if (ec) return make_error((root / inner).string() + ": " + ec.message());
  }
  return {};
}

ScriptCache::ScriptCache(fs::path directory, Access access)
    : directory_(std::move(directory)), access_(access) {}

Result<void> ScriptCache::make_directory(const fs::path& inner) {
  {
    std::lock_guard lock(directory_mutex_);
    if (!directory_made_) {
      auto made = create_cache_directory(directory_);
      if (!made.ok()) return made;
      directory_made_ = true;
    }
  }
  std::error_code ec;
  fs::create_directories(directory_ / inner, ec);
  if (ec) return make_error((directory_ / inner).string() + ": " + ec.message());
  return {};
}

ScriptCache::~ScriptCache() {
  (void)wait_for_writes();
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  if (writer_.joinable()) writer_.join();
}

namespace {

fs::path script_path(const fs::path& root, const std::string& language, const std::string& name,
                     const std::string& key) {
  return root / "scripts" / language / (cache_safe_name(name) + "_" + key.substr(0, 8) + ".json");
}

fs::path test_path(const fs::path& root, const std::string& language, const std::string& name,
                   const std::string& key) {
  return root / "tests" / language / ("test_" + cache_safe_name(name) + "_" + key.substr(0, 8) + ".json");
}

fs::path file_record_path(const fs::path& root, const std::string& key) {
  return root / "files" / key.substr(0, 2) / (key + ".json");
}

// Writes a new entry straight to its final name: one inode, no temporary file (creating files
// dominates a cold run). An entry that exists already is replaced atomically only when it is
// not byte-identical (damaged or from another key). A reader that races a writer sees a short
// file, which fails its checksum and counts as a miss. Not fsync'ed: a torn entry after a
// crash fails its checksum the same way and is rebuilt.
Result<void> create_entry(const fs::path& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    if (done == bytes.size()) return {};
  } else if (errno == EEXIST) {
    auto existing = read_file(path);
    if (existing.ok() && *existing == bytes) return {};
  }
  constexpr auto kMode = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                         fs::perms::others_read;
  return write_file_atomically(path, bytes, kMode, false);
}

}  // namespace

std::optional<CachedScript> ScriptCache::get(const std::string& language, const std::string& name,
                                             const std::string& key) {
  fs::path script_file = script_path(directory_, language, name, key);
  auto script_text = read_file(script_file);
  if (!script_text.ok()) {
    std::lock_guard lock(mutex_);
    ++misses_;
    return std::nullopt;
  }
  auto script = script_from_json(*script_text);
  bool damaged = !script.ok();
  if (!damaged && (script->key != key || script->language != language)) {
    // Another function sharing the name and hash prefix: a plain miss.
    std::lock_guard lock(mutex_);
    ++misses_;
    return std::nullopt;
  }
  std::optional<ScriptTest> test;
  if (!damaged) {
    auto test_text = read_file(test_path(directory_, language, name, key));
    auto parsed = test_text.ok() ? test_from_json(*test_text, key) : Result<ScriptTest>(make_error("missing"));
    if (parsed.ok()) test = std::move(*parsed);
    else damaged = true;
  }
  std::lock_guard lock(mutex_);
  if (damaged) {
    // Left in place: the next put() overwrites it whole.
    ++damaged_;
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  std::error_code ec;
  fs::last_write_time(script_file, fs::file_time_type::clock::now(), ec);  // for prune
  return CachedScript{std::move(*script), std::move(*test)};
}

Result<void> ScriptCache::put(const CachedScript& entry) {
  if (access_ == Access::kReadOnly) return {};
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(entry);
    if (!writer_.joinable()) writer_ = std::thread([this] { writer_loop(); });
  }
  queue_changed_.notify_all();
  return {};
}

Result<void> ScriptCache::wait_for_writes() {
  std::unique_lock lock(queue_mutex_);
  queue_changed_.wait(lock, [this] { return queue_.empty() && !writing_; });
  std::string error = std::move(write_error_);
  write_error_.clear();
  if (!error.empty()) return make_error(error);
  return {};
}

void ScriptCache::writer_loop() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    CachedScript entry = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    Result<void> written = write_entry(entry);
    lock.lock();
    writing_ = false;
    if (!written.ok() && write_error_.empty()) write_error_ = written.error();
    queue_changed_.notify_all();
  }
}

Result<void> ScriptCache::write_entry(const CachedScript& entry) {
  const InsertionScript& s = entry.script;
  fs::path script_file = script_path(directory_, s.language, s.function_name, s.key);
  fs::path test_file = test_path(directory_, s.language, s.function_name, s.key);
  for (const fs::path& dir : {script_file.parent_path(), test_file.parent_path()}) {
    if (created_directories_.count(dir)) continue;
    auto made = make_directory(dir.lexically_relative(directory_));
    if (!made.ok()) return made;
    created_directories_.insert(dir);
  }
  auto written = create_entry(test_file, test_to_json(entry.test, s.key));
  if (!written.ok()) return written;
  return create_entry(script_file, script_to_json(s));
}

std::optional<FileRecord> ScriptCache::get_file(const std::string& key) {
  auto text = read_file(file_record_path(directory_, key));
  if (!text.ok()) return std::nullopt;
  json body = json::parse(*text, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("checksum")) {
    std::lock_guard lock(mutex_);
    ++damaged_;
    return std::nullopt;
  }
  try {
    std::string checksum = body.at("checksum").get<std::string>();
    body.erase("checksum");
    if (sha256_hex(body.dump()) != checksum || body.at("key").get<std::string>() != key) {
      std::lock_guard lock(mutex_);
      ++damaged_;
      return std::nullopt;
    }
    return FileRecord{body.at("input_sha256").get<std::string>(),
                      body.at("output_sha256").get<std::string>(),
                      body.at("functions").get<uint32_t>(), body.at("instrumented").get<uint32_t>()};
  } catch (const json::exception&) {
    std::lock_guard lock(mutex_);
    ++damaged_;
    return std::nullopt;
  }
}

Result<void> ScriptCache::put_file(const std::string& key, const FileRecord& record) {
  if (access_ == Access::kReadOnly) return {};
  fs::path path = file_record_path(directory_, key);
  auto made = make_directory(path.parent_path().lexically_relative(directory_));
  if (!made.ok()) return made;
  json body = {{"key", key},
               {"input_sha256", record.input_sha256},
               {"output_sha256", record.output_sha256},
               {"functions", record.functions},
               {"instrumented", record.instrumented}};
  body["checksum"] = sha256_hex(body.dump());
  return write_file_atomically(path, body.dump(), std::nullopt, false);
}

Result<void> ScriptCache::flush_index() {
  auto writes = wait_for_writes();
  if (!writes.ok()) return writes;
  uint64_t hits, misses, damaged;
  {
    std::lock_guard lock(mutex_);
    hits = hits_, misses = misses_, damaged = damaged_;
    hits_ = misses_ = damaged_ = 0;
  }
  if (access_ == Access::kReadOnly) return {};
  std::error_code ec;
  // A run that neither read nor wrote anything (no file to process) makes no cache.
  if (hits + misses + damaged == 0 && !fs::exists(directory_, ec)) return {};
  fs::path metadata = directory_ / "metadata";
  auto made = make_directory("metadata");
  if (!made.ok()) return made;
  FileLock lock(metadata / "lock");
  if (!lock.held()) return make_error((metadata / "lock").string() + ": cannot lock");
  fs::path index_path = metadata / "cache_index.json";
  json index = json::object();
  if (auto text = read_file(index_path); text.ok()) {
    index = json::parse(*text, nullptr, false);
    if (index.is_discarded() || !index.is_object()) index = json::object();
  }
  auto counter = [&](const char* name) {
    return index.contains(name) && index[name].is_number_unsigned() ? index[name].get<uint64_t>() : 0;
  };
  CacheStats totals;
  count_entries(directory_ / "scripts", &totals.scripts, &totals.bytes);
  count_entries(directory_ / "tests", &totals.tests, &totals.bytes);
  count_entries(directory_ / "files", &totals.files, &totals.bytes);
  json updated = {{"version", 1},
                  {"hits", counter("hits") + hits},
                  {"misses", counter("misses") + misses},
                  {"damaged", counter("damaged") + damaged},
                  {"scripts", totals.scripts},
                  {"tests", totals.tests},
                  {"files", totals.files},
                  {"bytes", totals.bytes},
                  {"updated", iso_now()}};
  return write_file_atomically(index_path, updated.dump(2) + "\n");
}

Result<CacheStats> ScriptCache::stats() const {
  CacheStats stats;
  count_entries(directory_ / "scripts", &stats.scripts, &stats.bytes);
  count_entries(directory_ / "tests", &stats.tests, &stats.bytes);
  count_entries(directory_ / "files", &stats.files, &stats.bytes);
  if (auto text = read_file(directory_ / "metadata" / "cache_index.json"); text.ok()) {
    json index = json::parse(*text, nullptr, false);
    if (index.is_object()) {
      stats.hits = index.value("hits", uint64_t{0});
      stats.misses = index.value("misses", uint64_t{0});
      stats.damaged = index.value("damaged", uint64_t{0});
    }
  }
  return stats;
}

Result<CacheRemoval> ScriptCache::clear() {
  (void)wait_for_writes();
  {
    std::lock_guard lock(queue_mutex_);
    created_directories_.clear();
  }
  auto recognised = check_cache_directory(directory_);
  if (!recognised.ok()) return make_error(recognised.error());
  return remove_cache_entries(directory_);
}

Result<uint64_t> ScriptCache::prune(uint32_t max_age_days) {
  auto recognised = check_cache_directory(directory_);
  if (!recognised.ok()) return make_error(recognised.error());
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(24) * max_age_days;
  uint64_t removed = 0;
  std::error_code ec;
  // Only files telinject wrote go, whatever their age.
  auto ours = [&](const fs::path& path) {
    fs::path relative = path.lexically_relative(directory_);
    return is_cache_entry_name(relative) && has_cache_entry_content(path, relative);
  };
  for (const char* name : {"scripts", "files"}) {
    fs::path root = directory_ / name;
    if (!fs::is_directory(fs::symlink_status(root, ec))) continue;
    std::vector<fs::path> old;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && !it->is_symlink(ec) && it->last_write_time(ec) <= cutoff &&
          ours(it->path()))
        old.push_back(it->path());
    }
    for (const fs::path& path : old) {
      if (!fs::remove(path, ec)) continue;
      ++removed;
      if (std::string(name) == "scripts") {
        // scripts/<lang>/<name>_<hash8>.json -> tests/<lang>/test_<name>_<hash8>.json
        fs::path test = directory_ / "tests" / path.parent_path().filename() /
                        ("test_" + path.filename().string());
        if (ours(test)) fs::remove(test, ec);
      }
    }
  }
  return removed;
}

uint64_t ScriptCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

uint64_t ScriptCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace telinject
