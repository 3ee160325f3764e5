// The correlation runner's in-memory window against a real SQLite store: whatever was
// committed and in whatever order of event time, what it serves for a range is exactly what
// reading the store for that range returns, in correlation's order.
#include "collector/correlate/event_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "store_fixture.h"

namespace regwatch::collector {
namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kT0 = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z
const std::vector<std::string> kKinds = {"phone_unregistered", "phone_registered", "topology"};

class EventWindowTest : public StoreFixture {
 protected:
  // n events at random times in [from, from + span): drops, registrations, topology, and a
  // kind the window does not keep.
  void commit(int n, int64_t from_us, int64_t span_us) {
    std::vector<v1::Event> batch;
    for (int i = 0; i < n; ++i) {
      v1::Event e;
      e.set_agent_id(rng_() % 2 ? "edge-1" : "edge-2");
      e.set_seq(++seq_);
      e.set_event_time_us(from_us + static_cast<int64_t>(rng_() % static_cast<uint64_t>(span_us)));
      e.set_raw("raw syslog line");
      switch (rng_() % 4) {
        case 0: e.set_kind(v1::PHONE_UNREGISTERED); break;
        case 1: e.set_kind(v1::PHONE_REGISTERED); break;
        case 2: e.set_kind(v1::LINK_DOWN); break;
        default: e.set_kind(v1::TOPOLOGY); break;
      }
      if (e.kind() == v1::TOPOLOGY) {
        e.mutable_topology()->set_device("SEP" + std::to_string(rng_() % 50));
      } else if (e.kind() != v1::LINK_DOWN) {
        e.mutable_phone()->set_device_name("SEP" + std::to_string(rng_() % 50));
      }
      batch.push_back(std::move(e));
    }
    ASSERT_TRUE(writer_->insert_batch(batch, kT0).ok());
  }

  // The store's answer for [from, to), in correlation's order, as row ids.
  std::vector<int64_t> stored_ids(int64_t from_us, int64_t to_us) {
    std::vector<correlate::StoredEvent> read;
    auto cut =
        reader_->scan_events(from_us, to_us, kKinds, 1'000'000, [&](int64_t id, v1::Event&& event) {
          read.push_back({id, std::move(event)});
        });
    EXPECT_TRUE(cut.ok() && !*cut);
    std::vector<const correlate::StoredEvent*> ordered;
    for (const auto& stored : read) ordered.push_back(&stored);
    std::sort(ordered.begin(), ordered.end(), correlate::CorrelationOrder{});
    std::vector<int64_t> ids;
    for (const auto* stored : ordered) ids.push_back(stored->id);
    return ids;
  }

  static std::vector<int64_t> ids_of(const std::vector<const correlate::StoredEvent*>& served) {
    std::vector<int64_t> ids;
    for (const auto* stored : served) ids.push_back(stored->id);
    return ids;
  }

  std::mt19937_64 rng_{7};
  uint64_t seq_ = 0;
};

TEST_F(EventWindowTest, ServesExactlyWhatTheStoreHoldsAcrossCommitsInAnyTimeOrder) {
  EventWindow window(kKinds, 100'000);
  commit(500, kT0, 180 * kMinute);
  const int64_t from = kT0 + 60 * kMinute;
  ASSERT_TRUE(window.serve_from(*reader_, from));
  EXPECT_EQ(ids_of(window.events_in(from, kT0 + 240 * kMinute)),
            stored_ids(from, kT0 + 240 * kMinute));
  // Later commits, some older than the last ones (a late agent) and some before the window's
  // start (kept out), some after everything.
  for (int round = 0; round < 5; ++round) {
    commit(200, kT0 + 40 * kMinute, 200 * kMinute);
    ASSERT_TRUE(window.serve_from(*reader_, from));
    const auto served = window.events_in(from, kT0 + 240 * kMinute);
    EXPECT_EQ(ids_of(served), stored_ids(from, kT0 + 240 * kMinute)) << "round " << round;
    EXPECT_TRUE(std::is_sorted(served.begin(), served.end(), correlate::CorrelationOrder{}));
    // A sub-range too, as a pass with a narrower context reads it.
    EXPECT_EQ(ids_of(window.events_in(kT0 + 90 * kMinute, kT0 + 100 * kMinute)),
              stored_ids(kT0 + 90 * kMinute, kT0 + 100 * kMinute));
  }
  // What correlation never reads is not kept.
  ASSERT_FALSE(window.events_in(from, kT0 + 240 * kMinute).empty());
  EXPECT_TRUE(window.events_in(from, kT0 + 240 * kMinute).front()->event.raw().empty());
}

TEST_F(EventWindowTest, AnEarlierRangeReloadsAndALaterOneTrims) {
  EventWindow window(kKinds, 100'000);
  commit(400, kT0, 600 * kMinute);
  ASSERT_TRUE(window.serve_from(*reader_, kT0 + 300 * kMinute));
  const int64_t first_start = window.start();
  EXPECT_LE(first_start, kT0 + 300 * kMinute);
  // Earlier than the window holds: loaded again from before it.
  ASSERT_TRUE(window.serve_from(*reader_, kT0 + 100 * kMinute));
  EXPECT_LE(window.start(), kT0 + 100 * kMinute);
  EXPECT_EQ(ids_of(window.events_in(kT0 + 100 * kMinute, kT0 + 600 * kMinute)),
            stored_ids(kT0 + 100 * kMinute, kT0 + 600 * kMinute));
  // Live time moves on: the window lets go of what no pass will read again.
  const size_t before = window.size();
  ASSERT_TRUE(window.serve_from(*reader_, kT0 + 400 * kMinute));
  EXPECT_GT(window.start(), kT0 + 100 * kMinute);
  EXPECT_LT(window.size(), before);
  EXPECT_EQ(ids_of(window.events_in(kT0 + 400 * kMinute, kT0 + 600 * kMinute)),
            stored_ids(kT0 + 400 * kMinute, kT0 + 600 * kMinute));
}

TEST_F(EventWindowTest, MoreThanItMayHoldIsRefusedSoThePassReadsTheStore) {
  EventWindow window(kKinds, 100);
  commit(400, kT0, 60 * kMinute);
  EXPECT_FALSE(window.serve_from(*reader_, kT0));
  EXPECT_EQ(window.size(), 0u);
  // A window that fits, then a flood of new rows past its limit: refused too, never partial.
  EventWindow small(kKinds, 100);
  ASSERT_TRUE(small.serve_from(*reader_, kT0 + 120 * kMinute));
  commit(400, kT0 + 130 * kMinute, kMinute);
  EXPECT_FALSE(small.serve_from(*reader_, kT0 + 120 * kMinute));
  EXPECT_EQ(small.size(), 0u);
}

}  // namespace
}  // namespace regwatch::collector
