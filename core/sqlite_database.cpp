#include "sqlite_database.h"

#include <sqlite3.h>

namespace telinject::sqlite {

bool is_damage(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    statement_ = other.statement_;
    other.statement_ = nullptr;
  }
  return *this;
}

void Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
}

void Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(statement_, index, bytes.data() ? bytes.data() : "",
                    static_cast<int>(bytes.size()), SQLITE_STATIC);
}

void Statement::bind(int index, int64_t value) { sqlite3_bind_int64(statement_, index, value); }

int Statement::step() { return statement_ ? sqlite3_step(statement_) : SQLITE_MISUSE; }

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::string_view Statement::blob(int index) const {
  const void* bytes = sqlite3_column_blob(statement_, index);
  if (!bytes) return {};
  return {static_cast<const char*>(bytes),
          static_cast<size_t>(sqlite3_column_bytes(statement_, index))};
}

std::string_view Statement::text(int index) const {
  const unsigned char* bytes = sqlite3_column_text(statement_, index);
  if (!bytes) return {};
  return {reinterpret_cast<const char*>(bytes),
          static_cast<size_t>(sqlite3_column_bytes(statement_, index))};
}

int64_t Statement::integer(int index) const { return sqlite3_column_int64(statement_, index); }

Database::~Database() { sqlite3_close_v2(db_); }

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

Result<Database> Database::open(const std::filesystem::path& path, Mode mode, int busy_timeout_ms,
                                int* code) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  std::string name = path.string();
  switch (mode) {
    case Mode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case Mode::kReadWriteExisting:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Mode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case Mode::kImmutable:
      flags |= SQLITE_OPEN_READONLY;
      break;
  }
  // As a URI so that no file name is taken for one and options can be added.
  std::string uri = "file:";
  for (unsigned char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '.' || c == '_' || c == '-';
    if (plain) {
      uri.push_back(static_cast<char>(c));
    } else {
      static const char kHex[] = "0123456789ABCDEF";
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 15];
    }
  }
  // A read-only connection never writes the -shm either (SQLite keeps what it needs in memory).
  if (mode == Mode::kReadOnly) uri += "?readonly_shm=1";
  if (mode == Mode::kImmutable) uri += "?immutable=1";
  Database database;
  int rc = sqlite3_open_v2(uri.c_str(), &database.db_, flags, nullptr);
  if (code) *code = rc;
  if (rc != SQLITE_OK) {
    std::string message = database.db_ ? sqlite3_errmsg(database.db_) : sqlite3_errstr(rc);
    return make_error(name + ": " + message);
  }
  sqlite3_extended_result_codes(database.db_, 1);
  sqlite3_busy_timeout(database.db_, busy_timeout_ms);
  return database;
}

int Database::exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

int64_t Database::integer(const char* sql, int* code) {
  Statement statement = prepare(sql, code);
  if (*code != SQLITE_OK) return 0;
  int rc = statement.step();
  if (rc == SQLITE_ROW) {
    *code = SQLITE_OK;
    return statement.integer(0);
  }
  *code = rc == SQLITE_DONE ? SQLITE_OK : rc;
  return 0;
}

Statement Database::prepare(const char* sql, int* code) {
  sqlite3_stmt* statement = nullptr;
  *code = sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr);
  return Statement(statement);
}

std::string Database::read_file_header(size_t size) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file ||
      !file->pMethods)
    return {};
  std::string bytes(size, '\0');
  int rc = file->pMethods->xRead(file, bytes.data(), static_cast<int>(size), 0);
  return rc == SQLITE_OK ? bytes : std::string();
}

int64_t Database::changes() const { return sqlite3_changes64(db_); }

std::string Database::error_message() const { return db_ ? sqlite3_errmsg(db_) : "not open"; }

}  // namespace telinject::sqlite
