#include "collector/store/leader_lease.h"

#include <chrono>

#include "collector/store/postgres_database.h"

namespace regwatch::collector::store {
namespace {

// The lease's connection gives up on a silent server quickly, so that a collector cut off from
// PostgreSQL learns it (and stops leading) in seconds rather than at TCP's minutes: unacked
// data for 3 s, or 2 keepalive probes a second apart after 2 s idle, end the connection.
constexpr const char* kLeaseConnectionParameters =
    "tcp_user_timeout=3000&keepalives=1&keepalives_idle=2&keepalives_interval=1&"
    "keepalives_count=2&connect_timeout=3";
// How long a statement of the lease may wait for a row lock.
constexpr int kLockWaitMs = 2000;
// How long the lease waits for any reply. Its statements answer in milliseconds; TCP's own
// timeouts above miss a path whose packets are acknowledged and never answered (a proxy or
// middlebox cut off from the server), so without this a renewal could wait for ever while
// the fence (collector/app/leadership.h) came and went. As long as the lock wait: a renewal
// that waits longer has failed anyway.
constexpr std::chrono::milliseconds kReplyTimeout{kLockWaitMs};

std::string with_lease_parameters(const std::string& location) {
  if (!is_postgresql_location(location)) return location;
  return location + (location.find('?') == std::string::npos ? "?" : "&") +
         kLeaseConnectionParameters;
}

}  // namespace

const char* database_now_us_sql(Dialect dialect) {
  return dialect == Dialect::kPostgresql
             ? "(CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT))"
             : "(CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER))";
}

Result<std::unique_ptr<LeaderLease>> LeaderLease::open(const std::string& location,
                                                       std::string holder, std::string address,
                                                       int64_t lease_us) {
  std::unique_ptr<LeaderLease> lease(new LeaderLease());
  lease->location_ = location;
  lease->holder_ = std::move(holder);
  lease->address_ = std::move(address);
  lease->lease_us_ = lease_us;
  if (auto connected = lease->reconnect(); !connected.ok()) return connected.error();
  return lease;
}

Status LeaderLease::reconnect() {
  db_.reset();
  auto db = open_database(with_lease_parameters(location_), false, kLockWaitMs);
  if (!db.ok()) return db.error();
  db_ = std::move(db).value();
  set_postgres_reply_timeout(*db_, kReplyTimeout);
  return Ok{};
}

Result<std::optional<int64_t>> LeaderLease::acquire_or_renew() {
  // A lost connection is opened again here: the next tick retries rather than staying cut off.
  if (!db_) {
    if (auto connected = reconnect(); !connected.ok()) return connected.error();
  }
  const std::string now = database_now_us_sql(db_->dialect());
  // Every SET expression sees the row as it was, so the CASEs compare with the old holder.
  auto statement = Statement::prepare(
      db_.get(),
      "INSERT INTO collector_lease (name, holder, address, term, since_us, renewed_us, "
      "expires_us) VALUES ('leader', ?1, ?2, 1, " +
          now + ", " + now + ", " + now +
          " + ?3) ON CONFLICT (name) DO UPDATE SET "
          "term = CASE WHEN collector_lease.holder = excluded.holder THEN collector_lease.term "
          "ELSE collector_lease.term + 1 END, "
          "since_us = CASE WHEN collector_lease.holder = excluded.holder THEN "
          "collector_lease.since_us ELSE excluded.since_us END, "
          "holder = excluded.holder, address = excluded.address, "
          "renewed_us = excluded.renewed_us, expires_us = excluded.expires_us "
          "WHERE collector_lease.holder = excluded.holder OR "
          "collector_lease.expires_us <= excluded.renewed_us "
          "RETURNING term");
  if (!statement.ok()) {
    db_.reset();
    return statement.error();
  }
  statement->bind(1, holder_);
  statement->bind(2, address_);
  statement->bind(3, lease_us_);
  const int rc = statement->step();
  if (rc == kStepDone) return std::optional<int64_t>();  // another holds it
  if (rc != kStepRow) {
    Error error = database_error(db_.get(), rc, "renewing the leader lease");
    statement = Statement();  // before its connection goes
    if (error.code == "unavailable") db_.reset();
    return error;
  }
  const int64_t term = statement->column_int(0);
  // Run to the end so the statement is complete (SQLite commits an autocommit statement then).
  while (statement->step() == kStepRow) {
  }
  return std::optional<int64_t>(term);
}

Status LeaderLease::release() {
  if (!db_) return Ok{};
  auto statement = Statement::prepare(
      db_.get(), "UPDATE collector_lease SET expires_us = 0 WHERE name = 'leader' AND holder = ?1");
  if (!statement.ok()) return statement.error();
  statement->bind(1, holder_);
  if (int rc = statement->step(); rc != kStepDone)
    return database_error(db_.get(), rc, "releasing the leader lease");
  return Ok{};
}

Result<std::optional<LeaseState>> LeaderLease::current() {
  if (!db_) {
    if (auto connected = reconnect(); !connected.ok()) return connected.error();
  }
  auto statement = Statement::prepare(
      db_.get(), std::string("SELECT holder, address, term, since_us, renewed_us, expires_us, ") +
                     database_now_us_sql(db_->dialect()) +
                     " FROM collector_lease WHERE name = 'leader'");
  if (!statement.ok()) return statement.error();
  const int rc = statement->step();
  if (rc == kStepDone) return std::optional<LeaseState>();
  if (rc != kStepRow) return database_error(db_.get(), rc, "reading the leader lease");
  LeaseState state;
  state.holder = std::string(statement->column_text(0));
  state.address = std::string(statement->column_text(1));
  state.term = statement->column_int(2);
  state.since_us = statement->column_int(3);
  state.renewed_us = statement->column_int(4);
  state.expires_us = statement->column_int(5);
  state.now_us = statement->column_int(6);
  return std::optional<LeaseState>(state);
}

}  // namespace regwatch::collector::store
