#pragma once
// The incidents (and condition alerts) alerting reads back, as alerts knows them: keyed by the
// incident's first id, each with its record as stored. alerts/ declares what it needs here and
// the collector's store implements it (collector/store/alert_outbox.h, SQLite today; a second
// backend implements the same interface), so alerts includes no collector code.
//
// Threads: an implementation is used by one thread at a time (the dispatcher opens one per
// thread, alerts/store/alert_stores.h). Errors are returned, never thrown: a busy store is
// retried by the caller.
#include <optional>
#include <string>
#include <vector>

#include "common/alert_source.h"
#include "common/result.h"

namespace regwatch::alerts {

// An incident with the key alerts know it by: as a pass left it, or as alerting reads it back.
struct KeyedIncident {
  std::string key;     // the id it was first stored under: alerts are keyed by it
  std::string id;      // its id now
  std::string change;  // in words; "" when nothing changed since the last pass
  AlertSource record;  // as stored (an incident's state "withdrawn" when no longer found)
};

class IncidentSource {
 public:
  virtual ~IncidentSource() = default;
  // The incidents still open and the condition alerts still firing (to notify them again after
  // repeat_interval).
  virtual Result<std::vector<KeyedIncident>> open_incidents() = 0;
  // Incidents (withdrawn ones too) that ended at or after since_us, and condition alerts
  // firing or resolved since then (to re-evaluate after a restart).
  virtual Result<std::vector<KeyedIncident>> incidents_ending_since(int64_t since_us) = 0;
  // The current record of the incident alerts know by this key (its first id): the one
  // that continues it, or its last record when it was withdrawn; else the condition alert's.
  virtual Result<std::optional<AlertSource>> alert_source(const std::string& key) = 0;
};

}  // namespace regwatch::alerts
