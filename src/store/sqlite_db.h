// SqliteDb / SqliteStatement: RAII owners of sqlite3* and sqlite3_stmt* with Status-returning operations.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"

namespace tern::store {

using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;

class SqliteStatement {
 public:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}

  Status Bind(const std::vector<SqlValue>& params);
  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_.get(), i); }
  std::string ColumnText(int i) const;
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::string sql_;
};

class SqliteDb {
 public:
  // Opens (creating) the database file; WAL mode, foreign keys on, busy timeout.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);

  Status Exec(const std::string& sql);  // one or more statements, no parameters
  Result<SqliteStatement> Prepare(const std::string& sql);
  // Prepares, binds and runs a statement that returns no rows; returns the number of changed rows.
  Result<int> Run(const std::string& sql, const std::vector<SqlValue>& params);
  const std::string& path() const { return path_; }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

}  // namespace tern::store
