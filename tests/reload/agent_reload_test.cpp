// plan_agent_reload: which changes a SIGHUP applies in the live agent and which wait for a
// restart (listeners are never re-bound by a reload).
#include "agent/app/agent_reload.h"

#include <gtest/gtest.h>

namespace regwatch::agent {
namespace {

AgentConfig base() {
  AgentConfig config;
  config.agent_id = "edge-1";
  SnmpTargetConfig cucm;
  cucm.name = "ucm-pub";
  cucm.address = "127.0.0.1:1161";
  cucm.role = "cucm";
  config.snmp.targets = {cucm};
  return config;
}

TEST(AgentReloadTest, SameConfigChangesNothing) {
  const auto plan = plan_agent_reload(base(), base());
  EXPECT_FALSE(plan.log_level || plan.parsing || plan.snmp_targets || plan.snmp_settings);
  EXPECT_TRUE(plan.needs_restart.empty());
}

TEST(AgentReloadTest, TargetsParsingAndLogLevelApplyInPlace) {
  auto next = base();
  SnmpTargetConfig sw;
  sw.name = "sw-3f";
  sw.address = "127.0.0.1:2161";
  sw.role = "switch";
  next.snmp.targets.push_back(sw);
  next.syslog.assume_utc_offset = "+01:00";
  next.origin_senders = {{"ucm-pub", {"10.1.1.5"}}};
  next.log_level = "debug";
  const auto plan = plan_agent_reload(base(), next);
  EXPECT_TRUE(plan.snmp_targets);
  EXPECT_FALSE(plan.snmp_settings);  // unchanged targets keep what they learned
  EXPECT_TRUE(plan.parsing);
  EXPECT_TRUE(plan.log_level);
  EXPECT_TRUE(plan.needs_restart.empty());
  EXPECT_EQ(plan.effective.snmp.targets.size(), 2u);
}

TEST(AgentReloadTest, ThresholdChangeRebuildsEveryPoller) {
  auto next = base();
  next.snmp.cpu_threshold_percent = 80;
  const auto plan = plan_agent_reload(base(), next);
  EXPECT_TRUE(plan.snmp_settings);
  EXPECT_TRUE(plan.snmp_targets);
}

TEST(AgentReloadTest, ListenersCollectorAndSpoolWaitForARestart) {
  auto next = base();
  next.syslog.udp = "127.0.0.1:6514";
  next.syslog.max_tcp_connections = 10;
  next.syslog.assume_utc_offset = "+02:00";  // applies; the listener's limits beside it do not
  next.collector.address = "127.0.0.1:9443";
  next.spool.max_size = "1GiB";
  next.snmp.traps = "127.0.0.1:20162";
  next.metrics.listen = "127.0.0.1:9481";
  const auto plan = plan_agent_reload(base(), next);
  EXPECT_EQ(plan.needs_restart, (std::vector<std::string>{"collector", "spool", "syslog.udp",
                                                          "syslog (listener limits and buffers)",
                                                          "snmp.traps", "metrics"}));
  EXPECT_EQ(plan.effective.syslog.udp, base().syslog.udp);
  EXPECT_EQ(plan.effective.syslog.max_tcp_connections, base().syslog.max_tcp_connections);
  EXPECT_EQ(plan.effective.syslog.assume_utc_offset, "+02:00");
  EXPECT_EQ(plan.effective.collector.address, base().collector.address);
  EXPECT_TRUE(plan.parsing);
}

}  // namespace
}  // namespace regwatch::agent
