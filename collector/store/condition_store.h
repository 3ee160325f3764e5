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

#include "alerts/store/condition_episode_store.h"
#include "collector/store/database.h"
#include "common/result.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::store {

// The value types are alerts' (alerts/store/condition_episode_store.h): this store implements
// the interface alerts declares.
using SourceActivity = alerts::SourceActivity;
using QuietIncident = alerts::QuietIncident;
using ConditionRow = alerts::ConditionRow;

class ConditionStore final : public alerts::ConditionEpisodeStore {
 public:
  static Result<std::unique_ptr<ConditionStore>> open(const std::string& path,
                                                      int busy_timeout_ms = 5000);
  // Sources with live events last seen at or after since_us.
  Result<std::vector<SourceActivity>> sources(int64_t since_us) override;
  // The episodes still firing.
  Result<std::vector<ConditionRow>> firing() override;
  // Inserts or replaces these episodes, in one transaction.
  Status save(const std::vector<ConditionRow>& rows) override;
  // Whether the phone registered at or after since_us (event time).
  Result<bool> registered_since(const std::string& device, int64_t since_us) override;
  // Incidents resolved (by the collector's clock) within [from_us, to_us] that listed phones
  // still down, with those of them not registered since, at most max_phones each. Live
  // ones only: an incident first stored more than live_within_us after its last drop was
  // a replayed archive, whose phones' registrations since are not in the store.
  Result<std::vector<QuietIncident>> quiet_incidents(int64_t from_us, int64_t to_us,
                                                     int64_t live_within_us,
                                                     size_t max_phones) override;

 private:
  ConditionStore() = default;
  DatabasePtr db_;
};

}  // namespace regwatch::collector::store
