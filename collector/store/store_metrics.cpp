#include "collector/store/store_metrics.h"

#include "common/event_kind.h"

namespace regwatch::collector::store {

StoreMetrics::StoreMetrics(metrics::Registry& registry)
    : stored_(registry.counter("regwatch_events_stored_total",
                               "Events newly stored by the collector, by source and kind.",
                               {"source", "kind"})),
      duplicates_(registry
                      .counter("regwatch_events_duplicate_total",
                               "Events an agent sent that were stored already (resends after a "
                               "lost ack, replays); not stored again.")
                      .with({})),
      agent_last_(registry.gauge("regwatch_agent_last_event_timestamp_seconds",
                                 "Unix time (collector clock) the collector last stored a new "
                                 "event from this agent.",
                                 {"agent"})),
      cm_registered_(registry.gauge(
          "regwatch_cm_registered_phones",
          "Phones registered to this CM node, from its newest CISCO-CCM-MIB count stored.",
          {"cm_node"})),
      commit_seconds_(registry
                          .histogram("regwatch_store_commit_seconds",
                                     "Time to store one batch in SQLite, BEGIN to COMMIT.", {},
                                     metrics::latency_buckets())
                          .with({})) {}

void StoreMetrics::committed(std::span<const regwatch::v1::Event* const> events,
                             uint64_t duplicates, int64_t store_time_us, double commit_seconds) {
  commit_seconds_.observe(commit_seconds);
  if (duplicates > 0) duplicates_.inc(duplicates);
  const std::string* last_agent = nullptr;
  for (const auto* event : events) {
    auto& counter = stored_by_kind_[{event->source(), event->kind()}];
    if (!counter) counter = &stored_.with({source_name(event->source()), kind_name(event->kind())});
    counter->inc();
    if (!last_agent || *last_agent != event->agent_id()) {  // a batch is one agent's, mostly
      last_agent = &event->agent_id();
      auto found = agent_last_by_id_.find(event->agent_id());
      if (found == agent_last_by_id_.end()) {
        found = agent_last_by_id_.emplace(event->agent_id(), &agent_last_.with({event->agent_id()}))
                    .first;
      }
      found->second->set(static_cast<double>(store_time_us) / 1e6);
    }
    if (event->kind() == regwatch::v1::REGISTERED_PHONES && event->has_registered_phones()) {
      auto found = cm_newest_.find(event->origin());
      if (found == cm_newest_.end()) {
        found = cm_newest_
                    .emplace(event->origin(),
                             std::pair{INT64_MIN, &cm_registered_.with({event->origin()})})
                    .first;
      }
      auto& [newest_us, gauge] = found->second;
      if (event->event_time_us() >= newest_us) {
        newest_us = event->event_time_us();
        gauge->set(static_cast<double>(event->registered_phones().registered()));
      }
    }
  }
}

}  // namespace regwatch::collector::store
