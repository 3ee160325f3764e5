#pragma once
// RAII for sqlite3 connections and prepared statements. Values are always
// bound, never spliced into SQL. Errors come back as Result with SQLite's
// message; SQLITE_FULL maps to the code "disk_full", a file that is not a
// database to "database_corrupt".
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace regwatch::collector::store {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;

Error sqlite_error(sqlite3* db, int rc, std::string_view doing);

class Statement {
 public:
  Statement() = default;
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  void bind(int index, int64_t value) { sqlite3_bind_int64(stmt_.get(), index, value); }
  void bind(int index, std::string_view text) {
    // An empty view may have no data pointer, which SQLite would store as NULL, not ''.
    sqlite3_bind_text(stmt_.get(), index, text.empty() ? "" : text.data(),
                      static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int index, std::string_view bytes) {
    sqlite3_bind_blob(stmt_.get(), index, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
  }
  void bind_null(int index) { sqlite3_bind_null(stmt_.get(), index); }

  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() { return sqlite3_step(stmt_.get()); }
  void reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }
  int64_t column_int(int i) const { return sqlite3_column_int64(stmt_.get(), i); }
  std::string_view column_text(int i) const;
  std::string_view column_blob(int i) const;
  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt_;
};

// Opens (read-write-create or read-only), sets busy_timeout and checks that
// the file really is a SQLite database before anything writes to it.
Result<SqliteDb> open_database(const std::string& path, bool read_only, int busy_timeout_ms);
Status exec(sqlite3* db, const char* sql);
// Best effort after a failure: the original error is what the caller reports.
void rollback(sqlite3* db);

}  // namespace regwatch::collector::store
