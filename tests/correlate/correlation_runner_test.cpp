// The correlation runner's two ways of reading a pass's input give the same incidents: the same
// batches, committed to two stores and announced to two runners, one whose clock makes every
// range live (served from its event window and kept phone directory) and one whose clock makes
// every range a replay (read from the store, directory loaded per pass), leave identical
// incident tables: the same records, byte for byte (deterministic serialisation). The batches move
// phones between CM nodes and switches, take some off CDP, burst, and arrive out of order (an
// agent's spool draining minutes late), at real SQLite.
#include "collector/correlate/correlation_runner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "collector/store/event_writer.h"
#include "collector/store/incident_reader.h"

#include "common/record_bytes.h"
#include "common/record_json.h"
#include "tests/store/test_store.h"

namespace regwatch::collector {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kNow = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z, the live clock
constexpr int kPhones = 60;

struct Side {
  explicit Side(int64_t now_us) : clock(now_us) {}
  fs::path dir;
  ManualClock clock;
  std::unique_ptr<store::EventWriter> writer;
  std::unique_ptr<CorrelationRunner> runner;
};

class CorrelationRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (Side* side : {&live_, &replay_}) {
      char templ[] = "/tmp/regwatch-runner-XXXXXX";
      side->dir = mkdtemp(templ);
      const std::string db =
          regwatch::test::test_store_location((side->dir / "events.db").string());
      auto writer = store::EventWriter::open(db);
      ASSERT_TRUE(writer.ok()) << writer.error().message;
      side->writer = std::move(writer).value();
      correlate::CorrelationSettings settings;
      settings.min_phones = 5;
      side->runner = std::make_unique<CorrelationRunner>(db, settings, side->clock);
      ASSERT_TRUE(side->runner->start().ok());
    }
  }
  void TearDown() override {
    for (Side* side : {&live_, &replay_}) {
      side->runner.reset();
      fs::remove_all(side->dir);
    }
  }

  v1::Event event(v1::EventKind kind, int phone, int64_t time_us) {
    v1::Event e;
    e.set_agent_id(rng_() % 2 ? "edge-1" : "edge-2");
    e.set_seq(++seq_);
    e.set_event_time_us(time_us);
    e.set_receive_time_us(time_us);
    e.set_kind(kind);
    const std::string device = "SEP0000000000" + std::to_string(10 + phone);
    if (kind == v1::TOPOLOGY) {
      auto* t = e.mutable_topology();
      t->set_device(device);
      t->set_switch_name("sw-" + std::to_string(rng_() % 3));
      t->set_module(1 + static_cast<uint32_t>(rng_() % 2));
      t->set_port("Gi1/0/" + std::to_string(phone));
      t->set_removed(rng_() % 8 == 0);
      return e;
    }
    auto* p = e.mutable_phone();
    p->set_device_name(device);
    p->set_cm_node("ucm-sub" + std::to_string(1 + rng_() % 3));
    p->set_cluster("PROD");
    p->set_ip("10.1." + std::to_string(phone % 3) + "." + std::to_string(10 + phone));
    if (kind == v1::PHONE_UNREGISTERED) p->set_reason_code(13);
    return e;
  }

  // One batch to both stores and both runners, then both passes done.
  void commit(const std::vector<v1::Event>& batch) {
    int64_t lo = batch.front().event_time_us(), hi = lo;
    for (const auto& e : batch) {
      lo = std::min(lo, e.event_time_us());
      hi = std::max(hi, e.event_time_us());
    }
    for (Side* side : {&live_, &replay_}) {
      const uint64_t before = side->runner->passes();
      ASSERT_TRUE(side->writer->insert_batch(batch, kNow).ok());
      side->runner->on_stored(lo, hi);
      ASSERT_TRUE(side->runner->wait_passes(before + 1, std::chrono::seconds(30)))
          << "no pass within 30 s";
    }
  }

  static std::vector<v1::Incident> records(const Side& side) {
    auto reader = store::IncidentReader::open(
        regwatch::test::test_store_location((side.dir / "events.db").string()));
    EXPECT_TRUE(reader.ok());
    v1::IncidentQuery q;
    q.set_limit(1000);
    auto list = (*reader)->incidents(q);
    EXPECT_TRUE(list.ok());
    return {list->incidents().begin(), list->incidents().end()};
  }
  // Each incident record as stored, byte for byte (its deterministic serialisation).
  static std::vector<std::string> incidents(const Side& side) {
    std::vector<std::string> bytes;
    for (const auto& i : records(side)) bytes.push_back(deterministic_bytes(i));
    return bytes;
  }

  Side live_{kNow}, replay_{kNow + 30LL * 24 * 60 * kMinute};
  std::mt19937_64 rng_{5};
  uint64_t seq_ = 0;
};

TEST_F(CorrelationRunnerTest, LivePassesAndReplayedPassesWriteTheSameIncidents) {
  // Hours before: every phone placed and registered (the directory's share).
  std::vector<v1::Event> before;
  for (int p = 0; p < kPhones; ++p) {
    before.push_back(event(v1::TOPOLOGY, p, kNow - 5 * 60 * kMinute + p * kSecond));
    before.push_back(
        event(v1::PHONE_REGISTERED, p, kNow - 5 * 60 * kMinute + 30 * kSecond + p * kSecond));
  }
  commit(before);
  // Then batches over the last three hours: phones moving and re-registering, some leaving
  // CDP, bursts of drops; each batch's times after the last one's, or up to 40 min before it.
  int64_t latest = kNow - 3 * 60 * kMinute;
  for (int round = 0; round < 14; ++round) {
    const bool late = round > 2 && rng_() % 3 == 0;
    const int64_t from = late ? latest - static_cast<int64_t>(20 + rng_() % 20) * kMinute : latest;
    std::vector<v1::Event> batch;
    for (int k = 0; k < 12; ++k) {
      const int phone = static_cast<int>(rng_() % kPhones);
      const auto kind = rng_() % 2 ? v1::TOPOLOGY : v1::PHONE_REGISTERED;
      batch.push_back(event(kind, phone, from + static_cast<int64_t>(rng_() % 600) * kSecond));
    }
    if (round % 3 == 2) {  // a burst: 12 phones of a few nodes within 30 s
      const int64_t at = from + 11 * kMinute;
      for (int k = 0; k < 12; ++k)
        batch.push_back(event(v1::PHONE_UNREGISTERED, static_cast<int>(rng_() % kPhones),
                              at + static_cast<int64_t>(rng_() % 30) * kSecond));
    }
    commit(batch);
    if (!late) latest = from + 12 * kMinute;
  }
  const auto live = incidents(live_);
  const auto replayed = incidents(replay_);
  ASSERT_FALSE(live.empty()) << "the scenario should open incidents";
  EXPECT_EQ(live, replayed);
}

TEST_F(CorrelationRunnerTest, ABatchReachingBackFurtherStillSeesWhatMovedJustBefore) {
  // 20 phones registered on ucm-sub1 hours ago; at T-3h03m ten of them re-register on
  // ucm-sub3. A live batch at T-30m, then a late one at T-50m (an agent's spool) in which those
  // ten drop without naming their node (as on the wire): their node is what they last
  // registered to, ucm-sub3, whichever way the runner read the pass's input.
  const auto registered = [&](int phone, const char* node, int64_t t) {
    auto e = event(v1::PHONE_REGISTERED, phone, t);
    e.mutable_phone()->set_cm_node(node);
    return e;
  };
  std::vector<v1::Event> night, moved, live_batch, late_batch;
  for (int p = 0; p < 20; ++p) night.push_back(registered(p, "ucm-sub1", kNow - 5 * 60 * kMinute));
  commit(night);
  for (int p = 0; p < 10; ++p)
    moved.push_back(registered(p, "ucm-sub3", kNow - 183 * kMinute + p * kSecond));
  commit(moved);
  live_batch.push_back(registered(15, "ucm-sub1", kNow - 30 * kMinute));
  commit(live_batch);
  for (int p = 0; p < 10; ++p) {
    auto drop = event(v1::PHONE_UNREGISTERED, p, kNow - 50 * kMinute + p * kSecond);
    drop.mutable_phone()->clear_cm_node();
    late_batch.push_back(drop);
  }
  commit(late_batch);
  const auto live = records(live_);
  ASSERT_EQ(live.size(), 1u);
  const std::string rendered = incident_json(live[0]).dump();
  EXPECT_NE(rendered.find("\"phones_by_cm\":{\"ucm-sub3\":10}"), std::string::npos) << rendered;
  EXPECT_EQ(incidents(live_), incidents(replay_));
}

}  // namespace
}  // namespace regwatch::collector
