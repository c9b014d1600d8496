#include "store/sqlite_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tern::store {

namespace {
Status SqlError(sqlite3* db, const std::string& what, const std::string& sql) {
  return Status::Internal("sqlite " + what + " failed for '" + sql + "': " + sqlite3_errmsg(db));
}
}  // namespace

Status SqliteStatement::Bind(const std::vector<SqlValue>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    const SqlValue& v = params[i];
    if (std::holds_alternative<std::nullptr_t>(v)) {
      rc = sqlite3_bind_null(stmt_.get(), idx);
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt_.get(), idx, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(stmt_.get(), idx, *d);
    } else {
      const auto& s = std::get<std::string>(v);
      rc = sqlite3_bind_text(stmt_.get(), idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) return SqlError(db_, "bind of parameter " + std::to_string(idx), sql_);
  }
  return Status::Ok();
}

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if (rc == SQLITE_CONSTRAINT) {
    return Status::AlreadyExists("constraint violated by '" + sql_ + "': " + sqlite3_errmsg(db_));
  }
  return SqlError(db_, "step", sql_);
}

std::string SqliteStatement::ColumnText(int i) const {
  const auto* p = sqlite3_column_text(stmt_.get(), i);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), i))};
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  // The state holds secrets (network keys): owner-only, also for a file an older version created. SQLite
  // gives its -wal and -shm files the database file's permissions.
  if (!path.empty() && path.front() != ':') {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
    ::chmod(path.c_str(), 0600);
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<SqliteDb> db(
      new SqliteDb(raw, path));  // NOLINT(cppcoreguidelines-owning-memory): private ctor
  if (rc != SQLITE_OK) {
    return Status::IoError("cannot open state database '" + path +
                           "': " + (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  TERN_RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"));
  return db;
}

Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return Status::Internal("sqlite exec failed for '" + sql + "' on '" + path_ + "': " + msg);
  }
  return Status::Ok();
}

Result<SqliteStatement> SqliteDb::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(db_.get(), "prepare", sql);
  }
  return SqliteStatement(db_.get(), stmt, sql);
}

Result<int> SqliteDb::Run(const std::string& sql, const std::vector<SqlValue>& params) {
  TERN_ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
  TERN_RETURN_IF_ERROR(stmt.Bind(params));
  TERN_ASSIGN_OR_RETURN(bool row, stmt.Step());
  (void)row;
  return sqlite3_changes(db_.get());
}

}  // namespace tern::store
