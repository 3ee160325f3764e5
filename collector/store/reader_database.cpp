#include "collector/store/reader_database.h"

#include "collector/store/postgres_database.h"

namespace regwatch::collector::store {

Result<DatabasePtr> open_reader_database(const std::string& path, const StoreOptions& options) {
  auto db = open_database(path, true, options.busy_timeout_ms);
  if (!db.ok()) return db.error();
  set_postgres_reply_timeout(**db, kReaderReplyTimeout);
  return db;
}

}  // namespace regwatch::collector::store
