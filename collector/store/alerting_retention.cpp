#include "collector/store/alerting_retention.h"

namespace regwatch::collector::store {

Result<std::unique_ptr<AlertingRetention>> AlertingRetention::open(const std::string& path,
                                                                   const StoreOptions& options) {
  auto db = open_database(path, false, options.busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<AlertingRetention> retention(new AlertingRetention());
  retention->db_ = std::move(db).value();
  return retention;
}

Result<uint64_t> AlertingRetention::prune_before(int64_t cutoff_us) {
  uint64_t pruned = 0;
  for (const char* sql : {"DELETE FROM condition_alerts WHERE state = 'resolved' AND ends_us < ?1",
                          "DELETE FROM silences WHERE ends_us < ?1"}) {
    auto statement = Statement::prepare(db_.get(), sql);
    if (!statement.ok()) return statement.error();
    statement->bind(1, cutoff_us);
    if (const int rc = statement->step(); rc != kStepDone)
      return database_error(db_.get(), rc, "pruning old alerting state");
    pruned += static_cast<uint64_t>(changes(db_.get()));
  }
  return pruned;
}

}  // namespace regwatch::collector::store
