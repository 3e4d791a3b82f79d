#include "script_cache.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "atomic_file.h"
#include "cache_directory.h"
#include "cache_row.h"
#include "cache_store.h"
#include "log.h"
#include "remote_cache.h"
#include "sha256.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sqlite::Database;
using sqlite::Statement;

// A hit records its last-used time only when the stored one is older than this (prune works in
// days): a warm run on the same day writes nothing.
constexpr int64_t kLastUsedResolution = 3600;
// Entries queued for the writer at most: a worker that finds the queue this long waits for the
// writer to take it, so that a writer behind the workers cannot fill memory.
constexpr size_t kMaxQueuedWrites = 1024;

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

std::string file_record_json(const std::string& key, const FileRecord& record) {
  json body = {{"key", key},
               {"input_sha256", record.input_sha256},
               {"output_sha256", record.output_sha256},
               {"functions", record.functions},
               {"instrumented", record.instrumented}};
  body["checksum"] = sha256_hex(body.dump());
  return body.dump();
}

// The record stored under `key`, when its checksum and key hold.
std::optional<FileRecord> file_record_from_json(std::string_view text, const std::string& key) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("checksum")) return std::nullopt;
  try {
    std::string checksum = body.at("checksum").get<std::string>();
    body.erase("checksum");
    if (sha256_hex(body.dump()) != checksum || body.at("key").get<std::string>() != key)
      return std::nullopt;
    return FileRecord{
        body.at("input_sha256").get<std::string>(), body.at("output_sha256").get<std::string>(),
        body.at("functions").get<uint32_t>(), body.at("instrumented").get<uint32_t>()};
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// A script's remote entry: what the local row holds, in one JSON object.
std::string remote_script_value(const CachedScript& entry) {
  const InsertionScript& s = entry.script;
  json value = {{"language", s.language}, {"script", script_to_json(s)}};
  if (entry.test) value["test"] = test_to_json(*entry.test, s.key);
  return value.dump();
}

// The entry in a remote value, checked as a local row is (checksums, key, language).
std::optional<CachedScript> remote_script_entry(std::string_view value, const std::string& language,
                                                const std::string& key) {
  json body = json::parse(value, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  auto text = [&](const char* name) -> std::string {
    auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (text("language") != language) return std::nullopt;
  auto script = script_from_json(text("script"));
  if (!script.ok() || script->key != key || script->language != language) return std::nullopt;
  if (!body.contains("test")) return CachedScript{std::move(*script), std::nullopt};
  auto test = test_from_json(text("test"), key);
  if (!test.ok()) return std::nullopt;
  return CachedScript{std::move(*script), std::move(*test)};
}

// Keep -wal and -shm when the last connection closes (whichever it is), so that read-only runs
// find them and create nothing; the -wal is truncated to nothing then (journal_size_limit).
void keep_wal_files(Database& db) {
  int persist = 1;
  sqlite3_file_control(db.handle(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  db.exec("PRAGMA journal_size_limit=8388608");
}

}  // namespace

// A reading connection with its statements, used by one thread at a time.
struct ScriptCache::Reader {
  Database db;
  Statement script;  // language, script, test, last_used by key
  Statement file;    // record, last_used by key
  uint64_t generation = 0;
};

std::string cache_safe_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
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
      auto written =
          write_file_atomically(root / ".gitignore", kCacheGitignore, std::nullopt, false);
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

ScriptCache::~ScriptCache() {
  (void)wait_for_writes();
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void ScriptCache::set_warning_handler(WarningHandler handler) {
  std::lock_guard lock(mutex_);
  warning_handler_ = std::move(handler);
}

void ScriptCache::warn(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (!warnings_given_.insert(message).second) return;
  if (warning_handler_)
    warning_handler_(message);
  else
    logger().warn("{}", message);
}

nlohmann::json cache_stats_json(const fs::path& directory, const CacheStats& stats) {
  return {{"directory", directory.string()},
          {"scripts", stats.scripts},
          {"tests", stats.tests},
          {"files", stats.files},
          {"bytes", stats.bytes},
          {"hits", stats.hits},
          {"misses", stats.misses},
          {"damaged", stats.damaged}};
}

fs::path ScriptCache::store_path() const { return directory_ / std::string(kCacheStoreName); }

Result<void> ScriptCache::make_directory(const fs::path& inner) {
  {
    std::lock_guard lock(directory_mutex_);
    if (!directory_made_) {
      auto made = create_cache_directory(directory_);
      if (!made.ok()) return made;
      directory_made_ = true;
    }
  }
  if (inner.empty()) return {};
  std::error_code ec;
  fs::create_directories(directory_ / inner, ec);
  if (ec) return make_error((directory_ / inner).string() + ": " + ec.message());
  return {};
}

void ScriptCache::distrust_store(const std::string& why) {
  store_state_ = StoreState::kUnusable;
  {
    std::lock_guard lock(pool_mutex_);
    idle_readers_.clear();
    ++generation_;
  }
  warn(why + (access_ == Access::kReadWrite ? "; it is set aside and rebuilt"
                                            : "; it is not used by this run"));
}

void ScriptCache::move_store_aside() {
  close_connections();
  fs::path store = store_path();
  std::error_code ec;
  fs::rename(store, with_suffix(store, ".moved-aside"), ec);
  // A -wal left beside a new store would be replayed into it.
  fs::remove(with_suffix(store, "-wal"), ec);
  fs::remove(with_suffix(store, "-shm"), ec);
}

Result<void> ScriptCache::open_writer(bool thorough) {
  if (writer_db_) return {};
  auto made = make_directory({});
  if (!made.ok()) return made;
  fs::path store = store_path();
  // Processes that make a new store at the same moment: until WAL mode is on it is in SQLite's
  // rollback mode, where two writers can each hold what the other waits for, and SQLite ends one
  // with SQLITE_BUSY at once, busy timeout or not. The other one makes the store: look again, for
  // as long as the busy timeout.
  auto contended = [](int code) {
    return (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED;
  };
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kStoreBusyTimeoutMs);
  std::minstd_rand jitter(static_cast<unsigned>(getpid()));
  // True after closing the connection and a short pause, when `code` says to look again.
  auto look_again = [&](int code, Result<Database>& opened, const std::string& error) {
    if (!contended(code)) return false;
    opened = make_error(error);  // closes the connection
    std::this_thread::sleep_for(std::chrono::milliseconds(2 + jitter() % 20));
    return std::chrono::steady_clock::now() < give_up;
  };
  bool moved_aside = false;
  for (;;) {
    int code = SQLITE_OK;
    auto opened = Database::open(store, Database::Mode::kReadWrite, kStoreBusyTimeoutMs, &code);
    StoreCheck check = StoreCheck::kError;
    if (opened.ok())
      check = check_store(*opened, store, thorough);
    else if (sqlite::is_damage(code))
      check = StoreCheck::kDamaged;
    else
      return make_error(opened.error());
    if (check == StoreCheck::kNotOurs) {
      store_state_ = StoreState::kUnusable;
      return make_error(check_message(check, store) + "; the script cache is not used");
    }
    if (check == StoreCheck::kError) {
      std::string error = store.string() + ": " + opened->error_message();
      if (look_again(sqlite3_errcode(opened->handle()), opened, error)) continue;
      return make_error(error);
    }
    if ((check == StoreCheck::kDamaged || check == StoreCheck::kForeignVersion) && !moved_aside) {
      moved_aside = true;
      opened = make_error("moved aside");  // closes the connection before the rename
      warn(check_message(check, store) + "; it is set aside and rebuilt");
      move_store_aside();
      continue;
    }
    if (check != StoreCheck::kOurs && check != StoreCheck::kFresh)
      return make_error(check_message(check, store));
    Database& db = *opened;
    keep_wal_files(db);
    if (check == StoreCheck::kFresh) {
      code = create_store_schema(db);
      if (code != SQLITE_OK) {
        std::string error = store.string() + ": " + db.error_message();
        if (look_again(code, opened, error)) continue;
        return make_error(error);
      }
    }
    // The pages a transaction of kWriteTransactionSpan changes stay in memory until its commit
    // (SQLite's default of 2 MB would spill them into the WAL one by one); not more, since the
    // connection keeps that many pages for the rest of the run (flat memory).
    db.exec("PRAGMA synchronous=NORMAL;PRAGMA journal_size_limit=8388608;PRAGMA cache_size=-8192");
    writer_db_ = std::make_unique<Database>(std::move(db));
    writer_file_ = file_identity(store);
    store_state_ = StoreState::kUnknown;  // readers look again
    return {};
  }
}

void ScriptCache::follow_replaced_store() {
  if (writer_db_ && file_identity(store_path()) != writer_file_) close_connections();
}

std::unique_ptr<ScriptCache::Reader> ScriptCache::borrow_reader() {
  if (store_state_ == StoreState::kUnusable) return nullptr;
  uint64_t generation;
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_readers_.empty()) {
      auto reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return reader;
    }
    generation = generation_;
  }
  fs::path store = store_path();
  std::error_code ec;
  if (!fs::exists(store, ec)) {
    store_state_ = StoreState::kMissing;
    return nullptr;
  }
  Database::Mode mode =
      access_ == Access::kReadWrite ? Database::Mode::kReadWriteExisting : read_only_mode(store);
  int code = SQLITE_OK;
  auto opened = Database::open(store, mode, kStoreBusyTimeoutMs, &code);
  if (!opened.ok()) {
    if (sqlite::is_damage(code)) distrust_store(check_message(StoreCheck::kDamaged, store));
    return nullptr;
  }
  StoreCheck check = check_store(*opened, store, false);
  if (check == StoreCheck::kFresh || check == StoreCheck::kError) return nullptr;  // being made
  if (check != StoreCheck::kOurs) {
    distrust_store(check_message(check, store));
    return nullptr;
  }
  auto reader = std::make_unique<Reader>();
  reader->db = std::move(*opened);
  if (access_ == Access::kReadWrite) keep_wal_files(reader->db);
  reader->generation = generation;
  reader->script =
      reader->db.prepare("SELECT language, body, last_used FROM scripts WHERE key=?1", &code);
  if (code == SQLITE_OK)
    reader->file = reader->db.prepare("SELECT body, last_used FROM files WHERE key=?1", &code);
  if (code != SQLITE_OK) {
    // Our mark and version but not our tables: as good as damaged.
    distrust_store(check_message(StoreCheck::kDamaged, store));
    return nullptr;
  }
  store_state_ = StoreState::kUsable;
  return reader;
}

void ScriptCache::give_back(std::unique_ptr<Reader> reader) {
  std::lock_guard lock(pool_mutex_);
  if (reader->generation == generation_) idle_readers_.push_back(std::move(reader));
}

void ScriptCache::read_row(Statement Reader::*statement, const std::string& key,
                           const std::function<void(Statement&)>& decode) {
  auto reader = borrow_reader();
  if (!reader) return;
  Statement& query = (*reader).*statement;
  const std::string stored_key = cache_row::key_bytes(key);
  query.bind_blob(1, stored_key);
  int code = query.step();
  if (code == SQLITE_ROW) decode(query);
  query.reset();
  if (code != SQLITE_ROW && code != SQLITE_DONE && sqlite::is_damage(code))
    distrust_store(check_message(StoreCheck::kDamaged, store_path()));
  else
    give_back(std::move(reader));
}

bool ScriptCache::skip_reads_if_empty() {
  std::error_code ec;
  bool empty = !fs::exists(store_path(), ec) && !ec;
  if (!empty) {
    auto reader = borrow_reader();
    if (!reader) return false;  // damaged, or being made: ask it as usual
    int code = SQLITE_OK;
    int64_t none = reader->db.integer(
        "SELECT NOT EXISTS(SELECT 1 FROM scripts) AND NOT EXISTS(SELECT 1 FROM files)", &code);
    empty = code == SQLITE_OK && none == 1;
    give_back(std::move(reader));
  }
  skip_reads_ = empty;
  return empty;
}

std::optional<CachedScript> ScriptCache::get(const std::string& language, const std::string&,
                                             const std::string& key) {
  std::optional<CachedScript> found;
  bool damaged = false;
  int64_t last_used = 0;
  if (!skip_reads_)
    read_row(&Reader::script, key, [&](Statement& query) {
      last_used = query.integer(2);
      // The row's checksum binds it to the key and the language: a row that disagrees is forged.
      auto entry = cache_row::decode_script(query.blob(1), key, language);
      damaged = !entry.ok() || query.text(0) != language;
      if (!damaged) found = std::move(*entry);
    });
  if (!found && remote_) found = get_remote(language, key);
  std::lock_guard lock(mutex_);
  if (!found) {
    // A damaged row stays until the next put() replaces it.
    damaged_ += damaged;
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  if (last_used < now_seconds() - kLastUsedResolution) used_scripts_.push_back(key);
  return found;
}

std::optional<CachedScript> ScriptCache::get_remote(const std::string& language,
                                                    const std::string& key) {
  auto value = remote_->get("scripts", key);
  if (!value) return std::nullopt;
  auto entry = remote_script_entry(*value, language, key);
  if (!entry) {
    remote_->count_refused();
    return std::nullopt;
  }
  remote_->count_hit();
  if (access_ == Access::kReadWrite) queue_local(Pending{*entry, {}, {}, true});
  return entry;
}

std::optional<FileRecord> ScriptCache::get_remote_file(const std::string& key) {
  auto value = remote_->get("files", key);
  if (!value) return std::nullopt;
  auto record = file_record_from_json(*value, key);
  if (!record) {
    remote_->count_refused();
    return std::nullopt;
  }
  remote_->count_hit();
  {
    std::lock_guard lock(mutex_);
    remote_file_keys_.insert(key);
  }
  if (access_ == Access::kReadWrite && make_directory({}).ok())
    queue_local(Pending{std::nullopt, key, *record, true});
  return record;
}

void ScriptCache::queue_local(Pending pending) { enqueue(std::move(pending), false); }

void ScriptCache::enqueue(Pending pending, bool wait_for_room) {
  bool wake;
  {
    std::unique_lock lock(queue_mutex_);
    if (wait_for_room)
      queue_changed_.wait(lock, [this] { return queue_.size() < kMaxQueuedWrites; });
    if (queue_.empty()) first_queued_ = std::chrono::steady_clock::now();
    queue_.push_back(std::move(pending));
    if (!writer_.joinable()) writer_ = std::thread([this] { writer_loop(); });
    // The writer starts its clock at the first entry and writes at kWriterBatch, or when the
    // clock runs out: a wake-up per entry cost more than the entry's row.
    wake = queue_.size() == 1 || queue_.size() == kWriterBatch;
  }
  if (wake) queue_changed_.notify_all();
}

Result<void> ScriptCache::put(CachedScript entry) {
  if (access_ == Access::kReadOnly) return {};
  enqueue(Pending{std::move(entry), {}, {}}, true);
  return {};
}

void ScriptCache::commit_from_queue(std::unique_lock<std::mutex>& queue_lock) {
  ++writing_;  // wait_for_writes returns after the commit, not while it is under way
  queue_lock.unlock();
  Result<void> committed = [&] {
    std::lock_guard writer(writer_mutex_);
    return commit_transaction();
  }();
  queue_lock.lock();
  --writing_;
  if (!committed.ok() && write_error_.empty()) write_error_ = committed.error();
  queue_changed_.notify_all();
}

Result<void> ScriptCache::wait_for_writes() {
  std::unique_lock lock(queue_mutex_);
  ++flushers_;  // the writer writes what is queued now, whatever its size
  queue_changed_.notify_all();
  queue_changed_.wait(lock, [this] { return queue_.empty() && writing_ == 0; });
  --flushers_;
  if (transaction_open_) commit_from_queue(lock);
  std::string error = std::move(write_error_);
  write_error_.clear();
  if (!error.empty()) return make_error(error);
  return {};
}

void ScriptCache::writer_loop() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    if (queue_.empty() && !transaction_open_) {
      if (stopping_) return;
      queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      continue;
    }
    // Entries wait for a batch of kWriterBatch, a flush, or the end of the span: of the open
    // transaction, else from the first entry queued.
    auto ready = [this] { return stopping_ || flushers_ > 0 || queue_.size() >= kWriterBatch; };
    queue_changed_.wait_until(
        lock, (transaction_open_ ? transaction_began_ : first_queued_) + kWriteTransactionSpan,
        ready);
    if (queue_.empty()) {
      // Nothing came for the rest of the span (or a flush, or the cache is closing): commit.
      commit_from_queue(lock);
      queue_changed_.notify_all();
      continue;
    }
    // Everything queued so far goes in one transaction.
    std::deque<Pending> batch;
    batch.swap(queue_);
    ++writing_;
    lock.unlock();
    queue_changed_.notify_all();  // room again for workers waiting in put
    if (remote_) {
      // Behind the local writes too: the remote's own thread sends them.
      std::lock_guard known(mutex_);
      for (const Pending& pending : batch) {
        if (pending.from_remote || (!pending.script && remote_file_keys_.count(pending.file_key)))
          continue;
        if (pending.script)
          remote_->put_later("scripts", pending.script->script.key,
                             remote_script_value(*pending.script));
        else
          remote_->put_later("files", pending.file_key,
                             file_record_json(pending.file_key, pending.record));
      }
    }
    Result<void> written = [&] {
      std::lock_guard writer(writer_mutex_);
      return write_batch(batch);
    }();
    lock.lock();
    --writing_;
    if (!written.ok() && write_error_.empty()) write_error_ = written.error();
    queue_changed_.notify_all();
  }
}

Result<void> ScriptCache::write_batch(std::deque<Pending>& batch) {
  for (int attempt = 0;; ++attempt) {
    bool rebuild = store_state_ == StoreState::kUnusable;
    if (rebuild) close_connections();
    follow_replaced_store();
    auto opened = open_writer(rebuild);
    if (!opened.ok()) return opened;
    Database& db = *writer_db_;
    int code = SQLITE_OK;
    if (!transaction_open_) {
      code = db.exec("BEGIN IMMEDIATE");
      transaction_open_ = code == SQLITE_OK;
      transaction_began_ = std::chrono::steady_clock::now();
    }
    Statement script, file;
    if (code == SQLITE_OK)
      script = db.prepare(
          "INSERT OR REPLACE INTO scripts(key, language, tested, body, last_used)"
          " VALUES(?1, ?2, ?3, ?4, ?5)",
          &code);
    if (code == SQLITE_OK)
      file = db.prepare("INSERT OR REPLACE INTO files(key, body, last_used) VALUES(?1, ?2, ?3)",
                        &code);
    const int64_t now = now_seconds();
    std::string key, body;  // bound without copies: alive until the statement's reset
    for (size_t i = 0; code == SQLITE_OK && i < batch.size(); ++i) {
      const Pending& pending = batch[i];
      Statement& statement = pending.script ? script : file;
      if (pending.script) {
        const InsertionScript& s = pending.script->script;
        key = cache_row::key_bytes(s.key);
        body = cache_row::encode_script(*pending.script);
        statement.bind_blob(1, key);
        statement.bind(2, s.language);
        statement.bind(3, int64_t{pending.script->test.has_value()});
        statement.bind_blob(4, body);
        statement.bind(5, now);
      } else {
        key = cache_row::key_bytes(pending.file_key);
        body = cache_row::encode_file(pending.file_key, pending.record);
        statement.bind_blob(1, key);
        statement.bind_blob(2, body);
        statement.bind(3, now);
      }
      code = statement.step();
      statement.reset();
      if (code == SQLITE_DONE) code = SQLITE_OK;
    }
    script = Statement();
    file = Statement();
    if (code == SQLITE_OK) {
      if (std::chrono::steady_clock::now() - transaction_began_ < kWriteTransactionSpan) return {};
      code = db.exec("COMMIT");
      if (code == SQLITE_OK) {
        transaction_open_ = false;
        return {};
      }
    }
    // The rows of earlier batches in this transaction are lost with it: a cache can afford it.
    std::string message = store_path().string() + ": " + db.error_message();
    db.exec("ROLLBACK");
    transaction_open_ = false;
    if (!sqlite::is_damage(code) || attempt > 0) return make_error(message);
    distrust_store(check_message(StoreCheck::kDamaged, store_path()));
  }
}

std::optional<FileRecord> ScriptCache::get_file(const std::string& key) {
  std::optional<FileRecord> found;
  bool damaged = false;
  int64_t last_used = 0;
  if (!skip_reads_)
    read_row(&Reader::file, key, [&](Statement& query) {
      last_used = query.integer(1);
      found = cache_row::decode_file(query.blob(0), key);
      damaged = !found;
    });
  if (!found && remote_) found = get_remote_file(key);
  std::lock_guard lock(mutex_);
  damaged_ += damaged;
  if (found && last_used < now_seconds() - kLastUsedResolution) used_files_.push_back(key);
  return found;
}

Result<void> ScriptCache::put_file(const std::string& key, const FileRecord& record) {
  if (access_ == Access::kReadOnly) return {};
  auto made = make_directory({});
  if (!made.ok()) return made;
  enqueue(Pending{std::nullopt, key, record}, true);
  return {};
}

Result<void> ScriptCache::flush_index() {
  auto writes = wait_for_writes();
  if (!writes.ok()) return writes;
  RemoteCounts remote;
  if (remote_) {
    remote_->drain();
    remote = remote_->take_counts();
  }
  uint64_t hits, misses, damaged;
  std::vector<std::string> used_scripts, used_files;
  {
    std::lock_guard lock(mutex_);
    hits = hits_, misses = misses_, damaged = damaged_;
    hits_ = misses_ = damaged_ = 0;
    used_scripts.swap(used_scripts_);
    used_files.swap(used_files_);
  }
  if (access_ == Access::kReadOnly) return {};
  if (hits + misses + damaged + remote.hits + remote.misses + remote.refused == 0 &&
      used_scripts.empty() && used_files.empty())
    return {};
  std::lock_guard writer(writer_mutex_);
  (void)commit_transaction();  // one a writer began since wait_for_writes: its rows go first
  bool rebuild = store_state_ == StoreState::kUnusable;
  if (rebuild) close_connections();
  follow_replaced_store();
  auto opened = open_writer(rebuild);
  if (!opened.ok()) return opened;
  Database& db = *writer_db_;
  int code = db.exec("BEGIN IMMEDIATE");
  {
    Statement count, touch_script, touch_file;
    if (code == SQLITE_OK)
      count = db.prepare(
          "INSERT INTO counters(name, value) VALUES(?1, ?2)"
          " ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
          &code);
    if (code == SQLITE_OK)
      touch_script = db.prepare("UPDATE scripts SET last_used=?2 WHERE key=?1", &code);
    if (code == SQLITE_OK)
      touch_file = db.prepare("UPDATE files SET last_used=?2 WHERE key=?1", &code);
    auto run = [&code](Statement& statement) {
      if (code != SQLITE_OK) return;
      code = statement.step();
      statement.reset();
      if (code == SQLITE_DONE) code = SQLITE_OK;
    };
    for (auto [name, value] : {std::pair{"hits", hits},
                               {"misses", misses},
                               {"damaged", damaged},
                               {"remote_hits", remote.hits},
                               {"remote_misses", remote.misses},
                               {"remote_refused", remote.refused}}) {
      if (value == 0 && std::string_view(name).starts_with("remote_")) continue;
      count.bind(1, std::string_view(name));
      count.bind(2, static_cast<int64_t>(value));
      run(count);
    }
    const int64_t now = now_seconds();
    for (auto [keys, statement] :
         {std::pair{&used_scripts, &touch_script}, {&used_files, &touch_file}}) {
      for (const std::string& key : *keys) {
        const std::string stored_key = cache_row::key_bytes(key);
        statement->bind_blob(1, stored_key);
        statement->bind(2, now);
        run(*statement);
      }
    }
  }
  if (code == SQLITE_OK) code = db.exec("COMMIT");
  if (code == SQLITE_OK) return {};
  std::string message = store_path().string() + ": " + db.error_message();
  db.exec("ROLLBACK");
  if (sqlite::is_damage(code)) distrust_store(check_message(StoreCheck::kDamaged, store_path()));
  return make_error(message);
}

Result<void> ScriptCache::commit_transaction() {
  if (!transaction_open_ || !writer_db_) {
    transaction_open_ = false;
    return {};
  }
  transaction_open_ = false;
  if (writer_db_->exec("COMMIT") == SQLITE_OK) return {};
  std::string message = store_path().string() + ": " + writer_db_->error_message();
  writer_db_->exec("ROLLBACK");
  return make_error(message);
}

void ScriptCache::close_connections() {
  (void)commit_transaction();  // a store replaced or damaged meanwhile: nothing to save
  writer_db_.reset();
  std::lock_guard lock(pool_mutex_);
  idle_readers_.clear();
  ++generation_;
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
