// ScriptCache: insertion scripts and their generated tests on disk, keyed by SHA-256, shared
// safely by concurrent processes (the CLI and the language server) and threads.
//
// Layout below the cache directory (default .telemetry_cache/):
//   scripts/<language>/<name>_<hash8>.json        the script (insertion_script.h JSON)
//   tests/<language>/test_<name>_<hash8>.json     its generated test
//   files/<hash2>/<hash>.json                     file-level results (see FileRecord)
//   metadata/cache_index.json                     counters and entry totals
//   metadata/lock                                 flock(2) target for index updates
//   analysis/<language>/<hash>.json               LLM analyses (llm/llm_language.h)
//   lessons/learned.md                            lessons from rejected LLM repairs (llm/repair.h)
//   .gitignore                                    `*`, written when telinject makes the directory
//
// The directory is made on the first write only (see create_cache_directory): reading a
// missing cache, stats, and read-only runs create nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <optional>
#include <string>

#include "cache_directory.h"
#include "insertion_script.h"
#include "result.h"

namespace telinject {

struct CachedScript {
  InsertionScript script;
  ScriptTest test;
};

/// What a run learned about one file content: running the same configuration on bytes with
/// hash `input_sha256` produces bytes with hash `output_sha256` (equal when nothing changes).
struct FileRecord {
  std::string input_sha256;
  std::string output_sha256;
  uint32_t functions = 0;       // functions found
  uint32_t instrumented = 0;    // functions carrying telemetry in the output
};

struct CacheStats {
  uint64_t scripts = 0;  // entries on disk
  uint64_t tests = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;    // total size of all entries
  uint64_t hits = 0;     // lifetime counters from cache_index.json
  uint64_t misses = 0;
  uint64_t damaged = 0;  // entries found damaged and discarded
};

/// Makes the cache directory `root` when it is missing, with a `.gitignore` holding `*` so that
/// git never shows it, then `root / inner` (when not empty). An existing `root` is left as it is
/// (it may be a folder of the user's own). Safe to call from several threads and processes at
/// once: only the one that made `root` writes the `.gitignore`. Returns the first error.
Result<void> create_cache_directory(const std::filesystem::path& root,
                                    const std::filesystem::path& inner = {});

/// Thread-safe. Every write goes to a temporary file in the same directory and is renamed into
/// place, so a reader sees a whole entry or none. Scripts are written behind: `put` queues the
/// entry for a writer thread, so creating many small files overlaps with parsing;
/// `wait_for_writes` (called by `flush_index` and the destructor) drains the queue. A damaged entry
/// (bad JSON, wrong checksum, key mismatch) is reported as a miss, counted, and overwritten by the
/// next `put`. The directory is made (create_cache_directory) by the first write, never before.
class ScriptCache {
 public:
  /// kReadOnly: reads and counts as usual, while put, put_file and flush_index write nothing
  /// and succeed (for runs that must change nothing on disk: check, --dry-run).
  enum class Access { kReadWrite, kReadOnly };

  explicit ScriptCache(std::filesystem::path directory, Access access = Access::kReadWrite);
  ~ScriptCache();
  ScriptCache(const ScriptCache&) = delete;
  ScriptCache& operator=(const ScriptCache&) = delete;

  const std::filesystem::path& directory() const { return directory_; }

  /// The script and test stored under `key`, or nothing (a miss). Counts the hit or miss.
  std::optional<CachedScript> get(const std::string& language, const std::string& name,
                                  const std::string& key);
  /// Queues a validated script with its test for writing. I/O errors surface from
  /// `wait_for_writes` / `flush_index`.
  Result<void> put(const CachedScript& entry);
  /// Blocks until every queued entry is on disk; the first write error since the last call.
  Result<void> wait_for_writes();

  /// File-level records, keyed by `key` (a hash of the input bytes and the run configuration).
  std::optional<FileRecord> get_file(const std::string& key);
  Result<void> put_file(const std::string& key, const FileRecord& record);

  /// Adds this object's hit/miss/damaged counts to metadata/cache_index.json under the lock,
  /// with the current entry totals, and resets the counts. Call at the end of a run. Writes
  /// nothing when the counts are zero and the directory does not exist.
  Result<void> flush_index();

  /// Counts entries on disk plus the lifetime counters.
  Result<CacheStats> stats() const;
  /// Removes every entry and the index: only files telinject wrote (remove_cache_entries), and
  /// only when the directory is a telinject cache (check_cache_directory); otherwise an error
  /// and nothing is deleted.
  Result<CacheRemoval> clear();
  /// Removes entries not read or written for `max_age_days` days (by mtime; `get` touches a hit);
  /// returns how many were removed. Refuses, like clear(), a directory that is not a cache, and
  /// removes only files telinject wrote.
  Result<uint64_t> prune(uint32_t max_age_days);

  // Counts since the last flush_index(), for reports.
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  void writer_loop();
  Result<void> write_entry(const CachedScript& entry);
  // Makes directory_ (once, with its .gitignore) and directory_ / inner.
  Result<void> make_directory(const std::filesystem::path& inner);

  std::filesystem::path directory_;
  Access access_;
  std::mutex directory_mutex_;  // guards directory_made_
  bool directory_made_ = false;
  mutable std::mutex mutex_;  // guards the counters only; files are safe by rename
  uint64_t hits_ = 0, misses_ = 0, damaged_ = 0;

  // Write-behind queue, guarded by queue_mutex_.
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<CachedScript> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  std::string write_error_;
  std::set<std::filesystem::path> created_directories_;  // writer thread only
  std::thread writer_;
};

/// The file stem used for a function name in cache paths: letters, digits and '_' kept, other
/// bytes replaced by '_', at most 64 characters.
std::string cache_safe_name(const std::string& name);

}  // namespace telinject
