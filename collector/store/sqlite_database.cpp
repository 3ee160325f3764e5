#include "collector/store/sqlite_database.h"

#include <memory>

namespace regwatch::collector::store {
namespace {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;

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

Status exec_sql(sqlite3* db, std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  char* message = nullptr;
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, text);
  return Ok{};
}

// greatest(a, b): PostgreSQL's built-in, so that the stores' SQL says the same on both.
// (SQLite's own two-argument max() would do, but PostgreSQL has no such max.)
void greatest_function(sqlite3_context* context, int argc, sqlite3_value** argv) {
  sqlite3_value* larger = nullptr;
  for (int i = 0; i < argc; ++i) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) continue;  // as PostgreSQL: NULLs ignored
    if (!larger || sqlite3_value_int64(argv[i]) > sqlite3_value_int64(larger)) larger = argv[i];
  }
  if (larger) {
    sqlite3_result_value(context, larger);
  } else {
    sqlite3_result_null(context);
  }
}

// strpos(text, piece): PostgreSQL's name for SQLite's instr().
void strpos_function(sqlite3_context* context, int argc, sqlite3_value** argv) {
  (void)argc;
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const auto* piece = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  if (!text || !piece) {
    sqlite3_result_null(context);
    return;
  }
  const std::string_view haystack(text, static_cast<size_t>(sqlite3_value_bytes(argv[0])));
  const std::string_view needle(piece, static_cast<size_t>(sqlite3_value_bytes(argv[1])));
  const size_t at = haystack.find(needle);
  // Byte positions: every caller only asks whether the piece is there (> 0).
  sqlite3_result_int64(context, at == std::string_view::npos ? 0 : static_cast<int64_t>(at) + 1);
}

class SqliteStatement final : public StatementDriver {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void bind_int(int index, int64_t value) override {
    sqlite3_bind_int64(stmt_.get(), index, value);
  }
  void bind_text(int index, std::string_view text) override {
    // An empty view may have no data pointer, which SQLite would store as NULL, not ''.
    sqlite3_bind_text(stmt_.get(), index, text.empty() ? "" : text.data(),
                      static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int index, std::string_view bytes) override {
    sqlite3_bind_blob(stmt_.get(), index, bytes.empty() ? "" : bytes.data(),
                      static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  void bind_null(int index) override { sqlite3_bind_null(stmt_.get(), index); }
  int step() override { return sqlite3_step(stmt_.get()); }
  void reset() override {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
  }
  int64_t column_int(int i) const override { return sqlite3_column_int64(stmt_.get(), i); }
  std::string_view column_text(int i) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), i));
    return text ? std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), i)))
                : std::string_view();
  }
  std::string_view column_blob(int i) const override {
    const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), i));
    return blob ? std::string_view(blob, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), i)))
                : std::string_view();
  }
  bool column_is_null(int i) const override {
    return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL;
  }

 private:
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(SqliteDb db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
  Dialect dialect() const override { return Dialect::kSqlite; }
  const std::string& location() const override { return path_; }
  Result<std::unique_ptr<StatementDriver>> prepare(std::string_view sql) override {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return sqlite_error(db_.get(), rc, "preparing a statement");
    }
    return std::unique_ptr<StatementDriver>(std::make_unique<SqliteStatement>(raw));
  }
  Status exec(std::string_view sql) override { return exec_sql(db_.get(), sql); }
  int64_t changes() const override { return sqlite3_changes64(db_.get()); }
  Error last_error(int rc, std::string_view doing) const override {
    return sqlite_error(db_.get(), rc, doing);
  }
  sqlite3* sqlite_handle() override { return db_.get(); }

 private:
  SqliteDb db_;
  std::string path_;
};

}  // namespace

Result<DatabasePtr> open_sqlite_database(const std::string& path, bool read_only,
                                         int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
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
  if (auto probe = exec_sql(db.get(), "SELECT count(*) FROM sqlite_master"); !probe.ok()) {
    if (!read_only && (sqlite3_errcode(db.get()) & 0xff) == SQLITE_READONLY)
      return read_only_error();
    return make_error(probe.error().code, "database " + path + ": " + probe.error().message);
  }
  if (!read_only && sqlite3_db_readonly(db.get(), "main") == 1) return read_only_error();
  for (const auto& [name, function] :
       {std::pair{"greatest", &greatest_function}, std::pair{"strpos", &strpos_function}}) {
    const int arguments = std::string_view(name) == "greatest" ? -1 : 2;
    if (int added = sqlite3_create_function_v2(db.get(), name, arguments,
                                               SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                               function, nullptr, nullptr, nullptr);
        added != SQLITE_OK) {
      return sqlite_error(db.get(), added, std::string("adding the SQL function ") + name);
    }
  }
  return DatabasePtr(std::make_unique<SqliteDatabase>(std::move(db), path));
}

}  // namespace regwatch::collector::store
