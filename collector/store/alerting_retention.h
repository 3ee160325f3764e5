#pragma once
// AlertingRetention: the retention of what alerting keeps beside the events, run by the
// collector's retention loop (the commit queue's prune) beside the events' own prune with
// the same cutoff: condition alert episodes resolved, and silences ended, before the cutoff.
// (Their evidence is gone by then, so an episode cannot come back under its key.) Incidents,
// their updates and the notification outbox are kept: the postmortem record, and what makes
// a page owed only once.
//
// It deletes rows of tables other stores own (condition_alerts: ConditionStore; silences:
// SilenceStore) without their classes, so that retention stays one loop on one thread. One
// thread uses it; its connection is its own (a writer's: it waits busy_timeout_ms for the
// other writers).
#include <cstdint>
#include <memory>
#include <string>

#include "collector/store/database.h"
#include "collector/store/store_options.h"
#include "common/result.h"

namespace regwatch::collector::store {

class AlertingRetention {
 public:
  // The schema must exist (EventWriter::open applies the migrations first).
  static Result<std::unique_ptr<AlertingRetention>> open(const std::string& path,
                                                         const StoreOptions& = {});
  // Deletes what ended before cutoff_us; returns how many rows.
  Result<uint64_t> prune_before(int64_t cutoff_us);

 private:
  AlertingRetention() = default;
  DatabasePtr db_;
};

}  // namespace regwatch::collector::store
