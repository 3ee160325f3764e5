#include "collector/correlate/correlation_metrics.h"

#include <map>
#include <string>

namespace regwatch::collector {

CorrelationMetrics::CorrelationMetrics(metrics::Registry& registry)
    : pass_seconds_(
          registry
              .histogram("regwatch_correlation_pass_seconds",
                         "Time of one correlation pass (read, correlate, store).", {},
                         {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60})
              .with({})),
      last_success_(registry
                        .gauge("regwatch_correlation_last_success_timestamp_seconds",
                               "Unix time the last correlation pass stored its incidents.")
                        .with({})),
      open_(registry.gauge("regwatch_incidents_open",
                           "Incidents open now, by class and scope type.",
                           {"class", "scope_type"})) {}

void CorrelationMetrics::pass(double seconds, bool succeeded, int64_t now_us) {
  pass_seconds_.observe(seconds);
  if (succeeded) last_success_.set(static_cast<double>(now_us) / 1e6);
}

void CorrelationMetrics::open_incidents(
    const std::vector<store::IncidentWriter::OpenCount>& counts) {
  std::map<std::vector<std::string>, uint64_t> now;
  for (const auto& c : counts) now[{c.incident_class, c.scope_type}] += c.count;
  for (const auto& [labels, count] : now) open_.with(labels).set(static_cast<double>(count));
  // Series seen before and gone now go to 0 rather than keep their last count.
  open_.for_each([&](const std::vector<std::string>& labels, metrics::Gauge& gauge) {
    if (!now.contains(labels)) gauge.set(0);
  });
}

}  // namespace regwatch::collector
