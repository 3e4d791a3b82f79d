// A thin owner of one SQLite connection and its prepared statements, for the script cache's
// store (script_cache.cpp). Knows SQL, not the cache's schema.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace telinject::sqlite {

/// Whether `code` (a primary or extended SQLite result code) says the file is not a sound
/// database: SQLITE_CORRUPT or SQLITE_NOTADB.
bool is_damage(int code);

/// A prepared statement. Move-only; finalized by its destructor. Not thread-safe: it belongs to
/// the thread that uses its connection.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
  ~Statement();
  Statement(Statement&& other) noexcept : statement_(other.statement_) {
    other.statement_ = nullptr;
  }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds parameter `index` (1-based). The text is copied.
  void bind(int index, std::string_view text);
  void bind(int index, int64_t value);
  /// Binds bytes as a BLOB without copying them: they must stay alive until reset().
  void bind_blob(int index, std::string_view bytes);
  /// SQLITE_ROW, SQLITE_DONE, or an error code.
  int step();
  /// Ready for new bindings (call after the last step).
  void reset();
  /// Column `index` (0-based) of the current row; valid until the next step or reset.
  std::string_view text(int index) const;
  int64_t integer(int index) const;
  /// A BLOB (or any) column's bytes; valid until the next step or reset.
  std::string_view blob(int index) const;

 private:
  sqlite3_stmt* statement_ = nullptr;
};

/// One connection. Move-only; closed by its destructor. A connection is used by one thread at a
/// time (opened with SQLITE_OPEN_NOMUTEX): callers guard it.
class Database {
 public:
  enum class Mode {
    kReadWrite,          // creates the file when missing
    kReadWriteExisting,  // fails when the file is missing
    kReadOnly,           // needs the file's -wal and -shm to exist; writes none of them
    kImmutable,          // read-only, no locks and no -shm: for a file nobody else writes
  };

  Database() = default;
  ~Database();
  Database(Database&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Opens `path` with a busy timeout of `busy_timeout_ms`. On failure, the error and
  /// `*code` (when given) the SQLite result code.
  static Result<Database> open(const std::filesystem::path& path, Mode mode, int busy_timeout_ms,
                               int* code = nullptr);

  bool is_open() const { return db_ != nullptr; }
  /// The connection itself, for calls this class does not wrap.
  sqlite3* handle() const { return db_; }
  /// Runs `sql` (one or more statements, no results). Returns the SQLite result code.
  int exec(const char* sql);
  /// The first column of the first row of `sql`, or `*code` set to the error.
  int64_t integer(const char* sql, int* code);
  /// A prepared statement; `*code` is SQLITE_OK or the error.
  Statement prepare(const char* sql, int* code);
  /// The first `size` bytes of the main database file, read through SQLite's own file handle
  /// (opening the file again and closing it would drop this process's POSIX locks on it).
  /// Empty when nothing could be read.
  std::string read_file_header(size_t size);
  /// Rows changed by the last statement.
  int64_t changes() const;
  /// The message of the last error on this connection.
  std::string error_message() const;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace telinject::sqlite
