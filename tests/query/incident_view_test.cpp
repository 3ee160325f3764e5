// Query.IncidentView's server side (collector/query/incident_view.h) on a real SQLite store:
// the incident found by its id or an id it had, its updates and first id, and the events its
// causes and drop cite, read once each, oldest first.
#include "collector/query/incident_view.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "collector/store/incident_reader.h"
#include "collector/store/incident_store.h"
#include "tests/correlate/store_fixture.h"
#include "tests/store/test_store.h"

namespace regwatch::collector {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kT0 = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z

class IncidentViewTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    const std::string path = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto writer = store::IncidentWriter::open(path);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    incidents_ = std::move(writer).value();
    auto reader = store::IncidentReader::open(path);
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    incident_reader_ = std::move(reader).value();
  }

  // Stores `count` drops of distinct phones, one a second from kT0; returns their ids.
  std::vector<int64_t> store_drops(int count) {
    std::vector<v1::Event> batch;
    for (int i = 0; i < count; ++i) {
      v1::Event& e = batch.emplace_back();
      e.set_agent_id("edge-1");
      e.set_seq(static_cast<uint64_t>(i + 1));
      e.set_event_time_us(kT0 + i * kSecond);
      e.set_kind(v1::PHONE_UNREGISTERED);
      e.set_source(v1::SOURCE_SYSLOG);
      e.set_origin("ucm-sub1");
      e.set_raw("raw line");
      e.mutable_phone()->set_device_name("SEP00000000000" + std::to_string(i));
    }
    EXPECT_TRUE(writer_->insert_batch(batch, kT0).ok());
    std::vector<int64_t> ids;
    auto read = reader_->scan_events(0, INT64_MAX, {"phone_unregistered"}, 10'000,
                                     [&](int64_t id, v1::Event&&) { ids.push_back(id); });
    EXPECT_TRUE(read.ok());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // An incident on ucm-sub1 starting at start_us; its state is left to the store's default,
  // what it is does not matter to the view.
  static store::IncidentRow incident(int64_t start_us, std::vector<int64_t> cause_evidence,
                                     std::vector<int64_t> drop_evidence) {
    store::IncidentRow row;
    row.id = "cm_node:ucm-sub1@" + std::to_string(start_us);
    row.incident_class = "infrastructure";
    row.scope_type = "cm_node";
    row.scope_name = "ucm-sub1";
    row.start_time_us = start_us;
    row.end_time_us = start_us + 10 * kSecond;
    row.phone_count = 3;
    row.top_cause = "cm_cpu";
    row.phones = {"SEP000000000000", "SEP000000000001", "SEP000000000002"};
    row.record.set_id(row.id);
    row.record.mutable_scope()->set_type("cm_node");
    row.record.mutable_scope()->set_name("ucm-sub1");
    row.record.set_start_us(start_us);
    for (const auto& phone : row.phones) row.record.add_phones(phone);
    auto* cause = row.record.add_causes();
    cause->set_kind("cm_cpu");
    for (int64_t id : cause_evidence) cause->add_evidence(id);
    for (int64_t id : drop_evidence) row.record.add_drop_evidence(id);
    return row;
  }

  void write(const store::IncidentRow& row) {
    auto written = incidents_->replace_range(kT0 - 3600 * kSecond, kT0 + 3600 * kSecond, {row},
                                             kT0 + 60 * kSecond);
    ASSERT_TRUE(written.ok()) << written.error().message;
  }

  Result<v1::IncidentView> view(const std::string& id) {
    v1::IncidentViewQuery query;
    query.set_id(id);
    return query::incident_view(*reader_, *incident_reader_, query);
  }

  std::unique_ptr<store::IncidentWriter> incidents_;
  std::unique_ptr<store::IncidentReader> incident_reader_;
};

TEST_F(IncidentViewTest, GathersTheCitedEventsOnceEachOldestFirst) {
  const auto ids = store_drops(4);
  ASSERT_EQ(ids.size(), 4u);
  // The cause and the drop share an event; the fourth is cited by neither.
  const auto row = incident(kT0, {ids[2], ids[0]}, {ids[0], ids[1]});
  write(row);
  auto got = view(row.id);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->incident().id(), row.id);
  EXPECT_FALSE(got->moved());
  EXPECT_EQ(got->first_id(), row.id);
  ASSERT_FALSE(got->updates().empty());
  EXPECT_EQ(got->updates(0).id(), row.id);
  ASSERT_EQ(got->evidence().events_size(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(got->evidence().events(i).id(), ids[i]);
  EXPECT_FALSE(got->evidence_cut());
  EXPECT_FALSE(got->evidence().truncated());
}

TEST_F(IncidentViewTest, AnOldIdFindsTheIncidentUnderItsNewIdAndSaysItMoved) {
  const auto ids = store_drops(3);
  const auto first = incident(kT0, {ids[1]}, {ids[1]});
  write(first);
  // A late drop moved its start: same phones, a new id that continues the first.
  const auto moved = incident(kT0 - 5 * kSecond, {ids[0]}, {ids[0], ids[1]});
  write(moved);
  auto got = view(first.id);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->incident().id(), moved.id);
  EXPECT_TRUE(got->moved());
  EXPECT_EQ(got->first_id(), first.id);
  EXPECT_GE(got->updates_size(), 2);
  ASSERT_EQ(got->evidence().events_size(), 2);
  EXPECT_EQ(got->evidence().events(0).id(), ids[0]);
  // Asked under its current id, it did not move.
  auto current = view(moved.id);
  ASSERT_TRUE(current.ok()) << current.error().message;
  EXPECT_FALSE(current->moved());
}

TEST_F(IncidentViewTest, MoreEvidenceThanOneQueryReadsIsCutAndSaysSo) {
  const auto ids = store_drops(2);
  std::vector<int64_t> cited = {ids[0], ids[1]};
  // Ids of events no longer (or never) stored still count against the bound.
  for (int64_t id = 1'000'000; cited.size() <= query::kMaxEvidenceEvents; ++id) cited.push_back(id);
  const auto row = incident(kT0, cited, {});
  write(row);
  auto got = view(row.id);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(got->evidence_cut());
  ASSERT_EQ(got->evidence().events_size(), 2);  // the oldest ids are the ones kept
  EXPECT_EQ(got->evidence().events(0).id(), ids[0]);
}

TEST_F(IncidentViewTest, NoEvidenceIsAnEmptyTimeline) {
  const auto row = incident(kT0, {}, {});
  write(row);
  auto got = view(row.id);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->evidence().events_size(), 0);
  EXPECT_FALSE(got->evidence_cut());
}

TEST_F(IncidentViewTest, NoSuchIncidentIsNotFoundAndNoIdIsABadQuery) {
  write(incident(kT0, {}, {}));
  auto missing = view("cm_node:ucm-sub9@1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "not_found");
  EXPECT_NE(missing.error().message.find("cm_node:ucm-sub9@1"), std::string::npos);
  auto empty = view("");  // would otherwise answer the newest incident
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "bad_query");
}

}  // namespace
}  // namespace regwatch::collector
