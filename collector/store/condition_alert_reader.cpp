#include "collector/store/condition_alert_reader.h"

#include <algorithm>

#include "collector/store/reader_database.h"
#include "common/record_bytes.h"

namespace regwatch::collector::store {

Result<std::unique_ptr<ConditionAlertReader>> ConditionAlertReader::open(
    const std::string& path, const StoreOptions& options) {
  auto db = open_reader_database(path, options);
  if (!db.ok()) return db.error();
  std::unique_ptr<ConditionAlertReader> reader(new ConditionAlertReader());
  reader->db_ = std::move(db).value();
  return reader;
}

Result<regwatch::v1::AlertList> ConditionAlertReader::alerts(const regwatch::v1::AlertQuery& q) {
  // ?1 <> 0: the flag is bound as an integer, and PostgreSQL takes no integer for a condition.
  auto statement = Statement::prepare(
      db_.get(),
      "SELECT record FROM condition_alerts WHERE state = 'firing' OR (?1 <> 0 AND ends_us >= ?2) "
      "ORDER BY state = 'firing' DESC, starts_us DESC, key LIMIT ?3");
  if (!statement.ok()) return statement.error();
  const uint32_t limit = std::min(q.limit() == 0 ? kDefaultQueryLimit : q.limit(), kMaxQueryLimit);
  statement->bind(1, int64_t{q.resolved_too() ? 1 : 0});
  statement->bind(2, q.since_us());
  statement->bind(3, int64_t{limit} + 1);
  regwatch::v1::AlertList list;
  int rc = 0;
  while ((rc = statement->step()) == kStepRow) {
    if (static_cast<uint32_t>(list.alerts_size()) == limit) {
      list.set_truncated(true);
      break;
    }
    if (!parse_record(statement->column_blob(0), *list.add_alerts()))
      return make_error("store", "a condition alert record does not parse");
  }
  if (rc != kStepRow && rc != kStepDone) return database_error(db_.get(), rc, "querying alerts");
  return list;
}

}  // namespace regwatch::collector::store
