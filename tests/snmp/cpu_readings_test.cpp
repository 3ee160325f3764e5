// CPU rows joined with their ENTITY-MIB names, from the shapes of real devices' tables
// (LibreNMS recordings in tests/data/realworld/snmp: a C9500H SVL pair, a 2960-X stack).
#include "agent/snmp/cpu_readings.h"

#include <gtest/gtest.h>

#include "agent/snmp/poll_analyzers.h"

namespace regwatch::agent::snmp {
namespace {

TEST(CpuReadings, EachSvlMemberIsNamedByItsEntity) {
  CpmCpuColumns columns;  // iosxe_c9500h-svl: cpmCPUTotalIndex 11 and 12
  columns.five_second = {{11, 0}, {12, 97}};
  columns.five_minute = {{11, 1}, {12, 60}};
  columns.physical_index = {{11, 1041}, {12, 2041}};
  EXPECT_EQ(entities_of(columns), (std::vector<uint32_t>{1041, 2041}));
  uint64_t rejected = 0;
  const auto readings =
      join_cpm_rows(columns, {{1041, "Switch 1 - CPU"}, {2041, "Switch 2 - CPU"}}, rejected);
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_EQ(readings[0].name, "Switch 1 - CPU");
  EXPECT_EQ(readings[1].name, "Switch 2 - CPU");
  EXPECT_DOUBLE_EQ(readings[1].percent, 97);
  ASSERT_TRUE(readings[1].five_minute_percent.has_value());
  EXPECT_DOUBLE_EQ(*readings[1].five_minute_percent, 60);
  EXPECT_EQ(readings[1].physical_index, 2041u);
  EXPECT_EQ(busiest_of(readings)->name, "Switch 2 - CPU");
  EXPECT_EQ(rejected, 0u);
}

TEST(CpuReadings, ARowWithoutEntityIsNamedByItsIndexAndNonPercentagesAreRejected) {
  CpmCpuColumns columns;  // ios_2960x: cpmCPUTotalPhysicalIndex.1 = 0
  columns.five_second = {{1, 67}, {2, 4000}};
  columns.physical_index = {{1, 0}, {2, 0}};
  EXPECT_TRUE(entities_of(columns).empty());
  uint64_t rejected = 0;
  const auto readings = join_cpm_rows(columns, {}, rejected);
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_EQ(readings[0].name, "CPU 1");
  EXPECT_FALSE(readings[0].five_minute_percent.has_value());
  EXPECT_EQ(rejected, 1u);
  EXPECT_EQ(busiest_of({}), nullptr);
}

TEST(CpuAnalyzer, SamplesAndTransitionsCarryEveryMemberAndTheBusiestName) {
  CpuAnalyzer cpu("switch", ThresholdSettings{50, 5, 0});
  const std::vector<CpuReading> readings = {{"Switch 1 - CPU", 10, 12.0, 1041},
                                            {"Switch 2 - CPU", 99, std::nullopt, 2041}};
  auto events = cpu.on_poll(PollContext{"core-svl", 1'000'000, 100}, readings);
  ASSERT_EQ(events.size(), 2u);  // no hold time: the first sample over 50 % is a transition
  for (const auto& e : events) {
    EXPECT_EQ(e.cpu().busiest(), "Switch 2 - CPU");
    ASSERT_EQ(e.cpu().members_size(), 2);
    EXPECT_EQ(e.cpu().members(0).name(), "Switch 1 - CPU");
    EXPECT_DOUBLE_EQ(e.cpu().members(0).five_minute_percent(), 12);
    EXPECT_FALSE(e.cpu().members(1).has_five_minute_percent());
    EXPECT_EQ(e.cpu().members(1).physical_index(), 2041u);
  }
  EXPECT_EQ(events[0].kind(), v1::CPU_SAMPLE);
  EXPECT_EQ(events[1].kind(), v1::CPU_HIGH);
  EXPECT_DOUBLE_EQ(events[0].cpu().percent(), 54.5);
  EXPECT_DOUBLE_EQ(events[0].cpu().max_percent(), 99);
}

}  // namespace
}  // namespace regwatch::agent::snmp
