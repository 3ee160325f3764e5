#include "agent/snmp/poll_analyzers.h"

#include <gtest/gtest.h>

namespace regwatch::agent::snmp {
namespace {

constexpr int64_t kSecond = 1'000'000;

PollContext at(int64_t seconds, uint32_t uptime_s) {
  return PollContext{"ucm-sub1", seconds * kSecond, uptime_s * 100};
}

TEST(CpuAnalyzer, SamplesEveryPollAndReportsAPegOnce) {
  CpuAnalyzer cpu("cucm", ThresholdSettings{90, 5, 60 * kSecond});
  auto events = cpu.on_poll(at(0, 100), {100, 96});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::CPU_SAMPLE);
  EXPECT_DOUBLE_EQ(events[0].cpu().percent(), 98);
  EXPECT_DOUBLE_EQ(events[0].cpu().max_percent(), 100);
  EXPECT_EQ(events[0].cpu().cpus(), 2u);
  EXPECT_EQ(events[0].source(), v1::SOURCE_SNMP_POLL);
  EXPECT_EQ(cpu.on_poll(at(30, 130), {99, 99}).size(), 1u);
  events = cpu.on_poll(at(60, 160), {97, 99});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind(), v1::CPU_HIGH);
  EXPECT_EQ(events[1].event_time_us(), 0);  // the peg began with the first sample
  EXPECT_DOUBLE_EQ(events[1].cpu().peak_percent(), 99);
  EXPECT_EQ(cpu.on_poll(at(90, 190), {10, 10}).size(), 1u);
  events = cpu.on_poll(at(150, 250), {10, 12});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind(), v1::CPU_NORMAL);
  EXPECT_TRUE(
      cpu.on_poll(at(160, 260), std::vector<double>{}).empty());  // a poll that returned no CPUs
}

InterfaceRow row(uint32_t status, uint64_t in_errors, uint64_t fcs = 0) {
  InterfaceRow r;
  r.if_index = 10112;
  r.name = "Gi1/0/12";
  r.alias = "uplink to sw-3f";
  r.oper_status = status;
  r.in_errors = in_errors;
  r.out_errors = 0;
  r.in_discards = 0;
  r.out_discards = 0;
  r.fcs_errors = fcs;
  r.hc_in_octets = 0;
  r.hc_out_octets = 0;
  return r;
}

TEST(InterfaceAnalyzer, ErrorsAreDeltasAboveTheThreshold) {
  InterfaceAnalyzer interfaces(InterfaceSettings{10});
  EXPECT_TRUE(
      interfaces.on_poll(at(0, 100), {row(1, 5000)}).empty());  // first poll: a base, no spike
  EXPECT_TRUE(interfaces.on_poll(at(60, 160), {row(1, 5004)}).empty());  // 4 new errors: below 10
  auto events = interfaces.on_poll(at(120, 220), {row(1, 5020, 30)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::INTERFACE_ERRORS);
  EXPECT_EQ(events[0].interface_counters().in_errors(), 16u);
  EXPECT_EQ(events[0].interface_counters().fcs_errors(), 30u);
  EXPECT_DOUBLE_EQ(events[0].interface_counters().interval_s(), 60);
  EXPECT_EQ(events[0].interface_counters().interface(), "Gi1/0/12");
}

TEST(InterfaceAnalyzer, WrapIsCountedAcrossAndRestartIsNoSpike) {
  InterfaceAnalyzer interfaces(InterfaceSettings{10});
  interfaces.on_poll(at(0, 100), {row(1, 0xFFFFFFF0u)});
  auto events = interfaces.on_poll(at(60, 160), {row(1, 0x20)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].interface_counters().in_errors(), 0x30u);
  // The switch reboots: counters start again from zero; no 4-billion-error event.
  events = interfaces.on_poll(at(120, 5), {row(1, 3)});
  EXPECT_TRUE(events.empty());
  EXPECT_GE(interfaces.discontinuities(), 1u);  // every counter of the interface saw the restart
}

TEST(InterfaceAnalyzer, OperStatusChangesAreLinkEvents) {
  InterfaceAnalyzer interfaces(InterfaceSettings{10});
  EXPECT_TRUE(interfaces.on_poll(at(0, 100), {row(1, 0)}).empty());
  auto events = interfaces.on_poll(at(60, 160), {row(2, 0)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::LINK_DOWN);
  EXPECT_EQ(events[0].interface().if_index(), 10112u);
  EXPECT_EQ(events[0].interface().interface(), "Gi1/0/12");
  events = interfaces.on_poll(at(120, 220), {row(1, 0)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::LINK_UP);
  EXPECT_TRUE(interfaces.on_poll(at(180, 280), {row(1, 0)}).empty());
}

TEST(CcmCountsAnalyzer, ReportsTheChange) {
  CcmCountsAnalyzer ccm;
  auto first = ccm.on_poll(at(0, 100), 400, 3, 1, 0);
  EXPECT_EQ(first.kind(), v1::REGISTERED_PHONES);
  EXPECT_EQ(first.registered_phones().registered(), 400u);
  EXPECT_EQ(first.registered_phones().change_from_previous(), 0);
  auto second = ccm.on_poll(at(60, 160), 360, 43, 1, 0);
  EXPECT_EQ(second.registered_phones().change_from_previous(), -40);
}

}  // namespace
}  // namespace regwatch::agent::snmp
