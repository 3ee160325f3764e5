#include "bench/ingest/bare_insert.h"

#include <algorithm>

#include "collector/store/database.h"
#include "collector/store/migrations.h"
#include "collector/store/stored_payload.h"

namespace regwatch::bench {

namespace store = regwatch::collector::store;

Result<uint64_t> bare_batched_insert(const std::string& path,
                                     std::span<const regwatch::v1::Event> events, size_t batch,
                                     std::string_view spool_incarnation, Durability durability) {
  auto db = store::open_database(path, false, 5000);
  if (!db.ok()) return db.error();
  if (auto version = store::apply_migrations(db->get(), path); !version.ok())
    return version.error();
  if (auto set = store::set_writer_pragmas(db->get(), durability); !set.ok()) return set.error();
  auto insert = store::Statement::prepare(db->get(), store::kInsertEventSql);
  if (!insert.ok()) return insert.error();
  std::string scratch;
  uint64_t rows = 0;
  for (size_t start = 0; start < events.size(); start += batch) {
    if (auto begin = store::exec(db->get(), "BEGIN"); !begin.ok()) return begin.error();
    for (size_t i = start; i < std::min(events.size(), start + batch); ++i) {
      store::encode_stored_payload(events[i], scratch);
      store::bind_event(*insert, events[i], 0, spool_incarnation, scratch);
      if (insert->step() != store::kStepDone)
        return store::database_error(db->get(), SQLITE_ERROR, "bare insert");
      insert->reset();
      ++rows;
    }
    if (auto commit = store::exec(db->get(), "COMMIT"); !commit.ok()) return commit.error();
  }
  return rows;
}

}  // namespace regwatch::bench
