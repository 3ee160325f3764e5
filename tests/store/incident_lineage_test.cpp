// Incidents keep one identity while late events move them: the pure lineage
// rules, and the writer and queries on a real SQLite file.
#include "collector/store/incident_lineage.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <variant>

#include "collector/store/event_writer.h"
#include "collector/store/incident_reader.h"
#include "collector/store/incident_store.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kSecond = 1'000'000;

std::vector<std::string> phones(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "SEP%012d", i);
    out.push_back(name);
  }
  return out;
}

IncidentSnapshot snapshot(const std::string& scope_name, int64_t start_s, int first_phone,
                          int count, v1::IncidentState state = v1::INCIDENT_STATE_OPEN) {
  IncidentSnapshot s;
  s.scope_type = "cm_node";
  s.scope_name = scope_name;
  s.id = "cm_node:" + scope_name + "@" + std::to_string(start_s * kSecond);
  s.first_id = s.id;
  s.state = state;
  s.incident_class = "infrastructure";
  s.top_cause = "cm_cpu";
  s.start_us = start_s * kSecond;
  s.end_us = (start_s + 10) * kSecond;
  s.phones = phones(first_phone, count);
  return s;
}

TEST(IncidentLineage, SameIdContinuesAndAMovedStartStillDoes) {
  const std::vector<IncidentSnapshot> stored = {snapshot("ucm-sub1", 100, 0, 20)};
  auto same = assign_lineage(stored, {snapshot("ucm-sub1", 100, 0, 30)});
  ASSERT_TRUE(same.continues[0].has_value());
  EXPECT_EQ(*same.continues[0], 0u);
  EXPECT_TRUE(same.withdrawn.empty());
  // An earlier drop arrived late: new start, new id, mostly the same phones.
  auto moved = assign_lineage(stored, {snapshot("ucm-sub1", 95, 0, 25)});
  ASSERT_TRUE(moved.continues[0].has_value());
  EXPECT_TRUE(moved.withdrawn.empty());
}

TEST(IncidentLineage, UnrelatedIncidentsDoNotInheritAndTheVanishedOneIsWithdrawn) {
  const std::vector<IncidentSnapshot> stored = {snapshot("ucm-sub1", 100, 0, 20)};
  // Other phones at the same time, and the same phones much later: neither continues it.
  auto result = assign_lineage(
      stored, {snapshot("ucm-sub2", 100, 100, 20), snapshot("ucm-sub1", 5000, 0, 20)});
  EXPECT_FALSE(result.continues[0].has_value());
  EXPECT_FALSE(result.continues[1].has_value());
  ASSERT_EQ(result.withdrawn.size(), 1u);
  EXPECT_EQ(result.withdrawn[0], 0u);
}

TEST(IncidentLineage, ASplitKeepsTheIdentityOnThePartSharingMost) {
  const std::vector<IncidentSnapshot> stored = {snapshot("ucm-sub1", 100, 0, 40)};
  auto result = assign_lineage(stored, {snapshot("sw-3f-2", 100, 0, 12),  // a module's share
                                        snapshot("sw-4f-1", 100, 12, 28)});
  EXPECT_FALSE(result.continues[0].has_value());
  ASSERT_TRUE(result.continues[1].has_value());
  EXPECT_TRUE(result.withdrawn.empty());
}

TEST(IncidentLineage, ChangesAreDescribedInWords) {
  const auto before = snapshot("ucm-sub1", 100, 0, 12);
  auto after = snapshot("ucm-sub1", 100, 0, 40);
  after.top_cause = "cm_slow";
  after.state = v1::INCIDENT_STATE_RESOLVED;
  EXPECT_EQ(describe_change(&before, before), "");
  EXPECT_EQ(describe_change(&before, after),
            "12 -> 40 phones; top cause cm_cpu -> cm_slow; resolved");
  EXPECT_EQ(describe_change(nullptr, before),
            "opened: 12 phones on cm_node ucm-sub1, top cause cm_cpu");
}

TEST(IncidentLineage, PhonesAddedOneByOneAreRecordedOnlyWhenTheyDoubleTheCount) {
  // A 40-phone burst growing a phone at a time: opened at 10, then 20 and 40 only.
  std::vector<std::string> recorded;
  size_t last_recorded = 0;
  auto before = snapshot("ucm-sub1", 100, 0, 10);
  recorded.push_back(describe_change(nullptr, before));
  last_recorded = 10;
  for (int n = 11; n <= 40; ++n) {
    const auto after = snapshot("ucm-sub1", 100, 0, n);
    const std::string change = describe_change(&before, after, last_recorded);
    if (!change.empty()) {
      recorded.push_back(change);
      last_recorded = static_cast<size_t>(n);
    }
    before = after;
  }
  EXPECT_EQ(recorded,
            (std::vector<std::string>{"opened: 10 phones on cm_node ucm-sub1, top cause cm_cpu",
                                      "19 -> 20 phones", "39 -> 40 phones"}));
  // Another change that matters says the count too, however small the growth.
  auto moved = snapshot("ucm-sub1", 100, 0, 41);
  moved.top_cause = "nic_errors";
  EXPECT_EQ(describe_change(&before, moved, 40), "40 -> 41 phones; top cause cm_cpu -> nic_errors");
}

TEST(IncidentLineage, AnIncidentOpenAgainAfterItsResolveIsRecordedAsReopened) {
  auto resolved = snapshot("ucm-sub1", 100, 0, 29);
  resolved.state = v1::INCIDENT_STATE_RESOLVED;
  const auto again = snapshot("ucm-sub1", 100, 0, 29);
  EXPECT_EQ(describe_change(&resolved, again), "reopened: phones dropped again");
  EXPECT_EQ(describe_change(&again, resolved), "resolved");
}

class IncidentWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-lineage-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto events = EventWriter::open(path_);  // creates the schema
    ASSERT_TRUE(events.ok()) << events.error().message;
    auto writer = IncidentWriter::open(path_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    writer_ = std::move(writer).value();
    auto reader = IncidentReader::open(path_);
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    reader_ = std::move(reader).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static IncidentRow row(const IncidentSnapshot& s) {
    IncidentRow r;
    r.id = s.id;
    r.state = s.state;
    r.incident_class = s.incident_class;
    r.scope_type = s.scope_type;
    r.scope_name = s.scope_name;
    r.start_time_us = s.start_us;
    r.end_time_us = s.end_us;
    r.phone_count = static_cast<uint32_t>(s.phones.size());
    r.top_cause = s.top_cause;
    r.phones = s.phones;
    r.record.set_id(s.id);
    r.record.set_state(s.state);
    r.record.mutable_phones()->Assign(s.phones.begin(), s.phones.end());
    return r;
  }
  std::vector<std::string> listed_ids(const std::string& state = "") {
    v1::IncidentQuery q;
    q.set_state(state);
    auto list = reader_->incidents(q);
    EXPECT_TRUE(list.ok());
    std::vector<std::string> ids;
    for (const auto& incident : list->incidents()) ids.push_back(incident.id());
    return ids;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<IncidentWriter> writer_;
  std::unique_ptr<IncidentReader> reader_;
};

TEST_F(IncidentWriterTest, AMovedIncidentKeepsItsFirstIdAndItsOldIdStillFindsIt) {
  const int64_t from = 0, to = 10'000 * kSecond;
  const auto first = snapshot("ucm-sub1", 100, 0, 12);
  auto pass1 = writer_->replace_range(from, to, {row(first)}, 1 * kSecond);
  ASSERT_TRUE(pass1.ok()) << pass1.error().message;
  ASSERT_EQ(pass1->size(), 1u);
  EXPECT_EQ((*pass1)[0].key, first.id);
  EXPECT_EQ((*pass1)[0].change, "opened: 12 phones on cm_node ucm-sub1, top cause cm_cpu");

  // Unchanged: no update recorded.
  auto pass2 = writer_->replace_range(from, to, {row(first)}, 2 * kSecond);
  ASSERT_TRUE(pass2.ok());
  EXPECT_EQ((*pass2)[0].change, "");

  // A late, earlier drop moves the start: a new id that continues the first.
  const auto moved = snapshot("ucm-sub1", 90, 0, 30);
  auto pass3 = writer_->replace_range(from, to, {row(moved)}, 3 * kSecond);
  ASSERT_TRUE(pass3.ok());
  ASSERT_EQ(pass3->size(), 1u);
  EXPECT_EQ((*pass3)[0].key, first.id);
  EXPECT_EQ((*pass3)[0].id, moved.id);
  EXPECT_EQ(listed_ids(), std::vector<std::string>{moved.id});

  v1::IncidentQuery by_old_id;
  by_old_id.set_id(first.id);
  auto found = reader_->incidents(by_old_id);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->incidents_size(), 1);
  EXPECT_EQ(found->incidents(0).id(), moved.id);
  EXPECT_EQ(found->first_id(), first.id);
  ASSERT_EQ(found->updates_size(), 2);
  EXPECT_EQ(found->updates(0).phone_count(), 12u);
  EXPECT_EQ(found->updates(1).change(), "12 -> 30 phones; first drop moved (late events)");
  EXPECT_EQ(found->updates(1).id(), moved.id);
}

TEST_F(IncidentWriterTest, AVanishedIncidentIsWithdrawnHiddenAndRevivable) {
  const int64_t from = 0, to = 10'000 * kSecond;
  const auto burst = snapshot("ucm-sub1", 100, 0, 12);
  ASSERT_TRUE(writer_->replace_range(from, to, {row(burst)}, 1 * kSecond).ok());
  auto gone = writer_->replace_range(from, to, {}, 2 * kSecond);
  ASSERT_TRUE(gone.ok());
  ASSERT_EQ(gone->size(), 1u);
  EXPECT_EQ((*gone)[0].key, burst.id);
  EXPECT_EQ(std::get<v1::Incident>((*gone)[0].record).state(), v1::INCIDENT_STATE_WITHDRAWN);
  EXPECT_TRUE(listed_ids().empty());
  EXPECT_EQ(listed_ids("withdrawn"), std::vector<std::string>{burst.id});
  // Still withdrawn on the next pass, and not reported again.
  auto again = writer_->replace_range(from, to, {}, 3 * kSecond);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  // Found again (under another id): it continues the withdrawn one.
  const auto back = snapshot("ucm-sub1", 98, 0, 14);
  auto revived = writer_->replace_range(from, to, {row(back)}, 4 * kSecond);
  ASSERT_TRUE(revived.ok());
  ASSERT_EQ(revived->size(), 1u);
  EXPECT_EQ((*revived)[0].key, burst.id);
  EXPECT_EQ(listed_ids(), std::vector<std::string>{back.id});
  EXPECT_TRUE(listed_ids("withdrawn").empty());
}

}  // namespace
}  // namespace regwatch::collector::store
