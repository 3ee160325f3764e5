#include "collector/store/outbox_status_reader.h"

#include "collector/store/reader_database.h"

namespace regwatch::collector::store {

Result<std::unique_ptr<OutboxStatusReader>> OutboxStatusReader::open(const std::string& path,
                                                                     const StoreOptions& options) {
  auto db = open_reader_database(path, options);
  if (!db.ok()) return db.error();
  std::unique_ptr<OutboxStatusReader> reader(new OutboxStatusReader());
  reader->db_ = std::move(db).value();
  return reader;
}

Status OutboxStatusReader::add_receivers(regwatch::v1::StatusReply& reply) {
  int rc = 0;
  // A condition counted through CASE: SQLite's sum() takes a comparison as 0/1, PostgreSQL has
  // no sum(boolean).
  auto receivers = Statement::prepare(
      db_.get(),
      "SELECT receiver, "
      "coalesce(sum(CASE WHEN delivered_us IS NULL AND given_up = 0 THEN 1 ELSE 0 END), 0), "
      "coalesce(sum(CASE WHEN delivered_us IS NOT NULL THEN 1 ELSE 0 END), 0), "
      "coalesce(sum(given_up), 0), "
      "coalesce(sum(CASE WHEN delivered_us IS NULL THEN attempts ELSE attempts - 1 END), 0), "
      "(SELECT last_error FROM alert_outbox AS latest WHERE latest.receiver = o.receiver AND "
      "last_error IS NOT NULL ORDER BY latest.id DESC LIMIT 1) FROM alert_outbox AS o GROUP BY "
      "receiver ORDER BY receiver");
  if (!receivers.ok()) return receivers.error();
  while ((rc = receivers->step()) == kStepRow) {
    auto* r = reply.add_receivers();
    r->set_receiver(std::string(receivers->column_text(0)));
    r->set_pending(static_cast<uint64_t>(receivers->column_int(1)));
    r->set_delivered(static_cast<uint64_t>(receivers->column_int(2)));
    r->set_given_up(static_cast<uint64_t>(receivers->column_int(3)));
    r->set_failed_attempts(static_cast<uint64_t>(receivers->column_int(4)));
    r->set_last_error(std::string(receivers->column_text(5)));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading notification status");
  return Ok{};
}

}  // namespace regwatch::collector::store
