// The agent's own bookkeeping between inputs and the spool: one drop seen by
// two inputs counts once; input drop counters become agent_drops events.
#include <gtest/gtest.h>

#include "agent/app/drop_reporter.h"
#include "agent/app/duplicate_drop_marker.h"
#include "common/udp_receive_buffer.h"

namespace regwatch::agent {
namespace {

v1::Event drop(const std::string& device, v1::Source source, int64_t time_s,
               v1::EventKind kind = v1::PHONE_UNREGISTERED) {
  v1::Event e;
  e.set_kind(kind);
  e.set_source(source);
  e.set_event_time_us(time_s * 1'000'000);
  e.mutable_phone()->set_device_name(device);
  return e;
}

TEST(DuplicateDropMarker, SyslogThenSnmpTableForTheSameDropIsMarked) {
  DuplicateDropMarker marker;
  auto syslog = drop("SEP0017943A98BA", v1::SOURCE_SYSLOG, 1000);
  auto table = drop("SEP0017943A98BA", v1::SOURCE_SNMP_POLL, 1030);
  EXPECT_FALSE(marker.mark(syslog));
  EXPECT_TRUE(marker.mark(table));
  EXPECT_EQ(table.duplicate_of_source(), v1::SOURCE_SYSLOG);
  EXPECT_EQ(table.duplicate_of_event_time_us(), 1000 * 1'000'000);
  EXPECT_EQ(syslog.duplicate_of_source(), v1::SOURCE_UNSPECIFIED);
}

TEST(DuplicateDropMarker, EitherOrderWorks) {
  DuplicateDropMarker marker;
  auto table = drop("SEP1", v1::SOURCE_SNMP_POLL, 1000);
  auto syslog = drop("SEP1", v1::SOURCE_SYSLOG, 990);  // the line arrives after the poll
  EXPECT_FALSE(marker.mark(table));
  EXPECT_TRUE(marker.mark(syslog));
}

TEST(DuplicateDropMarker, DifferentPhoneKindTimeOrSameInputAreNotDuplicates) {
  DuplicateDropMarker marker(120'000'000);
  auto first = drop("SEP1", v1::SOURCE_SYSLOG, 1000);
  EXPECT_FALSE(marker.mark(first));
  auto other_phone = drop("SEP2", v1::SOURCE_SNMP_POLL, 1000);
  EXPECT_FALSE(marker.mark(other_phone));
  auto other_kind = drop("SEP1", v1::SOURCE_SNMP_POLL, 1000, v1::PHONE_REGISTRATION_FAILED);
  EXPECT_FALSE(marker.mark(other_kind));
  auto later = drop("SEP1", v1::SOURCE_SNMP_POLL, 1000 + 300);
  EXPECT_FALSE(marker.mark(later));
  auto flap = drop("SEP1", v1::SOURCE_SYSLOG, 1010);  // same input again: a second drop
  EXPECT_FALSE(marker.mark(flap));
  v1::Event not_a_drop;
  not_a_drop.set_kind(v1::LINK_DOWN);
  EXPECT_FALSE(marker.mark(not_a_drop));
}

TEST(DuplicateDropMarker, MemoryIsBounded) {
  DuplicateDropMarker marker(1'000'000, 100);
  for (int i = 0; i < 10'000; ++i) {
    auto e = drop("SEP" + std::to_string(i), v1::SOURCE_SYSLOG, 1000);
    marker.mark(e);
  }
  // The oldest were forgotten: their SNMP report is no longer matched...
  auto old = drop("SEP0", v1::SOURCE_SNMP_POLL, 1000);
  EXPECT_FALSE(marker.mark(old));
  // ...the newest still are.
  auto recent = drop("SEP9999", v1::SOURCE_SNMP_POLL, 1000);
  EXPECT_TRUE(marker.mark(recent));
}

TEST(DropReporter, ReportsOnlyReasonsThatRose) {
  DropReporter reporter("agent-7");
  EXPECT_TRUE(reporter.changes({{"snmp_trap_unknown_community", 0}}, 1).empty());
  auto first =
      reporter.changes({{"snmp_trap_unknown_community", 3}, {"snmp_trap_oversized", 0}}, 2);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind(), v1::AGENT_DROPS);
  EXPECT_EQ(first[0].origin(), "agent-7");
  EXPECT_EQ(first[0].agent_drops().reason(), "snmp_trap_unknown_community");
  EXPECT_EQ(first[0].agent_drops().dropped(), 3u);
  auto second =
      reporter.changes({{"snmp_trap_unknown_community", 5}, {"snmp_trap_oversized", 0}}, 3);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].agent_drops().dropped(), 2u);
  EXPECT_EQ(second[0].agent_drops().dropped_total(), 5u);
  EXPECT_TRUE(reporter.changes({{"snmp_trap_unknown_community", 5}}, 4).empty());
}

// The kernel's SO_RXQ_OVFL / SO_MEMINFO drop count is cumulative per socket and
// a 32-bit counter: only its increase is a drop, across a wrap too.
TEST(KernelDropCounter, CountsTheIncreaseOfTheCumulativeCounter) {
  KernelDropCounter counter;
  EXPECT_EQ(counter.observe(0), 0u);
  EXPECT_EQ(counter.observe(7), 7u);
  EXPECT_EQ(counter.observe(7), 0u);  // every datagram repeats the count
  EXPECT_EQ(counter.observe(19'990), 19'983u);
  EXPECT_EQ(counter.total(), 19'990u);
}

TEST(KernelDropCounter, AnOutOfDateCountIsIgnoredNotTakenForAWrap) {
  KernelDropCounter counter;
  EXPECT_EQ(counter.observe(500), 500u);  // SO_MEMINFO with the queue empty
  EXPECT_EQ(counter.observe(480), 0u);    // a datagram queued before that reading
  EXPECT_EQ(counter.observe(520), 20u);
  EXPECT_EQ(counter.total(), 520u);
}

TEST(KernelDropCounter, SurvivesTheWrapOfTheKernelsCounter) {
  KernelDropCounter counter;
  EXPECT_EQ(counter.observe(0x7000'0000u), 0x7000'0000u);
  EXPECT_EQ(counter.observe(0xE000'0000u), 0x7000'0000u);
  EXPECT_EQ(counter.observe(0xFFFF'FFF0u), 0x1FFF'FFF0u);
  EXPECT_EQ(counter.observe(0x10u), 0x20u);  // wrapped: 16 to the top, 16 past zero
  EXPECT_EQ(counter.total(), 0x1'0000'0010u);
}

TEST(DropReporter, KernelOverflowIsReportedLikeAnyInputDrop) {
  DropReporter reporter("agent-7");
  auto reports = reporter.changes({{"syslog_udp_kernel_overflow", 19'990}}, 5);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].agent_drops().reason(), "syslog_udp_kernel_overflow");
  EXPECT_EQ(reports[0].agent_drops().dropped(), 19'990u);
}

}  // namespace
}  // namespace regwatch::agent
