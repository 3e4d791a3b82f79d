#include "cache_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "cache_directory.h"
#include "script_cache.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;
using sqlite::Database;
using sqlite::Statement;

// Keys are 32 raw bytes; values are cache_row.h's binary rows. Rowid tables on purpose: a row is
// appended in insertion order and only the small key index takes writes at random places. With
// WITHOUT ROWID tables (one B-tree ordered by SHA-256) every commit rewrote random pages all over
// the table: a cold run of the stdlib bench made 221,923 page writes, against 48,584 this way.
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS scripts(key BLOB PRIMARY KEY NOT NULL, language TEXT NOT NULL,"
    " tested INTEGER NOT NULL, body BLOB NOT NULL, last_used INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS files(key BLOB PRIMARY KEY NOT NULL, body BLOB NOT NULL,"
    " last_used INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);";

// Whether the file is shorter than its header says (a truncated copy or disk damage). Only a
// hint: a checkpoint in progress can show the same, so the caller confirms with quick_check.
// Reads through the connection: the file is never opened (nor closed) beside SQLite.
bool looks_truncated(Database& db, const fs::path& path) {
  std::string bytes = db.read_file_header(100);
  if (bytes.size() < 100) return false;
  const auto* header = reinterpret_cast<const unsigned char*>(bytes.data());
  auto be32 = [&](int at) {
    return (uint32_t{header[at]} << 24) | (uint32_t{header[at + 1]} << 16) |
           (uint32_t{header[at + 2]} << 8) | uint32_t{header[at + 3]};
  };
  uint32_t page_size = (uint32_t{header[16]} << 8) | header[17];
  if (page_size == 1) page_size = 65536;
  uint32_t pages = be32(28);
  if (pages == 0 || be32(24) != be32(92)) return false;  // the header's size is not valid
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  return !ec && size < uint64_t{pages} * page_size;
}

}  // namespace

std::pair<uint64_t, uint64_t> file_identity(const fs::path& path) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0) return {0, 0};
  return {static_cast<uint64_t>(status.st_dev), static_cast<uint64_t>(status.st_ino)};
}

fs::path with_suffix(const fs::path& path, const char* suffix) {
  return fs::path(path.string() + suffix);
}

StoreCheck check_store(Database& db, const fs::path& path, bool thorough) {
  // One read transaction: the header fields and the schema are seen as one writer left them
  // (another process may be making the store right now).
  struct ReadTransaction {
    Database& db;
    ~ReadTransaction() { db.exec("COMMIT"); }
  } transaction{db};
  int code = db.exec("BEGIN");
  if (code != SQLITE_OK) return sqlite::is_damage(code) ? StoreCheck::kDamaged : StoreCheck::kError;
  int64_t application = db.integer("PRAGMA application_id", &code);
  if (code != SQLITE_OK) return sqlite::is_damage(code) ? StoreCheck::kDamaged : StoreCheck::kError;
  int64_t version = db.integer("PRAGMA user_version", &code);
  if (code != SQLITE_OK) return sqlite::is_damage(code) ? StoreCheck::kDamaged : StoreCheck::kError;
  int64_t tables = db.integer("SELECT count(*) FROM sqlite_schema", &code);
  if (code != SQLITE_OK) return sqlite::is_damage(code) ? StoreCheck::kDamaged : StoreCheck::kError;
  if (version == 0 && tables == 0 && (application == 0 || application == kCacheApplicationId))
    return StoreCheck::kFresh;
  if (application != kCacheApplicationId) return StoreCheck::kNotOurs;
  if (version != kCacheSchemaVersion) return StoreCheck::kForeignVersion;
  if (thorough || looks_truncated(db, path)) {
    Statement check = db.prepare("PRAGMA quick_check(1)", &code);
    if (code != SQLITE_OK)
      return sqlite::is_damage(code) ? StoreCheck::kDamaged : StoreCheck::kError;
    code = check.step();
    if (code != SQLITE_ROW)
      return sqlite::is_damage(code) ? StoreCheck::kDamaged : StoreCheck::kError;
    if (check.text(0) != "ok") return StoreCheck::kDamaged;
  }
  return StoreCheck::kOurs;
}

std::string check_message(StoreCheck check, const fs::path& path) {
  switch (check) {
    case StoreCheck::kDamaged:
      return path.string() + " is damaged";
    case StoreCheck::kForeignVersion:
      return path.string() + " was written by another version of telinject";
    case StoreCheck::kNotOurs:
      return path.string() + " is not a telinject cache";
    default:
      return path.string() + ": cannot be read";
  }
}

Database::Mode read_only_mode(const fs::path& store) {
  std::error_code ec;
  return fs::exists(with_suffix(store, "-wal"), ec) && fs::exists(with_suffix(store, "-shm"), ec)
             ? Database::Mode::kReadOnly
             : Database::Mode::kImmutable;
}

int create_store_schema(Database& db) {
  // The mark goes into the main file before WAL mode is on: check_cache_directory reads it.
  std::string mark = "PRAGMA application_id=" + std::to_string(kCacheApplicationId);
  int code = db.exec(mark.c_str());
  if (code == SQLITE_OK) code = db.exec("PRAGMA journal_mode=WAL");
  if (code == SQLITE_OK) code = db.exec("BEGIN IMMEDIATE");
  if (code == SQLITE_OK) {
    // Another process may have made it meanwhile: the statements are idempotent.
    std::string schema = std::string(kSchema) +
                         "PRAGMA user_version=" + std::to_string(kCacheSchemaVersion) + ";COMMIT;";
    code = db.exec(schema.c_str());
    if (code != SQLITE_OK) db.exec("ROLLBACK");
  }
  return code;
}

}  // namespace telinject
