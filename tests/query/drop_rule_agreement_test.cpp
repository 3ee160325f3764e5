// One drop rule (collector/correlate/drop_rule.h): correlation (`incidents`), the chronic
// offenders (`top`, read through the store's SQL) and the phone diagnosis (`explain`) count the
// same drops in the same stored events, rejections (phone_registration_failed) included, a
// registration in between splitting a drop, merge_s counted from a drop's first report, and a
// spoofed report counted by none of them.
#include <gtest/gtest.h>

#include <map>

#include "collector/correlate/correlator.h"
#include "collector/correlate/drop_rule.h"
#include "collector/query/explain_query.h"
#include "collector/query/top_query.h"
#include "common/event_kind.h"
#include "tests/correlate/store_fixture.h"
#include "tests/store/test_store.h"

namespace regwatch::collector {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kT0 = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z

class DropRuleAgreement : public StoreFixture {
 protected:
  void report(const std::string& device, v1::EventKind kind, int64_t t,
              std::optional<int32_t> reason = std::nullopt, bool spoofed = false) {
    v1::Event& e = batch_.emplace_back();
    e.set_agent_id(batch_.size() % 2 ? "edge-1" : "edge-2");
    e.set_seq(batch_.size());
    e.set_event_time_us(t);
    e.set_kind(kind);
    e.set_source(v1::SOURCE_SYSLOG);
    e.set_origin("ucm-sub1");
    e.set_raw("raw line");
    e.mutable_phone()->set_device_name(device);
    e.mutable_phone()->set_cm_node("ucm-sub1");
    if (reason) e.mutable_phone()->set_reason_code(*reason);
    if (spoofed) e.mutable_provenance()->set_spoofed(true);
  }

  std::vector<correlate::StoredEvent> stored() {
    std::vector<correlate::StoredEvent> out;
    auto read = reader_->scan_events(0, INT64_MAX, all_kind_names(), 10'000,
                                     [&](int64_t id, v1::Event&& e) {
                                       out.push_back({id, std::move(e)});
                                     });
    EXPECT_TRUE(read.ok());
    return out;
  }

  std::vector<v1::Event> batch_;
};

TEST_F(DropRuleAgreement, CorrelationTopAndExplainCountTheSameDrops) {
  const correlate::CorrelationSettings settings;
  const correlate::DropRule rule(settings.merge_s);
  // A: rejected, then unregistered 30 s later (one drop, begun by the rejection); registered
  // again, then its connection lost within merge_s of the first drop: a drop of its own.
  report("SEPAAAAAAAAAAAA", v1::PHONE_REGISTERED, kT0 - 600 * kSecond);
  report("SEPAAAAAAAAAAAA", v1::PHONE_REGISTRATION_FAILED, kT0, 5);
  report("SEPAAAAAAAAAAAA", v1::PHONE_UNREGISTERED, kT0 + 30 * kSecond, 13);
  report("SEPAAAAAAAAAAAA", v1::PHONE_REGISTERED, kT0 + 60 * kSecond);
  report("SEPAAAAAAAAAAAA", v1::CONNECTION_LOST, kT0 + 90 * kSecond);
  // B: reports 100 s apart; the third is 200 s after the first: two drops.
  report("SEPBBBBBBBBBBBB", v1::CONNECTION_LOST, kT0);
  report("SEPBBBBBBBBBBBB", v1::KEEPALIVE_MISSED, kT0 + 100 * kSecond);
  report("SEPBBBBBBBBBBBB", v1::PHONE_UNREGISTERED, kT0 + 200 * kSecond, 13);
  // C: only ever rejected: one drop. D: a forged report: none.
  report("SEPCCCCCCCCCCCC", v1::PHONE_REGISTRATION_FAILED, kT0 + 10 * kSecond, 13);
  report("SEPDDDDDDDDDDDD", v1::PHONE_UNREGISTERED, kT0, 13, /*spoofed=*/true);
  ASSERT_TRUE(writer_->insert_batch(batch_, kT0).ok());

  const auto events = stored();
  std::map<int64_t, const v1::Event*> by_id;
  for (const auto& s : events) by_id[s.id] = &s.event;
  std::map<std::string, std::vector<int64_t>> correlated;  // device -> its drops' start times
  for (const int64_t id : correlate::counted_drops(events, settings))
    correlated[by_id.at(id)->phone().device_name()].push_back(by_id.at(id)->event_time_us());
  const std::map<std::string, std::vector<int64_t>> expected = {
      {"SEPAAAAAAAAAAAA", {kT0, kT0 + 90 * kSecond}},
      {"SEPBBBBBBBBBBBB", {kT0, kT0 + 200 * kSecond}},
      {"SEPCCCCCCCCCCCC", {kT0 + 10 * kSecond}},
  };
  EXPECT_EQ(correlated, expected);

  v1::TopQuery top_query;
  auto top = query::read_top(*reader_, top_query, rule);
  ASSERT_TRUE(top.ok()) << top.error().message;
  EXPECT_EQ(top->drops(), 5u);
  EXPECT_EQ(top->phones_dropped(), 3u);
  for (const auto& phone : top->phones()) {
    ASSERT_TRUE(expected.count(phone.name())) << phone.name();
    EXPECT_EQ(phone.drops(), expected.at(phone.name()).size()) << phone.name();
    EXPECT_EQ(phone.last_drop_us(), expected.at(phone.name()).back()) << phone.name();
  }

  auto incident_reader = store::IncidentReader::open(
      regwatch::test::test_store_location((dir_ / "events.db").string()));
  ASSERT_TRUE(incident_reader.ok()) << incident_reader.error().message;
  for (const auto& [device, drops] : expected) {
    v1::ExplainQuery q;
    q.set_device(device);
    q.set_at_us(kT0 + 3600 * kSecond);
    auto explained =
        query::explain_phone(*reader_, **incident_reader, q, rule, kT0 + 3600 * kSecond);
    ASSERT_TRUE(explained.ok()) << explained.error().message;
    EXPECT_EQ(explained->last_drop_us(), drops.back()) << device;
  }
  v1::ExplainQuery forged;
  forged.set_device("SEPDDDDDDDDDDDD");
  auto explained =
      query::explain_phone(*reader_, **incident_reader, forged, rule, kT0 + 3600 * kSecond);
  ASSERT_TRUE(explained.ok());
  EXPECT_EQ(explained->last_drop_us(), 0);
  EXPECT_EQ(explained->state(), v1::PHONE_STATE_UNKNOWN);
}

}  // namespace
}  // namespace regwatch::collector
