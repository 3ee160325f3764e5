#pragma once
// Incidents in SQLite (schema/002_incidents.sql, 005_incident_lineage.sql). The
// correlation thread owns an IncidentWriter; queries list them through
// EventReader::incidents.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alerts/store/incident_source.h"
#include "collector/store/database.h"
#include "common/alert_source.h"
#include "common/result.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::store {

struct IncidentRow {
  std::string id;
  v1::IncidentState state = v1::INCIDENT_STATE_UNSPECIFIED;  // the state column holds its word
  std::string incident_class;
  std::string scope_type;
  std::string scope_name;
  int64_t start_time_us = 0;
  int64_t end_time_us = 0;
  uint32_t phone_count = 0;
  std::string top_cause;
  std::vector<std::string> phones;  // sorted, distinct: what lineage compares
  v1::Incident record;              // stored as its deterministic serialisation
};

// An incident with the key alerts know it by: the type is alerts' (alerts/store/incident_source.h),
// since what a pass writes is handed to alerting as is.
using KeyedIncident = alerts::KeyedIncident;

class IncidentWriter {
 public:
  static Result<std::unique_ptr<IncidentWriter>> open(const std::string& path,
                                                      int busy_timeout_ms = 5000);
  // In one transaction: every incident that started in [from_us, to_us) is
  // replaced by `rows` (a recomputation of that range). Each row continues the
  // stored incident its lineage finds (incident_lineage.h) and keeps its first
  // id; stored incidents no row continues become "withdrawn"; every change is
  // recorded in incident_updates at now_us. Returns the rows and the newly
  // withdrawn incidents.
  Result<std::vector<KeyedIncident>> replace_range(int64_t from_us, int64_t to_us,
                                                   const std::vector<IncidentRow>& rows,
                                                   int64_t now_us);
  // The event-time range (first start, last end) of the incidents still open whose last drop
  // is before ended_before_us; none when there are none. Correlation recomputes it so that
  // they resolve by the collector's clock when no later event comes to do it.
  Result<std::optional<std::pair<int64_t, int64_t>>> open_ended_before(int64_t ended_before_us);

  struct OpenCount {
    std::string incident_class;
    std::string scope_type;
    uint64_t count = 0;
  };
  // How many incidents are open, by class and scope type (regwatch_incidents_open).
  Result<std::vector<OpenCount>> open_counts();

 private:
  IncidentWriter() = default;
  DatabasePtr db_;
};

}  // namespace regwatch::collector::store
