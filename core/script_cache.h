// ScriptCache: insertion scripts, their generated tests and file records in one SQLite database,
// keyed by SHA-256, shared safely by concurrent processes (the CLI and the language server) and
// threads.
//
// Below the cache directory (default .telemetry_cache/):
//   cache.sqlite3 (+ -wal, -shm)     the store: tables scripts, files, counters (WAL mode; the
//                                    schema version in PRAGMA user_version, telinject's mark in
//                                    PRAGMA application_id; rows as cache_row.h encodes them)
//   cache.sqlite3.moved-aside        the last store found damaged or of another version
//   analysis/<language>/<hash>.json  LLM analyses (llm/llm_language.h), still files
//   lessons/learned.md               lessons from rejected LLM repairs (llm/repair.h)
//   .gitignore                       `*`, written when telinject makes the directory
// Folders scripts/, tests/, files/ and metadata/ of earlier versions (a file per entry) are not
// read; `cache stats` counts their files and `cache clear` removes them.
//
// The directory is made on the first write only (see create_cache_directory): reading a
// missing cache, stats, and read-only runs create nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cache_directory.h"
#include "insertion_script.h"
#include "result.h"
#include "sqlite_database.h"

namespace telinject {

class RemoteCache;

struct CachedScript {
  InsertionScript script;
  /// The generated test, kept for scripts an LLM wrote. A template script has none: each hit
  /// makes the template's script again and must find the same insertions, which proves more.
  std::optional<ScriptTest> test;
};

/// What a run learned about one file content: running the same configuration on bytes with
/// hash `input_sha256` produces bytes with hash `output_sha256` (equal when nothing changes).
struct FileRecord {
  std::string input_sha256;
  std::string output_sha256;
  uint32_t functions = 0;     // functions found
  uint32_t instrumented = 0;  // functions carrying telemetry in the output
};

struct CacheStats {
  uint64_t scripts = 0;  // entries in the store
  uint64_t tests = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;  // size of the store on disk
  uint64_t hits = 0;   // lifetime counters
  uint64_t misses = 0;
  uint64_t damaged = 0;      // entries found damaged and discarded
  uint64_t remote_hits = 0;  // lifetime counters of the remote cache (remote_cache.h)
  uint64_t remote_misses = 0;
  uint64_t remote_refused = 0;        // remote entries failing verification, never used
  uint64_t earlier_layout_files = 0;  // entry files of earlier versions (scripts/, tests/, …)
};

/// {"directory", "scripts", "tests", "files", "bytes", "hits", "misses", "damaged"}: what the
/// CLI's `cache stats --format json` and the server's telinject.cacheStats both report.
nlohmann::json cache_stats_json(const std::filesystem::path& directory, const CacheStats& stats);

/// How long the writer keeps one write transaction open while batches arrive: other processes
/// see the rows (and wait to write) at most this much later.
inline constexpr std::chrono::milliseconds kWriteTransactionSpan{250};
/// How many queued entries make the writer write at once; fewer wait for the span to run out
/// (a flush, or the cache closing, writes them at once).
inline constexpr size_t kWriterBatch = 256;

/// The store's file name below the cache directory, and its schema version.
inline constexpr std::string_view kCacheStoreName = "cache.sqlite3";
inline constexpr int kCacheSchemaVersion = 2;  // 1: JSON rows, TEXT keys

/// Makes the cache directory `root` when it is missing, with a `.gitignore` holding `*` so that
/// git never shows it, then `root / inner` (when not empty). An existing `root` is left as it is
/// (it may be a folder of the user's own). Safe to call from several threads and processes at
/// once: only the one that made `root` writes the `.gitignore`. Returns the first error.
Result<void> create_cache_directory(const std::filesystem::path& root,
                                    const std::filesystem::path& inner = {});

/// Thread-safe. Writes go behind: `put` and `put_file` queue the entry for a writer thread, so
/// storing overlaps with parsing. The writer keeps one transaction open for up to
/// kWriteTransactionSpan and adds every batch queued meanwhile to it: keys are SHA-256 hashes,
/// so a commit per small batch rewrote the same key-index pages again and again (a cold run
/// wrote ten times the store's size). `wait_for_writes` (called by `flush_index`, `clear`,
/// `prune` and the destructor) drains the queue and commits. Readers use a
/// connection each (pooled) and are never blocked by a writer (WAL); other processes share the
/// store the same way. Every entry read is verified (checksums, key, language): a damaged or
/// forged entry is a miss, counted, and replaced by the next `put`. A store that SQLite finds
/// damaged, or one of another schema version, is never trusted: reads miss, and a writing cache
/// moves it aside (kCacheStoreName + ".moved-aside") and starts a new one, with one warning.
/// The directory is made (create_cache_directory) by the first write, never before.
class ScriptCache {
 public:
  /// kReadOnly: reads and counts as usual, while put, put_file and flush_index write nothing
  /// and succeed (for runs that must change nothing on disk: check, --dry-run).
  enum class Access { kReadWrite, kReadOnly };
  using WarningHandler = std::function<void(std::string_view)>;

  explicit ScriptCache(std::filesystem::path directory, Access access = Access::kReadWrite);
  ~ScriptCache();
  ScriptCache(const ScriptCache&) = delete;
  ScriptCache& operator=(const ScriptCache&) = delete;

  const std::filesystem::path& directory() const { return directory_; }
  /// Where warnings go (a damaged store, at most one per cause); default: a line on stderr.
  void set_warning_handler(WarningHandler handler);
  /// A shared remote cache (remote_cache.h), asked on a local miss. What it gives is verified
  /// like a local row: a sound entry is a hit and is stored locally; any other is refused
  /// (counted, never used) and the script made instead replaces it there. Entries this cache
  /// stores (a kReadWrite cache only) are sent to it behind the writes. Set before use.
  void set_remote(std::shared_ptr<RemoteCache> remote) { remote_ = std::move(remote); }

  /// For a batch run (the CLI): when the store holds no script and no file record now, this
  /// cache's lookups answer "miss" without asking it, since all it can get later is what this
  /// run writes (a first run, or CI with a fresh cache, asked it once per function for nothing).
  /// A remote cache is still asked. Call before the first lookup; returns whether reads stop.
  bool skip_reads_if_empty();
  /// The script and test stored under `key`, or nothing (a miss). Counts the hit or miss.
  std::optional<CachedScript> get(const std::string& language, const std::string& name,
                                  const std::string& key);
  /// Queues a validated script with its test for writing. I/O errors surface from
  /// `wait_for_writes` / `flush_index`.
  Result<void> put(CachedScript entry);
  /// Blocks until every queued entry is stored; the first write error since the last call.
  Result<void> wait_for_writes();

  /// File-level records, keyed by `key` (a hash of the input bytes and the run configuration).
  /// put_file makes the directory at once and queues the record like `put`.
  std::optional<FileRecord> get_file(const std::string& key);
  Result<void> put_file(const std::string& key, const FileRecord& record);

  /// Waits for the writes, then adds this object's hit/miss/damaged counts to the store's
  /// lifetime counters and records when the entries hit were last used (for prune); resets the
  /// counts. Call at the end of a run. Writes nothing when there is nothing to add.
  Result<void> flush_index();

  /// Counts entries in the store plus the lifetime counters. Creates nothing.
  Result<CacheStats> stats() const;
  /// Empties the store and removes the entry files of earlier versions (remove_cache_entries),
  /// only when the directory is a telinject cache (check_cache_directory); otherwise an error
  /// and nothing is deleted. A damaged or foreign store file is deleted.
  Result<CacheRemoval> clear();
  /// Removes entries not read or written for `max_age_days` days (by their last-used time,
  /// kept to the hour); returns how many were removed. Refuses, like clear(), a directory that
  /// is not a cache.
  Result<uint64_t> prune(uint32_t max_age_days);
  /// Writes every sound script and test as readable files below `target`:
  ///   scripts/<language>/<name>_<hash8>.json, tests/<language>/test_<name>_<hash8>.json
  /// (the layout of earlier versions; names from cache_safe_name). Existing files of those names
  /// are replaced, nothing else is touched. Returns how many scripts were written.
  Result<uint64_t> export_to(const std::filesystem::path& target);

  // Counts since the last flush_index(), for reports.
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Reader;
  struct Pending {  // one queued write: a script with its test, or a file record
    std::optional<CachedScript> script;
    std::string file_key;
    FileRecord record;
    bool from_remote = false;  // stored locally only (the remote has it)
  };
  enum class StoreState { kUnknown, kMissing, kUsable, kUnusable };

  void writer_loop();
  // The remote's entries for a local miss, verified; counts the remote's hit or refusal and
  // queues a sound one for the local store.
  std::optional<CachedScript> get_remote(const std::string& language, const std::string& key);
  std::optional<FileRecord> get_remote_file(const std::string& key);
  void queue_local(Pending pending);
  // Queues `pending` (waiting while kMaxQueuedWrites are queued, when asked) and wakes the
  // writer when it has something to do.
  void enqueue(Pending pending, bool wait_for_room);
  // Stores a batch in the open write transaction, beginning one when none is open, and commits
  // it when it is older than kWriteTransactionSpan (writer_mutex_ held by the caller).
  Result<void> write_batch(std::deque<Pending>& batch);
  // Commits the open write transaction, if any (writer_mutex_ held by the caller).
  Result<void> commit_transaction();
  // The same from a thread holding queue_mutex_ by `queue_lock` (released meanwhile); an error
  // goes to write_error_.
  void commit_from_queue(std::unique_lock<std::mutex>& queue_lock);
  // Makes directory_ (once, with its .gitignore) and directory_ / inner.
  Result<void> make_directory(const std::filesystem::path& inner);
  // Opens the writing connection, making the store when missing and moving aside one that is
  // damaged or of another version (`thorough`: also when SQLite's quick_check fails);
  // writer_mutex_ held.
  Result<void> open_writer(bool thorough);
  // Closes every connection when another process replaced the store file (moved aside,
  // deleted): they would go on with the old one; writer_mutex_ held.
  void follow_replaced_store();
  // Closes the writing connection and the idle readers (busy ones close when given back);
  // writer_mutex_ held.
  void close_connections();
  // Renames the store to kCacheStoreName + ".moved-aside" and deletes its -wal and -shm.
  void move_store_aside();
  std::unique_ptr<Reader> borrow_reader();
  void give_back(std::unique_ptr<Reader> reader);
  // Runs a borrowed reader's `statement` for `key`, calls `decode` with it when a row came, and
  // gives the reader back (or distrusts the store when SQLite says it is damaged).
  void read_row(sqlite::Statement Reader::*statement, const std::string& key,
                const std::function<void(sqlite::Statement&)>& decode);
  // A damaged or foreign store: reads miss from now on, one warning; a writing cache rebuilds
  // it on its next write.
  void distrust_store(const std::string& why);
  void warn(const std::string& message);
  std::filesystem::path store_path() const;

  std::filesystem::path directory_;
  Access access_;
  std::mutex directory_mutex_;  // guards directory_made_
  bool directory_made_ = false;
  mutable std::mutex mutex_;  // guards the counters, hit lists, warnings, remote_file_keys_
  uint64_t hits_ = 0, misses_ = 0, damaged_ = 0;
  std::vector<std::string> used_scripts_, used_files_;  // hits whose last-used time is old
  std::set<std::string> warnings_given_;
  WarningHandler warning_handler_;
  std::shared_ptr<RemoteCache> remote_;
  std::set<std::string> remote_file_keys_;  // file records the remote gave: not sent back

  // Reading connections, guarded by pool_mutex_; a new generation (after a rebuild) retires
  // the connections of the old one.
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Reader>> idle_readers_;
  uint64_t generation_ = 0;
  std::atomic<StoreState> store_state_{StoreState::kUnknown};
  bool skip_reads_ = false;  // skip_reads_if_empty() found the store empty

  // The writing connection, used by the writer thread, flush_index, clear and prune.
  std::mutex writer_mutex_;
  std::unique_ptr<sqlite::Database> writer_db_;
  std::pair<uint64_t, uint64_t> writer_file_{};  // device and inode writer_db_ opened
  // A write transaction is open on writer_db_ (changed under writer_mutex_; read by the writer
  // thread's wait), and when it began (steady clock).
  std::atomic<bool> transaction_open_{false};
  std::chrono::steady_clock::time_point transaction_began_{};

  // Write-behind queue, guarded by queue_mutex_.
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<Pending> queue_;
  std::chrono::steady_clock::time_point first_queued_{};  // when the queue last left empty
  int flushers_ = 0;                                      // threads in wait_for_writes
  int writing_ = 0;  // batches being written and commits under way
  bool stopping_ = false;
  std::string write_error_;
  std::thread writer_;
};

/// The file stem used for a function name in cache paths: letters, digits and '_' kept, other
/// bytes replaced by '_', at most 64 characters.
std::string cache_safe_name(const std::string& name);

}  // namespace telinject
