#pragma once
// Schema migrations, embedded at build time and applied in order at open, one transaction each.
// A database newer than this binary is refused untouched, and so is a database with tables but
// no regwatch schema version (someone else's).
//
// SQLite: schema/NNN_name.sql, tracked by PRAGMA user_version. A migration that needs C++ as
// well (010: JSON bodies into proto records) runs it after its SQL, in its transaction.
// PostgreSQL: schema/postgresql/NNN_name.sql, tracked by the table regwatch_schema. It starts
// at 013_baseline.sql (the whole schema SQLite has after 013); later migrations come in both
// folders with the same number, so that a version means the same tables on both. Collectors
// starting together migrate one at a time (a transaction-scoped advisory lock).
#include <string>
#include <vector>

#include "collector/store/database.h"
#include "common/result.h"

namespace regwatch::collector::store {

struct Migration {
  std::string name;  // NNN_name.sql: NNN is the version the database is at after it
  std::string sql;
};

// SQLite's, from schema/*.sql (one per version from 1).
const std::vector<Migration>& embedded_migrations();
// PostgreSQL's, from schema/postgresql/*.sql.
const std::vector<Migration>& embedded_postgresql_migrations();
// The version this binary brings a database to (the same on both backends).
int latest_schema_version();
// Returns the schema version after migrating.
Result<int> apply_migrations(Database* db, const std::string& path);
// The database's schema version (0: none yet).
Result<int> read_user_version(Database* db);

}  // namespace regwatch::collector::store
