#pragma once
// What the correlation runner tells Prometheus (docs/metrics.md): each pass's duration
// (regwatch_correlation_pass_seconds), the Unix time of the last pass that read its events and
// stored its incidents (regwatch_correlation_last_success_timestamp_seconds: "collector not
// correlating" alerts on its age), and how many incidents are open by class and scope type
// (regwatch_incidents_open), counted in the store after each successful pass.
//
// Threads: the runner's thread calls it; the metrics are atomics.
#include <vector>

#include "collector/store/incident_store.h"
#include "common/metrics/registry.h"

namespace regwatch::collector {

class CorrelationMetrics {
 public:
  explicit CorrelationMetrics(metrics::Registry& registry = metrics::default_registry());

  void pass(double seconds, bool succeeded, int64_t now_us);
  // The open incidents now; a class and scope type counted before and absent now reads 0.
  void open_incidents(const std::vector<store::IncidentWriter::OpenCount>& counts);

 private:
  metrics::Histogram& pass_seconds_;
  metrics::Gauge& last_success_;
  metrics::Family<metrics::Gauge>& open_;
};

}  // namespace regwatch::collector
