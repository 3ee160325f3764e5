#pragma once
// Schema migrations: schema/NNN_name.sql, embedded at build time, applied in
// order at open, one transaction each, tracked by PRAGMA user_version. A
// database newer than this binary is refused untouched. A migration that needs
// C++ as well (010: JSON bodies into proto records) runs it after its SQL, in
// its transaction.
#include <sqlite3.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace regwatch::collector::store {

struct Migration {
  std::string name;
  std::string sql;
};

const std::vector<Migration>& embedded_migrations();
int latest_schema_version();
// Returns the schema version after migrating.
Result<int> apply_migrations(sqlite3* db, const std::string& path);
Result<int> read_user_version(sqlite3* db);

}  // namespace regwatch::collector::store
