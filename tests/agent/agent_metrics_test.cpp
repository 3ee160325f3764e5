// AgentMetrics: the agent's counters as Prometheus reads them, from the parts' own counts.
#include "agent/app/agent_metrics.h"

#include <gtest/gtest.h>

namespace regwatch::agent {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(AgentMetrics, DropReasonsBelongToTheirInput) {
  EXPECT_EQ(input_of_drop_reason("syslog_udp_kernel_overflow"), "syslog");
  EXPECT_EQ(input_of_drop_reason("syslog_tcp_rejected_full"), "syslog");
  EXPECT_EQ(input_of_drop_reason("snmp_trap_unknown_community"), "snmp_trap");
  EXPECT_EQ(input_of_drop_reason("trap_kernel_overflow"), "snmp_trap");
  EXPECT_EQ(input_of_drop_reason("capture_kernel_drop"), "sccp_capture");
}

TEST(AgentMetrics, TalliesAndDropTotalsAreReadAtScrapeTimeUntilDestroyed) {
  metrics::Registry registry;
  InputTally polls, traps;
  uint64_t queue_full = 2;
  {
    AgentMetricSources sources;
    sources.snmp_poll_tally = &polls;
    sources.snmp_trap_tally = &traps;
    sources.input_drops = [&] {
      return std::map<std::string, uint64_t>{{"syslog_queue_full", queue_full}};
    };
    const AgentMetrics metrics(std::move(sources), registry);
    polls.count(true);
    polls.count(true);
    polls.count(false);
    queue_full = 5;
    const auto text = registry.exposition();
    EXPECT_TRUE(has(text, "regwatch_agent_events_spooled_total{input=\"snmp_poll\"} 2")) << text;
    EXPECT_TRUE(has(text, "regwatch_agent_events_parsed_total{input=\"snmp_poll\"} 3"));
    EXPECT_TRUE(
        has(text, "regwatch_agent_input_drops_total{input=\"snmp_poll\",reason=\"spool_full\"} 1"));
    EXPECT_TRUE(has(
        text, "regwatch_agent_input_drops_total{input=\"syslog\",reason=\"syslog_queue_full\"} 5"));
    EXPECT_TRUE(has(text, "regwatch_agent_events_spooled_total{input=\"snmp_trap\"} 0"));
  }
  EXPECT_EQ(registry.exposition().find("snmp_poll"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::agent
