#pragma once
// LeaderLease: the row in collector_lease (schema/014) that says which collector runs
// correlation and alert dispatch when several share one PostgreSQL store.
//
// acquire_or_renew() in one statement: takes the lease when nobody holds it or its holder let
// it expire (the term goes up by one), renews it when this holder has it, and otherwise leaves
// it alone. Expiry is judged by the database's clock, never by a collector's. release() lets
// it expire at once (a clean stop hands over without waiting out the lease).
//
// The caller keeps its own safety margin: a holder that has not renewed for a while must stop
// acting before the database could give the lease to another (collector/app/leadership.h).
//
// On PostgreSQL no call waits on the server for more than a few seconds, even behind a network
// that went silent: the connection's TCP timeouts and a reply deadline of its own end it (the
// next call connects anew, within connect_timeout).
//
// Threads: one thread uses a lease (the leadership thread).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "collector/store/database.h"
#include "common/result.h"

namespace regwatch::collector::store {

struct LeaseState {
  std::string holder;
  std::string address;
  int64_t term = 0;
  int64_t since_us = 0;
  int64_t renewed_us = 0;
  int64_t expires_us = 0;
  int64_t now_us = 0;  // the database's clock when read
};

// The leadership a leader acts under, for the writes that must not outlive it (the outbox's
// delivery claims, collector/store/alert_outbox.h): they check, in their own transaction, that
// this holder still holds the lease with this term. An empty holder: no lease (a single
// collector on SQLite), nothing to check.
struct LeaseFence {
  std::string holder;
  int64_t term = 0;
  bool operator==(const LeaseFence&) const = default;
};

class LeaderLease {
 public:
  // location: the store (the lease opens its own connection: a slow query elsewhere never
  // delays a renewal). holder: this process's unique name; address: where it listens.
  static Result<std::unique_ptr<LeaderLease>> open(const std::string& location, std::string holder,
                                                   std::string address, int64_t lease_us);
  // The term when this holder has the lease after the call; nullopt when another holds it.
  Result<std::optional<int64_t>> acquire_or_renew();
  // Ends this holder's lease now (nothing when another holds it).
  Status release();
  // Who holds the lease as the database says (nullopt: nobody ever took it).
  Result<std::optional<LeaseState>> current();

  const std::string& holder() const { return holder_; }

 private:
  LeaderLease() = default;
  Status reconnect();

  std::string location_;
  std::string holder_;
  std::string address_;
  int64_t lease_us_ = 0;
  DatabasePtr db_;
};

// The database's clock in microseconds since the epoch, as SQL for the dialect.
const char* database_now_us_sql(Dialect dialect);

}  // namespace regwatch::collector::store
