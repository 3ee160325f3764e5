#pragma once
// What the condition alerts read and keep: who has been sending live events, the condition
// alerts' episodes, whether a phone registered since a time, and the incidents that quieted
// with phones still down. alerts/ declares it with the value types condition rules take
// (alerts/condition_rules.h); the collector's store implements it
// (collector/store/condition_store.h: SQLite, schema/006_conditions.sql) and its condition
// runner drives it; a second backend implements the same interface.
//
// Threads: one implementation object per thread. Errors are returned, never thrown.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::alerts {

struct SourceActivity {
  std::string agent_id;
  std::string origin;  // the device named in its events
  std::string source;  // syslog, snmp_poll, snmp_trap, sccp, sip, boot, agent
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

class ConditionEpisodeStore {
 public:
  virtual ~ConditionEpisodeStore() = default;
  // Sources with live events last seen at or after since_us.
  virtual Result<std::vector<SourceActivity>> sources(int64_t since_us) = 0;
  // The episodes still firing.
  virtual Result<std::vector<ConditionRow>> firing() = 0;
  // Inserts or replaces these episodes, in one transaction.
  virtual Status save(const std::vector<ConditionRow>& rows) = 0;
  // Whether the phone registered at or after since_us (event time).
  virtual Result<bool> registered_since(const std::string& device, int64_t since_us) = 0;
  // Incidents resolved (by the collector's clock) within [from_us, to_us] that listed phones
  // still down, with those of them not registered since, at most max_phones each. Live
  // ones only: an incident first stored more than live_within_us after its last drop was
  // a replayed archive, whose phones' registrations since are not in the store.
  virtual Result<std::vector<QuietIncident>> quiet_incidents(int64_t from_us, int64_t to_us,
                                                             int64_t live_within_us,
                                                             size_t max_phones) = 0;
};

}  // namespace regwatch::alerts
