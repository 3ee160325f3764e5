// What correlation knows of the phones from before a pass's context, against a real SQLite
// store: kept up to date (advance, offer) it equals what loading it afresh gives, and it puts
// ahead of a pass's input only what the input does not say itself.
#include "collector/correlate/phone_directory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "store_fixture.h"

namespace regwatch::collector {
namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kT0 = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z

class PhoneDirectoryTest : public StoreFixture {
 protected:
  v1::Event event(v1::EventKind kind, const std::string& device, int64_t time_us,
                  const std::string& where) {
    v1::Event e;
    e.set_agent_id(rng_() % 2 ? "edge-1" : "edge-2");
    e.set_seq(++seq_);
    e.set_event_time_us(time_us);
    e.set_kind(kind);
    if (kind == v1::TOPOLOGY) {
      e.mutable_topology()->set_device(device);
      e.mutable_topology()->set_switch_name(where);
    } else {
      e.mutable_phone()->set_device_name(device);
      e.mutable_phone()->set_cm_node(where);
    }
    return e;
  }

  // Random registrations, attachments and drops of 40 phones over [from, from + span).
  std::vector<v1::Event> random_events(int n, int64_t from_us, int64_t span_us) {
    const v1::EventKind kinds[] = {v1::TOPOLOGY, v1::PHONE_REGISTERED, v1::PHONE_UNREGISTERED};
    std::vector<v1::Event> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(event(kinds[rng_() % 3], "SEP" + std::to_string(rng_() % 40),
                          from_us + static_cast<int64_t>(rng_() % static_cast<uint64_t>(span_us)),
                          "place-" + std::to_string(rng_() % 1000)));
    }
    return out;
  }

  void commit(const std::vector<v1::Event>& events) {
    ASSERT_TRUE(writer_->insert_batch(events, kT0).ok());
  }

  // The directory's events as (id) for an empty input, i.e. everything it holds (with `since`
  // laid over it).
  static std::vector<int64_t> held(const PhoneDirectory& directory,
                                   const std::vector<const correlate::StoredEvent*>& since = {}) {
    std::vector<const correlate::StoredEvent*> input;
    directory.add_to(input, since);
    std::vector<int64_t> ids;
    for (const auto* stored : input) ids.push_back(stored->id);
    return ids;
  }

  // Every stored event in [from, to), as the window would hand them to advance().
  std::vector<correlate::StoredEvent> stored_in(int64_t from_us, int64_t to_us) {
    std::vector<correlate::StoredEvent> out;
    auto cut =
        reader_->scan_events(from_us, to_us, {"topology", "phone_registered", "phone_unregistered"},
                             100'000, [&](int64_t id, v1::Event&& e) {
                               out.push_back({id, std::move(e)});
                             });
    EXPECT_TRUE(cut.ok() && !*cut);
    return out;
  }

  std::mt19937_64 rng_{11};
  uint64_t seq_ = 0;
};

TEST_F(PhoneDirectoryTest, KeptUpToDateItEqualsLoadingItAfresh) {
  commit(random_events(400, kT0, 300 * kMinute));
  PhoneDirectory live;
  ASSERT_TRUE(live.load(*reader_, kT0 + 100 * kMinute, 100'000));
  EXPECT_FALSE(held(live).empty());
  int64_t until = kT0 + 100 * kMinute;
  for (int round = 0; round < 6; ++round) {
    // A late agent's events, some before the directory's point (offered), then the point
    // moves on over what was stored in between (advanced).
    const auto late = random_events(60, kT0, 200 * kMinute);
    commit(late);
    int64_t id = 0;
    for (const auto& stored : stored_in(kT0, kT0 + 300 * kMinute)) id = std::max(id, stored.id);
    for (const auto& stored : stored_in(kT0, until)) {
      if (stored.id > id - static_cast<int64_t>(late.size())) live.offer(stored.id, stored.event);
    }
    const int64_t next = until + 20 * kMinute;
    const auto between = stored_in(until, next);
    std::vector<const correlate::StoredEvent*> pointers;
    for (const auto& stored : between) pointers.push_back(&stored);
    live.advance(pointers, next);
    until = next;
    PhoneDirectory fresh;
    ASSERT_TRUE(fresh.load(*reader_, until, 100'000));
    EXPECT_EQ(held(live), held(fresh)) << "round " << round;
    EXPECT_EQ(live.until(), until);
    // Kept behind a pass, with what lies between laid over it: as if loaded at the pass's start.
    const auto ahead = stored_in(until, until + 7 * kMinute);
    std::vector<const correlate::StoredEvent*> since;
    for (const auto& stored : ahead) since.push_back(&stored);
    PhoneDirectory at_pass;
    ASSERT_TRUE(at_pass.load(*reader_, until + 7 * kMinute, 100'000));
    EXPECT_EQ(held(live, since), held(at_pass)) << "round " << round;
  }
}

TEST_F(PhoneDirectoryTest, AddsOnlyWhatTheInputDoesNotSayInOrderAheadOfIt) {
  commit({event(v1::TOPOLOGY, "SEP1", kT0, "sw-old"),
          event(v1::TOPOLOGY, "SEP1", kT0 + kMinute, "sw-a"),
          event(v1::PHONE_REGISTERED, "SEP1", kT0 + 2 * kMinute, "ucm-sub1"),
          event(v1::TOPOLOGY, "SEP2", kT0 + 3 * kMinute, "sw-b"),
          event(v1::PHONE_REGISTERED, "SEP2", kT0 + 4 * kMinute, "ucm-sub2"),
          event(v1::PHONE_UNREGISTERED, "SEP3", kT0 + 5 * kMinute, "ucm-sub1")});
  PhoneDirectory directory;
  ASSERT_TRUE(directory.load(*reader_, kT0 + 60 * kMinute, 100'000));
  EXPECT_EQ(directory.size(), 4u);  // one of each kind per phone; drops are not kept
  // The context re-places SEP2 and registers SEP1 again: only SEP1's attachment and SEP2's
  // registration come from before it.
  const auto in_context = std::vector<correlate::StoredEvent>{
      {100, event(v1::TOPOLOGY, "SEP2", kT0 + 61 * kMinute, "sw-c")},
      {101, event(v1::PHONE_REGISTERED, "SEP1", kT0 + 62 * kMinute, "ucm-sub2")}};
  std::vector<const correlate::StoredEvent*> input = {&in_context[0], &in_context[1]};
  directory.add_to(input);
  ASSERT_EQ(input.size(), 4u);
  EXPECT_EQ(input[0]->event.topology().switch_name(), "sw-a");  // the latest, not sw-old
  EXPECT_EQ(input[1]->event.phone().cm_node(), "ucm-sub2");
  EXPECT_EQ(input[1]->event.phone().device_name(), "SEP2");
  EXPECT_TRUE(std::is_sorted(input.begin(), input.end(), correlate::CorrelationOrder{}));
}

TEST_F(PhoneDirectoryTest, APhoneLeavingTheNeighbourTableKeepsItsLastPlace) {
  // A module failing: CDP loses its phones, which is news of the failure, not a new place
  // (correlate() ignores it), so the attachment before it still places the phone.
  auto removed = event(v1::TOPOLOGY, "SEP1", kT0 + 2 * kMinute, "sw-a");
  removed.mutable_topology()->set_removed(true);
  commit({event(v1::TOPOLOGY, "SEP1", kT0, "sw-a"), removed});
  PhoneDirectory directory;
  ASSERT_TRUE(directory.load(*reader_, kT0 + 60 * kMinute, 100'000));
  auto removed_again = removed;
  removed_again.set_event_time_us(kT0 + 61 * kMinute);
  const std::vector<correlate::StoredEvent> in_context = {{100, removed_again}};
  std::vector<const correlate::StoredEvent*> input = {&in_context[0]};
  directory.add_to(input);
  ASSERT_EQ(input.size(), 2u);
  EXPECT_FALSE(input[0]->event.topology().removed());
  EXPECT_EQ(input[0]->event.topology().switch_name(), "sw-a");
}

}  // namespace
}  // namespace regwatch::collector
