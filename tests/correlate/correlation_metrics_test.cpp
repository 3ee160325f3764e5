// CorrelationMetrics: pass durations, the last success, and open incidents that go back to 0.
#include "collector/correlate/correlation_metrics.h"

#include <gtest/gtest.h>

namespace regwatch::collector {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(CorrelationMetrics, OpenIncidentsThatCloseReadZero) {
  metrics::Registry registry;
  CorrelationMetrics correlation(registry);
  correlation.open_incidents({{"network", "switch", 2}, {"cm", "cm_node", 1}});
  correlation.open_incidents({{"network", "switch", 1}});
  const auto text = registry.exposition();
  EXPECT_TRUE(has(text, "regwatch_incidents_open{class=\"network\",scope_type=\"switch\"} 1"))
      << text;
  EXPECT_TRUE(has(text, "regwatch_incidents_open{class=\"cm\",scope_type=\"cm_node\"} 0")) << text;
}

TEST(CorrelationMetrics, OnlyASucceededPassMovesTheLastSuccess) {
  metrics::Registry registry;
  CorrelationMetrics correlation(registry);
  correlation.pass(0.02, true, 1'700'000'000'000'000);
  correlation.pass(0.03, false, 1'700'000'100'000'000);
  const auto text = registry.exposition();
  EXPECT_TRUE(has(text, "regwatch_correlation_last_success_timestamp_seconds 1700000000")) << text;
  EXPECT_TRUE(has(text, "regwatch_correlation_pass_seconds_count 2")) << text;
}

}  // namespace
}  // namespace regwatch::collector
