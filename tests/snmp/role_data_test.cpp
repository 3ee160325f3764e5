// What a target's role needs vs what it answered: on the real recordings (the answers snmpsim
// would give to the poller's requests) and on the rate limit of the events.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/snmp/role_data.h"

namespace regwatch::agent::snmp {
namespace {

using OidPath = std::vector<uint32_t>;

OidPath parse(const std::string& dotted) {
  OidPath out;
  std::istringstream in(dotted);
  std::string part;
  while (std::getline(in, part, '.')) {
    if (!part.empty()) out.push_back(static_cast<uint32_t>(std::stoul(part)));
  }
  return out;
}

bool under(const OidPath& oid, const OidPath& base) {
  return oid.size() > base.size() && std::equal(base.begin(), base.end(), oid.begin());
}

// The OIDs of an snmprec recording ("OID|TYPE|VALUE" lines).
std::vector<OidPath> recorded_oids(const std::string& name) {
  std::ifstream in(std::string(REGWATCH_TEST_DATA_DIR) + "/realworld/snmp/recordings/" + name +
                   ".snmprec");
  EXPECT_TRUE(in) << name;
  std::vector<OidPath> oids;
  std::string line;
  while (std::getline(in, line)) {
    if (const auto bar = line.find('|'); bar != std::string::npos)
      oids.push_back(parse(line.substr(0, bar)));
  }
  return oids;
}

// What the device answers a walk of `base` with: rows, or none.
DataAnswer walk_answer(const std::vector<OidPath>& oids, const OidPath& base) {
  for (const auto& oid : oids) {
    if (under(oid, base)) return DataAnswer::kData;
  }
  return DataAnswer::kNoRows;
}

// ... and a GET of `object` (an instance, ".0"): the value, noSuchInstance when the object's
// column has other instances, else noSuchObject.
DataAnswer get_answer(const std::vector<OidPath>& oids, const OidPath& object) {
  const OidPath column(object.begin(), object.end() - 1);
  bool column_seen = false;
  for (const auto& oid : oids) {
    if (oid == object) return DataAnswer::kData;
    if (under(oid, column)) column_seen = true;
  }
  return column_seen ? DataAnswer::kNoSuchInstance : DataAnswer::kNoSuchObject;
}

// The requests TargetPoller makes for these needs, answered from the recording; the parts
// reported missing.
std::set<std::string> missing_in(const std::string& recording, const std::string& role) {
  const auto oids = recorded_oids(recording);
  const bool cucm = role == "cucm";
  DataGapTracker tracker(recording, "127.0.0.1:1161", role, data_needs(role, true, true, cucm));
  tracker.begin_poll();
  const OidPath cpu =
      parse(role == "switch" ? "1.3.6.1.4.1.9.9.109.1.1.1.1.6" : "1.3.6.1.2.1.25.3.3.1.2");
  tracker.saw(cpu, walk_answer(oids, cpu));
  const OidPath if_name = parse("1.3.6.1.2.1.31.1.1.1.1");
  tracker.saw(if_name, walk_answer(oids, if_name));
  if (cucm) {
    const OidPath registered = parse("1.3.6.1.4.1.9.9.156.1.5.5.0");
    tracker.saw(registered, get_answer(oids, registered));
  }
  std::set<std::string> missing;
  for (const auto& e : tracker.end_poll(1'000'000)) {
    EXPECT_EQ(e.kind(), regwatch::v1::SNMP_DATA_MISSING);
    EXPECT_EQ(e.origin(), recording);
    EXPECT_FALSE(e.snmp_data_missing().resolved());
    EXPECT_FALSE(e.snmp_data_missing().fix().empty());
    missing.insert(e.snmp_data_missing().missing());
  }
  return missing;
}

TEST(RoleDataTest, RealCucmWithoutCiscoCcmMibIsReported) {
  // LibreNMS's ucos_cucm: a CUCM 11.5 node that shows only system, hrSystemUptime and
  // SYSAPPL-MIB: no CISCO-CCM-MIB, no processor table, no IF-MIB.
  EXPECT_EQ(missing_in("ucos_cucm", "cucm"),
            (std::set<std::string>{"CISCO-CCM-MIB", "HOST-RESOURCES-MIB hrProcessorTable",
                                   "IF-MIB ifName"}));
}

TEST(RoleDataTest, RealSwitchesWithoutCpuTableAreReported) {
  const std::map<std::string, std::set<std::string>> expected = {
      {"ios_2960x", {}},
      {"ios_c3560", {}},
      {"ios_6500", {"CISCO-PROCESS-MIB cpmCPUTotalTable"}},
      {"iosxe_c9300", {"CISCO-PROCESS-MIB cpmCPUTotalTable"}},
      {"iosxe_ie32008t2s-ios17-12", {}},
      {"iosxe_c9400-svl", {}},
      {"iosxe_c9500h-svl", {}},
      {"nxos_n3k-3064pq", {}},
      {"nxos_n9k-c93180yc-fx3", {"CISCO-PROCESS-MIB cpmCPUTotalTable"}},
  };
  for (const auto& [recording, missing] : expected)
    EXPECT_EQ(missing_in(recording, "switch"), missing) << recording;
}

TEST(RoleDataTest, CcmAnswersAreNamedInTheEvent) {
  DataGapTracker tracker("cm1", "10.0.0.1:161", "cucm", data_needs("cucm", false, false, true));
  tracker.begin_poll();
  tracker.saw(parse("1.3.6.1.4.1.9.9.156.1.5.5.0"), DataAnswer::kNoSuchObject);
  const auto events = tracker.end_poll(5'000'000);
  ASSERT_EQ(events.size(), 1u);
  const auto& m = events[0].snmp_data_missing();
  EXPECT_EQ(m.target(), "cm1");
  EXPECT_EQ(m.address(), "10.0.0.1:161");
  EXPECT_EQ(m.role(), "cucm");
  EXPECT_EQ(m.answer(), "noSuchObject");
  ASSERT_GE(m.oids_size(), 1);
  EXPECT_EQ(m.oids(0), "1.3.6.1.4.1.9.9.156.1.5.5.0");
  EXPECT_NE(m.fix().find("Cisco CallManager SNMP Service"), std::string::npos);
  EXPECT_NE(m.fix().find("1.3.6.1.4.1.9.9.156"), std::string::npos);
  EXPECT_EQ(m.missing_since_us(), 5'000'000);
  const std::string log = data_missing_log_text(events[0]);
  EXPECT_NE(log.find("'cm1'"), std::string::npos) << log;
  EXPECT_NE(log.find("answers but lacks CISCO-CCM-MIB"), std::string::npos) << log;
  EXPECT_NE(log.find("Control Center - Feature Services"), std::string::npos) << log;
}

TEST(RoleDataTest, ReportedOnceThenRemindedThenResolvedOnce) {
  constexpr uint32_t kRemindS = 3600;
  DataGapTracker tracker("sw1", "10.0.0.2:161", "switch", data_needs("switch", true, false, false),
                         kRemindS);
  const OidPath cpu = parse("1.3.6.1.4.1.9.9.109.1.1.1.1.6");
  auto poll = [&](int64_t now_s, DataAnswer answer) {
    tracker.begin_poll();
    tracker.saw(cpu, answer);
    return tracker.end_poll(now_s * 1'000'000);
  };
  constexpr int64_t kStartS = 100;
  EXPECT_EQ(poll(kStartS, DataAnswer::kNoRows).size(), 1u);  // starts
  ASSERT_EQ(tracker.states().size(), 1u);
  EXPECT_TRUE(tracker.states()[0].is_missing);
  EXPECT_EQ(tracker.states()[0].since_us, kStartS * 1'000'000);
  for (int64_t t = kStartS + 60; t < kStartS + kRemindS; t += 60)
    EXPECT_TRUE(poll(t, DataAnswer::kNoRows).empty()) << t;  // not once per poll
  const auto reminder = poll(kStartS + kRemindS, DataAnswer::kNoRows);
  ASSERT_EQ(reminder.size(), 1u);
  EXPECT_EQ(reminder[0].snmp_data_missing().missing_since_us(), kStartS * 1'000'000);
  EXPECT_NE(data_missing_log_text(reminder[0]).find("still lacks"), std::string::npos);
  EXPECT_TRUE(poll(kStartS + kRemindS + 60, DataAnswer::kNoRows).empty());
  const auto resolved = poll(kStartS + kRemindS + 120, DataAnswer::kData);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_TRUE(resolved[0].snmp_data_missing().resolved());
  EXPECT_EQ(resolved[0].snmp_data_missing().missing_since_us(), kStartS * 1'000'000);
  EXPECT_FALSE(tracker.states()[0].is_missing);
  EXPECT_TRUE(poll(kStartS + kRemindS + 180, DataAnswer::kData).empty());  // resolved only once
}

TEST(RoleDataTest, APollThatDidNotAskKeepsTheState) {
  DataGapTracker tracker("sw1", "10.0.0.2:161", "switch", data_needs("switch", true, false, false));
  tracker.begin_poll();
  tracker.saw(parse("1.3.6.1.4.1.9.9.109.1.1.1.1.6"), DataAnswer::kNoRows);
  ASSERT_EQ(tracker.end_poll(1).size(), 1u);
  tracker.begin_poll();  // e.g. an unrelated walk only
  tracker.saw(parse("1.3.6.1.4.1.9.9.23.1.2.1.1.6"), DataAnswer::kNoRows);
  EXPECT_TRUE(tracker.end_poll(2).empty());
  EXPECT_TRUE(tracker.states()[0].is_missing);
}

TEST(RoleDataTest, AnyTableThatGivesTheCpuIsEnough) {
  // A switch whose CPU comes from HOST-RESOURCES-MIB (as a poller may fall back to) lacks nothing.
  DataGapTracker tracker("sw1", "10.0.0.2:161", "switch", data_needs("switch", true, false, false));
  tracker.begin_poll();
  tracker.saw(parse("1.3.6.1.4.1.9.9.109.1.1.1.1.6"), DataAnswer::kNoRows);
  tracker.saw(parse("1.3.6.1.2.1.25.3.3.1.2"), DataAnswer::kData);
  EXPECT_TRUE(tracker.end_poll(1).empty());
}

TEST(RoleDataTest, NeedsFollowTheRoleAndThePolls) {
  EXPECT_TRUE(data_needs("switch", false, false, false).empty());
  const auto cucm = data_needs("cucm", true, true, true);
  ASSERT_EQ(cucm.size(), 3u);
  EXPECT_EQ(cucm[0].missing, "HOST-RESOURCES-MIB hrProcessorTable");
  EXPECT_EQ(cucm[2].missing, "CISCO-CCM-MIB");
  EXPECT_EQ(data_needs("switch", true, false, false)[0].missing,
            "CISCO-PROCESS-MIB cpmCPUTotalTable");
}

}  // namespace
}  // namespace regwatch::agent::snmp
