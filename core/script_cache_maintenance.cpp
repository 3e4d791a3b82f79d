// ScriptCache's commands over the whole store (cache stats, clear, prune, export); the reading
// and writing path is in script_cache.cpp.
#include <sqlite3.h>

#include <algorithm>
#include <ctime>

#include "atomic_file.h"
#include "cache_directory.h"
#include "cache_row.h"
#include "cache_store.h"
#include "script_cache.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;
using sqlite::Database;
using sqlite::Statement;

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

// Counts the entry files of the layout of earlier versions below `directory`.
void count_entries(const fs::path& directory, uint64_t* files) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(directory, ec))) return;
  for (auto it = fs::recursive_directory_iterator(directory, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".json") ++*files;
  }
}

}  // namespace

Result<CacheStats> ScriptCache::stats() const {
  CacheStats stats;
  for (const char* folder : {"scripts", "tests", "files"})
    count_entries(directory_ / folder, &stats.earlier_layout_files);
  fs::path store = store_path();
  std::error_code ec;
  if (!fs::exists(store, ec)) return stats;
  for (const char* suffix : {"", "-wal"}) {
    uint64_t size = fs::file_size(with_suffix(store, suffix), ec);
    if (!ec) stats.bytes += size;
  }
  int code = SQLITE_OK;
  auto opened = Database::open(store, read_only_mode(store), kStoreBusyTimeoutMs, &code);
  if (!opened.ok()) return make_error(opened.error());
  Database& db = *opened;
  StoreCheck check = check_store(db, store, false);
  if (check == StoreCheck::kFresh) return stats;
  if (check != StoreCheck::kOurs)
    return make_error(check_message(check, store) + " (the next run that writes replaces it)");
  stats.scripts = static_cast<uint64_t>(db.integer("SELECT count(*) FROM scripts", &code));
  if (code == SQLITE_OK)
    stats.tests =
        static_cast<uint64_t>(db.integer("SELECT count(*) FROM scripts WHERE tested", &code));
  if (code == SQLITE_OK)
    stats.files = static_cast<uint64_t>(db.integer("SELECT count(*) FROM files", &code));
  Statement counters;
  if (code == SQLITE_OK) counters = db.prepare("SELECT name, value FROM counters", &code);
  while (code == SQLITE_OK) {
    int step = counters.step();
    if (step != SQLITE_ROW) {
      code = step == SQLITE_DONE ? SQLITE_OK : step;
      break;
    }
    std::string_view name = counters.text(0);
    uint64_t value = static_cast<uint64_t>(std::max<int64_t>(0, counters.integer(1)));
    if (name == "hits")
      stats.hits = value;
    else if (name == "misses")
      stats.misses = value;
    else if (name == "damaged")
      stats.damaged = value;
    else if (name == "remote_hits")
      stats.remote_hits = value;
    else if (name == "remote_misses")
      stats.remote_misses = value;
    else if (name == "remote_refused")
      stats.remote_refused = value;
  }
  if (code != SQLITE_OK) return make_error(store.string() + ": " + db.error_message());
  return stats;
}

Result<CacheRemoval> ScriptCache::clear() {
  (void)wait_for_writes();
  std::lock_guard writer(writer_mutex_);
  // check_cache_directory may read the store's header: opening and closing the file beside an
  // open connection would drop this process's locks on it.
  close_connections();
  auto recognised = check_cache_directory(directory_);
  if (!recognised.ok()) return make_error(recognised.error());
  auto removal = remove_cache_entries(directory_);  // files of earlier versions
  if (!removal.ok()) return removal;
  fs::path store = store_path();
  std::error_code ec;
  if (fs::remove(with_suffix(store, ".moved-aside"), ec)) ++removal->removed;
  if (!fs::exists(store, ec)) return removal;
  int code = SQLITE_OK;
  auto opened =
      Database::open(store, Database::Mode::kReadWriteExisting, kStoreBusyTimeoutMs, &code);
  StoreCheck check = opened.ok()               ? check_store(*opened, store, false)
                     : sqlite::is_damage(code) ? StoreCheck::kDamaged
                                               : StoreCheck::kError;
  if (check == StoreCheck::kOurs || check == StoreCheck::kFresh) {
    // Emptied in place, not deleted: a language server with the store open keeps using it.
    Database& db = *opened;
    int64_t rows = 0;
    if (check == StoreCheck::kOurs) {
      code = db.exec("BEGIN IMMEDIATE");
      if (code == SQLITE_OK) rows += db.integer("SELECT count(*) FROM scripts", &code);
      if (code == SQLITE_OK) rows += db.integer("SELECT count(*) FROM files", &code);
      if (code == SQLITE_OK)
        code = db.exec("DELETE FROM scripts;DELETE FROM files;DELETE FROM counters;COMMIT");
      if (code != SQLITE_OK) {
        std::string message = store.string() + ": " + db.error_message();
        db.exec("ROLLBACK");
        if (!sqlite::is_damage(code)) return make_error(message);
        check = StoreCheck::kDamaged;
      } else {
        db.exec("VACUUM");  // gives the space back; a busy store keeps it until later
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        removal->removed += static_cast<uint64_t>(rows);
      }
    }
    if (check != StoreCheck::kDamaged) return removal;
  }
  if (check == StoreCheck::kNotOurs || check == StoreCheck::kError) {
    ++removal->kept;
    return removal;
  }
  // Damaged or of another version: nothing in it can be used.
  opened = make_error("closed");
  for (const char* suffix : {"", "-wal", "-shm"})
    if (fs::remove(with_suffix(store, suffix), ec)) ++removal->removed;
  return removal;
}

Result<uint64_t> ScriptCache::prune(uint32_t max_age_days) {
  (void)wait_for_writes();
  std::lock_guard writer(writer_mutex_);
  close_connections();  // as in clear()
  auto recognised = check_cache_directory(directory_);
  if (!recognised.ok()) return make_error(recognised.error());
  std::error_code ec;
  if (!fs::exists(store_path(), ec)) return uint64_t{0};
  auto opened = open_writer(false);
  if (!opened.ok()) return make_error(opened.error());
  Database& db = *writer_db_;
  int64_t cutoff = now_seconds() - int64_t{86400} * max_age_days;
  int code = SQLITE_OK;
  uint64_t removed = 0;
  for (const char* sql :
       {"DELETE FROM scripts WHERE last_used <= ?1", "DELETE FROM files WHERE last_used <= ?1"}) {
    Statement statement = db.prepare(sql, &code);
    if (code != SQLITE_OK) break;
    statement.bind(1, cutoff);
    code = statement.step();
    if (code != SQLITE_DONE) break;
    code = SQLITE_OK;
    removed += static_cast<uint64_t>(db.changes());
  }
  if (code != SQLITE_OK) return make_error(store_path().string() + ": " + db.error_message());
  return removed;
}

Result<uint64_t> ScriptCache::export_to(const fs::path& target) {
  (void)wait_for_writes();
  fs::path store = store_path();
  std::error_code ec;
  if (!fs::exists(store, ec)) return uint64_t{0};
  int code = SQLITE_OK;
  auto opened = Database::open(store, read_only_mode(store), kStoreBusyTimeoutMs, &code);
  if (!opened.ok()) return make_error(opened.error());
  Database& db = *opened;
  StoreCheck check = check_store(db, store, false);
  if (check == StoreCheck::kFresh) return uint64_t{0};
  if (check != StoreCheck::kOurs) return make_error(check_message(check, store));
  Statement rows = db.prepare("SELECT key, language, body FROM scripts ORDER BY key", &code);
  if (code != SQLITE_OK) return make_error(store.string() + ": " + db.error_message());
  uint64_t written = 0;
  for (;;) {
    code = rows.step();
    if (code != SQLITE_ROW) break;
    std::string key = cache_row::key_text(rows.blob(0));
    std::string language(rows.text(1));
    // Only sound entries leave the store, and only under names of the expected shape.
    auto entry = cache_row::decode_script(rows.blob(2), key, language);
    if (!entry.ok() || key.size() < 8 || !is_cache_language_name(language)) continue;
    std::string stem =
        cache_safe_name(entry->script.function_name) + "_" + key.substr(0, 8) + ".json";
    fs::path script_file = target / "scripts" / language / stem;
    fs::path test_file = target / "tests" / language / ("test_" + stem);
    for (const fs::path& folder : {script_file.parent_path(), test_file.parent_path()}) {
      if (folder == test_file.parent_path() && !entry->test) continue;
      fs::create_directories(folder, ec);
      if (ec) return make_error(folder.string() + ": " + ec.message());
    }
    auto saved =
        write_file_atomically(script_file, script_to_json(entry->script), std::nullopt, false);
    if (saved.ok() && entry->test)
      saved =
          write_file_atomically(test_file, test_to_json(*entry->test, key), std::nullopt, false);
    if (!saved.ok()) return make_error(saved.error());
    ++written;
  }
  if (code != SQLITE_DONE) return make_error(store.string() + ": " + db.error_message());
  return written;
}

}  // namespace telinject
