#pragma once
// The SQLite driver of Database (database.h).
//
// Opens (read-write-create or read-only), sets busy_timeout, checks that the file really is a
// SQLite database and that a read-write open may write, before anything writes to it. Adds the
// SQL function greatest(a, b) that PostgreSQL has built in. SQLITE_FULL maps to "disk_full", a
// file that is not a database to "database_corrupt".
#include <string>

#include "collector/store/database.h"
#include "common/result.h"

namespace regwatch::collector::store {

Result<DatabasePtr> open_sqlite_database(const std::string& path, bool read_only,
                                         int busy_timeout_ms);

}  // namespace regwatch::collector::store
