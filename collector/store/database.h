#pragma once
// Database: one connection to the store, SQLite or PostgreSQL, behind one interface, so that
// every store (events, summaries, incidents, conditions, the notification outbox, silences)
// writes its SQL once and runs on both backends.
//
// open_database(location):
//   "/var/lib/regwatch/events.db", "events.db"   SQLite (sqlite_database.cpp)
//   "postgresql://user@host/db?...", "postgres://..."  PostgreSQL over libpq
//                                                (postgres_database.cpp)
//
// The SQL the stores write runs on both:
// - parameters as ?N (or a bare ?, numbered as SQLite numbers it: one more than the largest so
//   far); the PostgreSQL driver turns them into $N outside quoted text;
// - INSERT ... ON CONFLICT (...) DO NOTHING / DO UPDATE SET x = excluded.x, never INSERT OR
//   IGNORE / OR REPLACE;
// - greatest(a, b) for the larger of two values (SQLite's driver adds the function);
// - text parameters are bound untyped, so PostgreSQL infers them from where they stand (a
//   text column's collation applies); integers as bigint, blobs as bytea.
// Anything else that differs goes through dialect() at the one place that needs it.
//
// Errors: step() returns kStepRow, kStepDone or another code; database_error(db, rc, doing)
// then names what failed with the driver's message and a code callers act on:
//   "disk_full"         the disk or database is full (SQLite FULL, PostgreSQL class 53)
//   "database_corrupt"  not a database, or damaged
//   "busy"              locked, a serialization failure or deadlock: try again
//   "no_access"         the file or role may not do it
//   "unavailable"       the PostgreSQL server cannot be reached or went away
//   "sqlite" / "postgresql"  anything else
//
// Threads: a Database and its statements are used by one thread at a time.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace regwatch::collector::store {

enum class Dialect { kSqlite, kPostgresql };

// What Statement::step() returns besides an error code (SQLite's own values, so that its
// driver passes them through).
inline constexpr int kStepRow = SQLITE_ROW;
inline constexpr int kStepDone = SQLITE_DONE;

// One prepared statement of one connection; a driver implements it.
class StatementDriver {
 public:
  virtual ~StatementDriver() = default;
  virtual void bind_int(int index, int64_t value) = 0;
  virtual void bind_text(int index, std::string_view text) = 0;
  virtual void bind_blob(int index, std::string_view bytes) = 0;
  virtual void bind_null(int index) = 0;
  // Runs the statement at the first call after bind/reset; each call then gives the next row.
  virtual int step() = 0;
  // Back to before the first step, bindings cleared.
  virtual void reset() = 0;
  virtual int64_t column_int(int i) const = 0;
  // Valid until the next step() or reset().
  virtual std::string_view column_text(int i) const = 0;
  virtual std::string_view column_blob(int i) const = 0;
  virtual bool column_is_null(int i) const = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // Where it is, for messages (a PostgreSQL URL without its password).
  virtual const std::string& location() const = 0;
  virtual Result<std::unique_ptr<StatementDriver>> prepare(std::string_view sql) = 0;
  // One or more statements without parameters.
  virtual Status exec(std::string_view sql) = 0;
  // Rows the last INSERT, UPDATE or DELETE changed.
  virtual int64_t changes() const = 0;
  // The error of the last failed call, with a code as listed above.
  virtual Error last_error(int rc, std::string_view doing) const = 0;
  // The SQLite connection, for what only SQLite has (its pragmas, old migrations' C++ steps);
  // nullptr on PostgreSQL.
  virtual sqlite3* sqlite_handle() { return nullptr; }
};
using DatabasePtr = std::unique_ptr<Database>;

// A prepared statement; the call sites' one type whatever the driver.
class Statement {
 public:
  Statement() = default;
  static Result<Statement> prepare(Database* db, std::string_view sql);

  void bind(int index, int64_t value) { driver_->bind_int(index, value); }
  void bind(int index, std::string_view text) { driver_->bind_text(index, text); }
  void bind_blob(int index, std::string_view bytes) { driver_->bind_blob(index, bytes); }
  void bind_null(int index) { driver_->bind_null(index); }
  // kStepRow, kStepDone, or an error code for database_error().
  int step() { return driver_->step(); }
  void reset() { driver_->reset(); }
  int64_t column_int(int i) const { return driver_->column_int(i); }
  std::string_view column_text(int i) const { return driver_->column_text(i); }
  std::string_view column_blob(int i) const { return driver_->column_blob(i); }
  bool column_is_null(int i) const { return driver_->column_is_null(i); }

 private:
  std::unique_ptr<StatementDriver> driver_;
};

// True for a location that names a PostgreSQL server (postgresql:// or postgres://).
bool is_postgresql_location(std::string_view location);
// Opens either backend. read_only: SQLite opens the file read-only; PostgreSQL sets the
// session read-only. busy_timeout_ms: how long SQLite waits for a lock; PostgreSQL's
// lock_timeout.
Result<DatabasePtr> open_database(const std::string& location, bool read_only, int busy_timeout_ms);

Error database_error(Database* db, int rc, std::string_view doing);
Status exec(Database* db, std::string_view sql);
// Starts a transaction that writes: BEGIN IMMEDIATE on SQLite (the write lock now, not at the
// first write), BEGIN on PostgreSQL.
Status begin_write(Database* db);
// Starts a read-only transaction whose reads all see one snapshot: BEGIN on SQLite (WAL gives a
// snapshot from the first read), REPEATABLE READ on PostgreSQL.
Status begin_snapshot(Database* db);
Status commit(Database* db);
// Best effort after a failure: the original error is what the caller reports.
void rollback(Database* db);
int64_t changes(Database* db);

}  // namespace regwatch::collector::store
