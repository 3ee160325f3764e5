#include "collector/store/sqlite_handle.h"

namespace regwatch::collector::store {

Error sqlite_error(sqlite3* db, int rc, std::string_view doing) {
  const int primary = rc & 0xff;
  std::string message = std::string(doing) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (primary == SQLITE_FULL) return make_error("disk_full", message + " (disk or database full)");
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    return make_error("database_corrupt", message + " (not a regwatch database, or damaged)");
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return make_error("busy", message);
  if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM) {
    return make_error("no_access", message);
  }
  return make_error("sqlite", message);
}

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return sqlite_error(db, rc, "preparing a statement");
  }
  Statement statement;
  statement.stmt_.reset(raw);
  return statement;
}

std::string_view Statement::column_text(int i) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), i));
  return text ? std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), i)))
              : std::string_view();
}

std::string_view Statement::column_blob(int i) const {
  const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), i));
  return blob ? std::string_view(blob, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), i)))
              : std::string_view();
}

Status exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, sql);
  return Ok{};
}

Result<SqliteDb> open_database(const std::string& path, bool read_only, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) return sqlite_error(db.get(), rc, "opening database " + path);
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  // Reading the schema fails with SQLITE_NOTADB on a file that is not a
  // database, before anything could write to it.
  // SQLite opens a file it may not write read-only without a word (and a WAL database in a
  // directory it may not write fails its first read); every commit would then fail after the
  // collector said it was listening. Refuse it here, at start-up.
  const auto read_only_error = [&] {
    return make_error("database_read_only",
                      "database " + path +
                          " is read-only to this process: check the owner and permissions of the "
                          "file and its directory, or a read-only mount");
  };
  if (auto probe = exec(db.get(), "SELECT count(*) FROM sqlite_master"); !probe.ok()) {
    if (!read_only && (sqlite3_errcode(db.get()) & 0xff) == SQLITE_READONLY)
      return read_only_error();
    return make_error(probe.error().code, "database " + path + ": " + probe.error().message);
  }
  if (!read_only && sqlite3_db_readonly(db.get(), "main") == 1) return read_only_error();
  return db;
}

}  // namespace regwatch::collector::store

namespace regwatch::collector::store {

void rollback(sqlite3* db) {
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace regwatch::collector::store
