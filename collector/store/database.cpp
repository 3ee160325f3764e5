#include "collector/store/database.h"

#include "collector/store/postgres_database.h"
#include "collector/store/sqlite_database.h"

namespace regwatch::collector::store {

Result<Statement> Statement::prepare(Database* db, std::string_view sql) {
  auto driver = db->prepare(sql);
  if (!driver.ok()) return driver.error();
  Statement statement;
  statement.driver_ = std::move(driver).value();
  return statement;
}

bool is_postgresql_location(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<DatabasePtr> open_database(const std::string& location, bool read_only,
                                  int busy_timeout_ms) {
  if (is_postgresql_location(location))
    return open_postgres_database(location, read_only, busy_timeout_ms);
  return open_sqlite_database(location, read_only, busy_timeout_ms);
}

Error database_error(Database* db, int rc, std::string_view doing) {
  return db->last_error(rc, doing);
}

Status exec(Database* db, std::string_view sql) {
  return db->exec(sql);
}

Status begin_write(Database* db) {
  return db->exec(db->dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Status begin_snapshot(Database* db) {
  return db->exec(db->dialect() == Dialect::kSqlite
                      ? "BEGIN"
                      : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

Status commit(Database* db) {
  return db->exec("COMMIT");
}

void rollback(Database* db) {
  (void)db->exec("ROLLBACK");
}

int64_t changes(Database* db) {
  return db->changes();
}

}  // namespace regwatch::collector::store
