#pragma once
// What the condition alerts read and keep (schema/006_conditions.sql): who has
// been sending live events (the sources table, kept by EventWriter), the
// condition alerts' episodes, and whether a phone registered since a time.
// The condition runner (collector/app/condition_runner.h) owns one.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collector/store/sqlite_handle.h"
#include "common/result.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::store {

struct SourceActivity {
  std::string agent_id;
  std::string origin;  // the device named in its events
  std::string source;  // syslog, snmp_poll, snmp_trap, sccp, agent
  int64_t first_us = 0;
  int64_t last_us = 0;  // collector clock
  int64_t events = 0;   // live events
};

// A burst's incident after it quieted, with its phones that have not registered since.
struct QuietIncident {
  std::string key;  // the id alerts know it by (its first id)
  std::string id;
  std::string scope_type;
  std::string scope_name;
  int64_t end_us = 0;                   // its last drop (event time)
  int64_t quieted_us = 0;               // when it resolved (collector clock)
  std::vector<std::string> still_down;  // sorted; none registered after end_us
};

struct ConditionRow {
  std::string key;       // alert name, identity and first evidence: one episode
  std::string identity;  // alert name and labels: what continues while it fires
  v1::AlertStatus state = v1::ALERT_STATUS_FIRING;
  int64_t starts_us = 0;
  int64_t updated_us = 0;
  std::optional<int64_t> inactive_since_us;  // no longer met since (held for flap_hold_s)
  std::optional<int64_t> ends_us;            // when resolved
  v1::Alert record;                          // the alert (stored serialised)
};

class ConditionStore {
 public:
  static Result<std::unique_ptr<ConditionStore>> open(const std::string& path,
                                                      int busy_timeout_ms = 5000);
  // Sources with live events last seen at or after since_us.
  Result<std::vector<SourceActivity>> sources(int64_t since_us);
  // The episodes still firing.
  Result<std::vector<ConditionRow>> firing();
  // Inserts or replaces these episodes, in one transaction.
  Status save(const std::vector<ConditionRow>& rows);
  // Whether the phone registered at or after since_us (event time).
  Result<bool> registered_since(const std::string& device, int64_t since_us);
  // Incidents resolved (by the collector's clock) within [from_us, to_us] that listed phones
  // still down, with those of them not registered since, at most max_phones each. Live
  // ones only: an incident first stored more than live_within_us after its last drop was
  // a replayed archive, whose phones' registrations since are not in the store.
  Result<std::vector<QuietIncident>> quiet_incidents(int64_t from_us, int64_t to_us,
                                                     int64_t live_within_us, size_t max_phones);

 private:
  ConditionStore() = default;
  SqliteDb db_;
};

}  // namespace regwatch::collector::store
