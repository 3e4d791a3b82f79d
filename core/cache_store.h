// The script cache's SQLite file (kCacheStoreName below the cache directory): what makes it
// telinject's (the mark in its header, PRAGMA application_id), its schema and version, and how
// a sound store is told from a damaged or foreign one. Used by ScriptCache only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include "sqlite_database.h"

namespace telinject {

/// How long a connection waits for another process's write transaction (one batch).
inline constexpr int kStoreBusyTimeoutMs = 30000;

/// What a store is, seen from one connection.
enum class StoreCheck {
  kFresh,           // empty (being made, or just created): no schema yet
  kOurs,            // telinject's mark and this schema version
  kDamaged,         // SQLite says it is not a sound database
  kForeignVersion,  // telinject's, of another schema version
  kNotOurs,         // another program's database
  kError,           // could not be read (busy, I/O): nothing is concluded
};

/// Checks the store `db` has open (at `path`) in one read transaction. `thorough` also runs
/// SQLite's quick_check (which reads the whole file), as does a file shorter than its header
/// says. Never opens the file beside the connection (that would drop this process's locks).
StoreCheck check_store(sqlite::Database& db, const std::filesystem::path& path, bool thorough);

/// "<path> is damaged", "… was written by another version of telinject", ….
std::string check_message(StoreCheck check, const std::filesystem::path& path);

/// Marks a fresh store as telinject's (in the main file, before WAL mode is on, so that
/// is_telinject_store can read it), turns WAL mode on and makes the tables and the version.
/// Idempotent: processes making the store at once all succeed. Returns the SQLite code.
int create_store_schema(sqlite::Database& db);

/// How a reader that must write nothing opens the store: with its -wal and -shm (kept by
/// writers) read-only; without them (a copied store), the file alone, immutable.
sqlite::Database::Mode read_only_mode(const std::filesystem::path& store);

/// Device and inode of `path`, or zeros.
std::pair<uint64_t, uint64_t> file_identity(const std::filesystem::path& path);

/// `path` with `suffix` appended to its file name ("-wal", ".moved-aside").
std::filesystem::path with_suffix(const std::filesystem::path& path, const char* suffix);

}  // namespace telinject
