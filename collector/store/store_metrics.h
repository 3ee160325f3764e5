#pragma once
// What the event writer tells Prometheus after each committed batch (docs/metrics.md):
// regwatch_events_stored_total{source,kind}, regwatch_events_duplicate_total,
// regwatch_agent_last_event_timestamp_seconds{agent} (when the collector last stored a new
// event of that agent, by its own clock), regwatch_cm_registered_phones{cm_node} (the newest
// CISCO-CCM-MIB registered-phones count stored per CM node, by event time) and
// regwatch_store_commit_seconds. Counted only once the batch's transaction committed, so a
// rolled-back batch that the agent resends is counted once.
//
// Threads: one writer thread calls it (the commit queue's); the metrics are atomics.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>

#include "common/metrics/registry.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::collector::store {

class StoreMetrics {
 public:
  explicit StoreMetrics(metrics::Registry& registry = metrics::default_registry());

  // events: the batch's newly stored events (not its duplicates).
  void committed(std::span<const regwatch::v1::Event* const> events, uint64_t duplicates,
                 int64_t store_time_us, double commit_seconds);

 private:
  metrics::Family<metrics::Counter>& stored_;
  metrics::Counter& duplicates_;
  metrics::Family<metrics::Gauge>& agent_last_;
  metrics::Family<metrics::Gauge>& cm_registered_;
  metrics::Histogram& commit_seconds_;
  // Children looked up once (the writer thread is the only user of these maps).
  std::map<std::pair<int, int>, metrics::Counter*> stored_by_kind_;
  std::map<std::string, metrics::Gauge*, std::less<>> agent_last_by_id_;
  std::map<std::string, std::pair<int64_t, metrics::Gauge*>, std::less<>> cm_newest_;
};

}  // namespace regwatch::collector::store
