#include "collector/store/migrations.h"

#include <string_view>

#include "collector/store/incident_state_migration.h"
#include "collector/store/legacy_records.h"
#include "collector/store/phone_summary_backfill.h"
#include "collector/store/sqlite_handle.h"

namespace regwatch::collector::store {
namespace {

// The step in C++ that a migration needs after its SQL, in the same transaction: what SQL alone
// cannot do (010: JSON bodies into proto records; 012: incident states as words into the enum;
// 013: phones' addresses and descriptions from the payloads).
Status after_sql(sqlite3* db, std::string_view migration) {
  if (migration == "010_typed_records.sql") {
    auto converted = convert_legacy_records(db);
    if (!converted.ok()) return converted.error();
  }
  if (migration == "012_incident_state_enum.sql") {
    auto converted = convert_incident_states(db);
    if (!converted.ok()) return converted.error();
  }
  if (migration == "013_summaries.sql") return backfill_phone_summaries(db);
  return Ok{};
}

}  // namespace

int latest_schema_version() {
  return static_cast<int>(embedded_migrations().size());
}

Result<int> read_user_version(sqlite3* db) {
  auto statement = Statement::prepare(db, "PRAGMA user_version");
  if (!statement.ok()) return statement.error();
  if (statement->step() != SQLITE_ROW)
    return sqlite_error(db, SQLITE_ERROR, "reading user_version");
  return static_cast<int>(statement->column_int(0));
}

Result<int> apply_migrations(sqlite3* db, const std::string& path) {
  auto current = read_user_version(db);
  if (!current.ok()) return current.error();
  const int latest = latest_schema_version();
  if (*current > latest) {
    return make_error("schema_too_new",
                      "database " + path + " has schema version " + std::to_string(*current) +
                          ", newer than this collector supports (" + std::to_string(latest) +
                          "); upgrade regwatch-collector");
  }
  if (*current == 0) {
    // A version-0 file with tables of its own is someone else's database.
    auto tables = Statement::prepare(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    if (!tables.ok()) return tables.error();
    if (tables->step() == SQLITE_ROW && tables->column_int(0) > 0) {
      return make_error("foreign_database", "database " + path +
                                                " has tables but no regwatch schema version: not a "
                                                "regwatch database; refusing to touch it");
    }
  }
  const auto& migrations = embedded_migrations();
  for (int version = *current; version < latest; ++version) {
    if (auto begin = exec(db, "BEGIN IMMEDIATE"); !begin.ok()) return begin.error();
    auto applied = exec(db, migrations[static_cast<size_t>(version)].sql.c_str());
    if (applied.ok()) applied = after_sql(db, migrations[static_cast<size_t>(version)].name);
    if (applied.ok()) {
      applied = exec(db, ("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
    }
    if (!applied.ok()) {
      rollback(db);
      return make_error(applied.error().code, "migration " +
                                                  migrations[static_cast<size_t>(version)].name +
                                                  " failed: " + applied.error().message);
    }
    if (auto commit = exec(db, "COMMIT"); !commit.ok()) {
      rollback(db);
      return commit.error();
    }
  }
  return latest;
}

}  // namespace regwatch::collector::store
