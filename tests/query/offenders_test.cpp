// regwatch top's ranking: one drop seen by several inputs counts once, drops
// land on the port the phone was on at the time (it may move), ties are
// broken the same way every time, and the reason mix is per offender.
#include "collector/query/offenders.h"

#include <gtest/gtest.h>

#include "collector/correlate/correlator.h"
#include "common/domain_tables.h"

namespace regwatch::collector::query {
namespace {

constexpr int64_t kMinute = 60'000'000;
const correlate::DropRule kRule(correlate::CorrelationSettings{}.merge_s);

TEST(Offenders, CountsDropsOncePerPhoneAndPlacesThemOnTheirPortAtTheTime) {
  // The chronic phone drops 3 times (the first seen by syslog and the wire);
  // it moved from port 1/0/5 to 1/0/7 before its last drop.
  std::vector<DropReport> drops = {
      {"SEPAAAAAAAAAAAA", 10 * kMinute, 13},
      {"SEPAAAAAAAAAAAA", 10 * kMinute + 5'000'000, std::nullopt},  // same drop, on the wire
      {"SEPAAAAAAAAAAAA", 100 * kMinute, 13},
      {"SEPAAAAAAAAAAAA", 300 * kMinute, 6},
      {"SEPBBBBBBBBBBBB", 50 * kMinute, std::nullopt},
      {"SEPCCCCCCCCCCCC", 60 * kMinute, 13},  // never sighted
  };
  std::vector<Sighting> sightings = {
      {"SEPAAAAAAAAAAAA", 0, "sw-1", "Gi1/0/5"},
      {"SEPAAAAAAAAAAAA", 200 * kMinute, "sw-1", "Gi1/0/7"},
      {"SEPBBBBBBBBBBBB", 0, "sw-2", "Gi1/0/1"},
  };
  const auto top = rank_offenders(drops, sightings, 10, kRule);
  EXPECT_EQ(top.drops(), 5u);
  EXPECT_EQ(top.phones_dropped(), 3u);
  EXPECT_EQ(top.drops_without_port(), 1u);
  ASSERT_EQ(top.phones_size(), 3);
  EXPECT_EQ(top.phones(0).name(), "SEPAAAAAAAAAAAA");
  EXPECT_EQ(top.phones(0).drops(), 3u);
  EXPECT_EQ(top.phones(0).where(), "sw-1 Gi1/0/7");  // where it was at its last drop
  ASSERT_EQ(top.phones(0).reasons_size(), 2);
  EXPECT_EQ(top.phones(0).reasons(0).code(), 13);
  EXPECT_EQ(top.phones(0).reasons(0).name(), "KeepAliveTimeout");
  EXPECT_EQ(top.phones(0).reasons(0).drops(), 2u);
  EXPECT_EQ(top.phones(0).reasons(1).code(), 6);
  // Ports: 1/0/5 had two of its drops, 1/0/7 one; sw-1 has all three.
  ASSERT_EQ(top.ports_size(), 3);
  EXPECT_EQ(top.ports(0).name(), "sw-1 Gi1/0/5");
  EXPECT_EQ(top.ports(0).drops(), 2u);
  ASSERT_EQ(top.switches_size(), 2);
  EXPECT_EQ(top.switches(0).name(), "sw-1");
  EXPECT_EQ(top.switches(0).drops(), 3u);
  EXPECT_EQ(top.switches(0).phones(), 1u);
  EXPECT_EQ(top.switches(1).reasons(0).code(), -1);  // SEPBBBBBBBBBBBB's wire-only drop
  // The whole period's mix.
  ASSERT_EQ(top.reasons_size(), 3);
  EXPECT_EQ(top.reasons(0).code(), 13);
  EXPECT_EQ(top.reasons(0).drops(), 3u);
}

TEST(Offenders, TiesAreOrderedTheSameWayAndTheLimitHolds) {
  std::vector<DropReport> drops;
  for (char c = 'A'; c <= 'F'; ++c)
    drops.push_back({std::string("SEP00000000000") + c, kMinute, 13});
  const auto top = rank_offenders(drops, {}, 4, kRule);
  ASSERT_EQ(top.phones_size(), 4);
  EXPECT_EQ(top.phones(0).name(), "SEP00000000000A");
  EXPECT_EQ(top.phones(3).name(), "SEP00000000000D");
  EXPECT_EQ(top.drops(), 6u);
  EXPECT_EQ(top.ports_size(), 0);
}

TEST(Offenders, ARejectionIsADropNamedFromItsOwnTableAndARegistrationEndsADrop) {
  std::vector<DropReport> reports = {
      // Rejected (EndPointRegistrationFailed 5, DeviceThrottled... by its own table), then
      // unregistered 30 s later: one drop, the rule's, with the rejection's reason.
      {"SEPAAAAAAAAAAAA", 10 * kMinute, 5, regwatch::v1::PHONE_REGISTRATION_FAILED},
      {"SEPAAAAAAAAAAAA", 10 * kMinute + 30'000'000, 13, regwatch::v1::PHONE_UNREGISTERED},
      // Registered again, then dropped within merge_s of the first: a drop of its own.
      {"SEPAAAAAAAAAAAA", 11 * kMinute, std::nullopt, regwatch::v1::PHONE_REGISTERED},
      {"SEPAAAAAAAAAAAA", 11 * kMinute + 10'000'000, std::nullopt, regwatch::v1::CONNECTION_LOST},
      // 100 s apart each, 200 s from the first: merge_s counts from the drop's first report.
      {"SEPBBBBBBBBBBBB", 20 * kMinute, std::nullopt, regwatch::v1::CONNECTION_LOST},
      {"SEPBBBBBBBBBBBB", 20 * kMinute + 100'000'000, std::nullopt, regwatch::v1::KEEPALIVE_MISSED},
      {"SEPBBBBBBBBBBBB", 20 * kMinute + 200'000'000, 13, regwatch::v1::PHONE_UNREGISTERED},
  };
  const auto top = rank_offenders(reports, {}, 10, kRule);
  EXPECT_EQ(top.drops(), 4u);
  ASSERT_EQ(top.phones_size(), 2);
  EXPECT_EQ(top.phones(0).name(), "SEPBBBBBBBBBBBB");  // as many, but its last is the latest
  EXPECT_EQ(top.phones(0).drops(), 2u);
  EXPECT_EQ(top.phones(1).drops(), 2u);
  bool named_rejection = false;
  for (const auto& r : top.reasons()) {
    if (r.code() == 5) {
      named_rejection = true;
      EXPECT_EQ(r.name(), domain::registration_failure_reason_name(5));
    }
  }
  EXPECT_TRUE(named_rejection);
}

}  // namespace
}  // namespace regwatch::collector::query
