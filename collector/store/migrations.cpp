#include "collector/store/migrations.h"

#include <charconv>
#include <string_view>

#include "collector/store/incident_state_migration.h"
#include "collector/store/legacy_records.h"
#include "collector/store/phone_summary_backfill.h"

namespace regwatch::collector::store {
namespace {

// The step in C++ that a SQLite migration needs after its SQL, in the same transaction: what
// SQL alone cannot do (010: JSON bodies into proto records; 012: incident states as words into
// the enum; 013: phones' addresses and descriptions from the payloads). PostgreSQL starts at
// 013 and needs none of them.
Status after_sql(Database* db, std::string_view migration) {
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

// NNN of "NNN_name.sql"; 0 when the name has no number (the build embeds no such file).
int version_of(const Migration& migration) {
  int version = 0;
  std::from_chars(migration.name.data(), migration.name.data() + migration.name.size(), version);
  return version;
}

// The key of the advisory lock PostgreSQL migrations take ("regwatch" in ASCII, as a number).
constexpr int64_t kMigrationLockKey = 0x7265677761746368;

Result<int64_t> single_number(Database* db, std::string_view sql, std::string_view doing) {
  auto statement = Statement::prepare(db, sql);
  if (!statement.ok()) return statement.error();
  const int rc = statement->step();
  if (rc != kStepRow) return database_error(db, rc, doing);
  return statement->column_int(0);
}

Result<bool> has_foreign_tables(Database* db) {
  auto tables = single_number(
      db,
      db->dialect() == Dialect::kSqlite
          ? "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
          : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
      "listing the database's tables");
  if (!tables.ok()) return tables.error();
  return *tables > 0;
}

Status record_version(Database* db, int version) {
  if (db->dialect() == Dialect::kSqlite)
    return exec(db, "PRAGMA user_version = " + std::to_string(version));
  return exec(db, "DELETE FROM regwatch_schema; INSERT INTO regwatch_schema (version) VALUES (" +
                      std::to_string(version) + ")");
}

Status apply_one(Database* db, const Migration& migration, int version) {
  Status applied = exec(db, migration.sql);
  if (applied.ok() && db->dialect() == Dialect::kSqlite) applied = after_sql(db, migration.name);
  if (applied.ok()) applied = record_version(db, version);
  return applied;
}

}  // namespace

int latest_schema_version() {
  return static_cast<int>(embedded_migrations().size());
}

Result<int> read_user_version(Database* db) {
  if (db->dialect() == Dialect::kSqlite) {
    auto version = single_number(db, "PRAGMA user_version", "reading user_version");
    if (!version.ok()) return version.error();
    return static_cast<int>(*version);
  }
  auto exists = single_number(db,
                              "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = "
                              "'regwatch_schema' AND schemaname = current_schema()",
                              "looking for regwatch_schema");
  if (!exists.ok()) return exists.error();
  if (*exists == 0) return 0;
  auto version = single_number(db, "SELECT coalesce(max(version), 0) FROM regwatch_schema",
                               "reading regwatch_schema");
  if (!version.ok()) return version.error();
  return static_cast<int>(*version);
}

Result<int> apply_migrations(Database* db, const std::string& /*path*/) {
  // Messages name the database as the driver shows it (a URL without its password).
  const std::string& path = db->location();
  const bool postgresql = db->dialect() == Dialect::kPostgresql;
  const int latest = latest_schema_version();
  const auto& migrations = postgresql ? embedded_postgresql_migrations() : embedded_migrations();
  for (;;) {
    if (auto begin = begin_write(db); !begin.ok()) return begin.error();
    if (postgresql) {
      // Another collector may be migrating the same database: one at a time, and each reads
      // the version again once it holds the lock.
      if (auto locked =
              exec(db, "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
          !locked.ok()) {
        rollback(db);
        return locked.error();
      }
    }
    auto current = read_user_version(db);
    if (!current.ok()) {
      rollback(db);
      return current.error();
    }
    if (*current > latest) {
      rollback(db);
      return make_error("schema_too_new",
                        "database " + path + " has schema version " + std::to_string(*current) +
                            ", newer than this collector supports (" + std::to_string(latest) +
                            "); upgrade regwatch-collector");
    }
    if (*current == latest) {
      rollback(db);  // nothing written
      return latest;
    }
    if (*current == 0) {
      auto foreign = has_foreign_tables(db);
      if (!foreign.ok() || *foreign) {
        rollback(db);
        if (!foreign.ok()) return foreign.error();
        return make_error("foreign_database", "database " + path +
                                                  " has tables but no regwatch schema version: "
                                                  "not a regwatch database; refusing to touch it");
      }
      if (postgresql) {
        if (auto made = exec(db, "CREATE TABLE regwatch_schema (version INTEGER NOT NULL)");
            !made.ok()) {
          rollback(db);
          return made.error();
        }
      }
    }
    // The next migration: SQLite's are one per version; PostgreSQL's first is the baseline at
    // the SQLite version it equals, from any version before it.
    const Migration* next = nullptr;
    for (const auto& migration : migrations) {
      if (version_of(migration) > *current) {
        next = &migration;
        break;
      }
    }
    if (next == nullptr) {
      rollback(db);
      return make_error("schema_missing", "no migration from schema version " +
                                              std::to_string(*current) +
                                              " is built into this "
                                              "collector for " +
                                              path);
    }
    if (auto applied = apply_one(db, *next, version_of(*next)); !applied.ok()) {
      rollback(db);
      return make_error(applied.error().code,
                        "migration " + next->name + " failed: " + applied.error().message);
    }
    if (auto committed = commit(db); !committed.ok()) {
      rollback(db);
      return committed.error();
    }
  }
}

}  // namespace regwatch::collector::store
