// The steady-state paths: KeepAlive / KeepAliveAck handled straight from an Ethernet frame (the
// keepalive lane) or decoded straight from the segment (any other link) must give exactly what
// the reassembler and framer give, and the schedule that predicts the next KeepAlives (used
// only to preload records) keeps its contract.
#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "agent/sccp/keepalive_schedule.h"
#include "agent/sccp/sccp_analyzer.h"
#include "sccp_wire.h"

namespace regwatch::agent::sccp {
namespace {

// The capture layer under the analyzer, named as the analyzer names it.
using namespace regwatch::agent::capture;  // NOLINT(google-build-using-namespace)

using testing::Bytes;
constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kStart = 1'790'000'000 * kSecond;
constexpr testing::Endpoint kPhone{5, 50000}, kCm{1, 2000};

// Registration, then rounds of KeepAlive / KeepAliveAck; each PDU goes out as the segments
// cut() makes of it (whole, split, ...), in the order it returns them.
struct Conversation {
  std::vector<std::string> events;
  SccpStats stats;
};
// link kLinkRaw sends the same IPv4 packets without their Ethernet header.
template <class Cut>
Conversation converse(const Cut& cut, int link = kLinkEthernet) {
  Conversation out;
  SccpCapture analyzer(SccpSettings{}, [&](v1::Event e) { out.events.push_back(e.DebugString()); });
  uint32_t up = 1000, down = 9000;
  auto on_frame = [&](int64_t t, const Bytes& frame) {
    const size_t skip = link == kLinkRaw ? 14 : 0;
    analyzer.on_packet(link, t, std::span<const uint8_t>(frame).subspan(skip));
  };
  auto send = [&](int64_t t, testing::Endpoint from, testing::Endpoint to, uint32_t& seq,
                  const Bytes& pdu) {
    for (const auto& [offset, part] : cut(pdu)) {
      on_frame(t, testing::frame(from, to, seq + offset, part));
    }
    seq += static_cast<uint32_t>(pdu.size());
  };
  on_frame(kStart, testing::frame(kPhone, kCm, up++, {}, 0x02));
  on_frame(kStart, testing::frame(kCm, kPhone, down++, {}, 0x12));
  send(kStart, kPhone, kCm, up, testing::register_pdu("SEP0017943A98BA"));
  send(kStart, kCm, kPhone, down, testing::register_ack_pdu(30));
  for (int64_t round = 1; round <= 6; ++round) {
    const int64_t t = kStart + round * 30 * kSecond;
    send(t, kPhone, kCm, up, testing::pdu(0x0000));
    // The CM is slow in round 3 (acked after 6 s: keepalive_unanswered).
    send(t + (round == 3 ? 6 * kSecond : 2'000), kCm, kPhone, down, testing::pdu(0x0100));
  }
  analyzer.on_idle(kStart + 400 * kSecond);
  out.stats = analyzer.stats();
  return out;
}

using Parts = std::vector<std::pair<uint32_t, Bytes>>;

TEST(KeepAlivePath, WholeSegmentsAndSplitSegmentsGiveTheSameEventsAndCounts) {
  const auto whole_pdus = [](const Bytes& pdu) { return Parts{{0, pdu}}; };
  const auto whole = converse(whole_pdus);                // the keepalive lane
  const auto whole_raw = converse(whole_pdus, kLinkRaw);  // the segment fast path
  const auto split = converse([](const Bytes& pdu) {
    return Parts{{0, Bytes(pdu.begin(), pdu.begin() + 5)}, {5, Bytes(pdu.begin() + 5, pdu.end())}};
  });
  EXPECT_EQ(whole.events, split.events);
  EXPECT_EQ(whole.stats.messages_by_type, split.stats.messages_by_type);
  EXPECT_EQ(whole.stats.events_by_kind, split.stats.events_by_kind);
  EXPECT_EQ(whole.stats.anomalies, split.stats.anomalies);
  EXPECT_EQ(whole_raw.events, split.events);
  EXPECT_EQ(whole_raw.stats.messages_by_type, split.stats.messages_by_type);
  EXPECT_EQ(whole_raw.stats.anomalies, split.stats.anomalies);
  EXPECT_EQ(whole.stats.messages_by_type.at("KeepAlive"), 6u);
  EXPECT_EQ(whole.stats.messages_by_type.at("KeepAliveAck"), 6u);
  EXPECT_EQ(whole.stats.events_by_kind.at("keepalive_unanswered"), 1u);
  EXPECT_TRUE(whole.stats.anomalies.empty());
}

TEST(KeepAlivePath, RetransmittedAndReorderedKeepAlivesAreCountedOnce) {
  // Every PDU sent twice; a KeepAlive split in two arrives second half first.
  const auto twice = converse([](const Bytes& pdu) { return Parts{{0, pdu}, {0, pdu}}; });
  const auto once = converse([](const Bytes& pdu) { return Parts{{0, pdu}}; });
  EXPECT_EQ(twice.events, once.events);
  EXPECT_EQ(twice.stats.messages_by_type, once.stats.messages_by_type);
  EXPECT_EQ(twice.stats.anomalies.at("tcp_retransmission"), 14u);  // one per PDU
  const auto reordered = converse([](const Bytes& pdu) {
    return Parts{{5, Bytes(pdu.begin() + 5, pdu.end())}, {0, Bytes(pdu.begin(), pdu.begin() + 5)}};
  });
  EXPECT_EQ(reordered.events, once.events);
  EXPECT_EQ(reordered.stats.messages_by_type, once.stats.messages_by_type);
  EXPECT_EQ(reordered.stats.anomalies.at("tcp_out_of_order"), 14u);
}

// Every count of two runs over the same packets (bytes aside: a raw-IP frame is shorter).
void expect_same_counts(const SccpStats& a, const SccpStats& b) {
  EXPECT_EQ(a.packets, b.packets);
  EXPECT_EQ(a.tcp_segments, b.tcp_segments);
  EXPECT_EQ(a.sccp_messages, b.sccp_messages);
  EXPECT_EQ(a.connections_opened, b.connections_opened);
  EXPECT_EQ(a.connections_rejected, b.connections_rejected);
  EXPECT_EQ(a.connections_expired, b.connections_expired);
  EXPECT_EQ(a.messages_by_type, b.messages_by_type);
  EXPECT_EQ(a.anomalies, b.anomalies);
  EXPECT_EQ(a.events_by_kind, b.events_by_kind);
  EXPECT_EQ(a.phones, b.phones);
  EXPECT_EQ(a.open_connections, b.open_connections);
}

// A fleet that exercises what the keepalive lane must get right besides the happy path:
// KeepAlives well before and after their predicted time (so the lane looks in the flow table,
// not among the preloaded slots), a connection reset and opened again on the same ports (a
// reused slot), a TLS connection carrying KeepAlive-shaped bytes, a phone whose own port is an
// SCCP port, a CM answering late, and idle expiry.
Conversation messy_fleet(int link) {
  Conversation out;
  SccpCapture analyzer(SccpSettings{}, [&](v1::Event e) { out.events.push_back(e.DebugString()); });
  auto on_frame = [&](int64_t t, const Bytes& frame) {
    const size_t skip = link == kLinkRaw ? 14 : 0;
    analyzer.on_packet(link, t, std::span<const uint8_t>(frame).subspan(skip));
  };
  struct Phone {
    testing::Endpoint phone, cm;
    uint32_t up = 0, down = 0;
  };
  std::vector<Phone> phones;
  for (uint8_t i = 0; i < 6; ++i) {
    const testing::Endpoint cm{1, static_cast<uint16_t>(i == 4 ? 2443 : 2000)};  // 4: TLS
    const uint16_t port = i == 5 ? 2000 : static_cast<uint16_t>(50000 + i);      // 5: SCCP port
    phones.push_back({{static_cast<uint8_t>(10 + i), port}, cm, 1000u * (i + 1), 9000u * (i + 1)});
  }
  auto send = [&](int64_t t, Phone& p, bool up, const Bytes& pdu) {
    if (up) {
      on_frame(t, testing::frame(p.phone, p.cm, p.up, pdu));
      p.up += static_cast<uint32_t>(pdu.size());
    } else {
      on_frame(t, testing::frame(p.cm, p.phone, p.down, pdu, 0x10));
      p.down += static_cast<uint32_t>(pdu.size());
    }
  };
  auto open = [&](int64_t t, Phone& p, const std::string& device) {
    on_frame(t, testing::frame(p.phone, p.cm, p.up++, {}, 0x02));
    on_frame(t, testing::frame(p.cm, p.phone, p.down++, {}, 0x12));
    send(t, p, true, testing::register_pdu(device));
    send(t + 1'000, p, false, testing::register_ack_pdu(30));
  };
  for (size_t i = 0; i < phones.size(); ++i)
    open(kStart, phones[i], "SEP00179400000" + std::to_string(i));
  const int64_t early_or_late[] = {0, -400'000, 3'000, 700'000, -20'000, 0};
  for (int64_t round = 1; round <= 8; ++round) {
    for (size_t i = 0; i < phones.size(); ++i) {
      if (i == 3 && round >= 6) continue;  // phone 3 falls silent: keepalive_missed, then idle
      const int64_t t = kStart + round * 30 * kSecond + early_or_late[(i + round) % 6];
      send(t, phones[i], true, testing::pdu(0x0000));
      const int64_t ack_after = i == 2 && round == 4 ? 7 * kSecond : 2'000;  // CM late once
      send(t + ack_after, phones[i], false, testing::pdu(0x0100));
    }
    if (round == 3) {  // the CM resets phone 1; it reconnects on the same ports
      Phone& p = phones[1];
      const int64_t t = kStart + round * 30 * kSecond + 5 * kSecond;
      on_frame(t, testing::frame(p.cm, p.phone, p.down, {}, 0x14));
      p.up += 5000, p.down += 5000;
      open(t + kSecond, p, "SEP001794000001");
    }
  }
  analyzer.on_idle(kStart + 1'000 * kSecond);  // past the idle timeout for every connection
  out.stats = analyzer.stats();
  return out;
}

TEST(KeepAlivePath, LaneAndSegmentPathAgreeOnAMessyFleet) {
  const Conversation lane = messy_fleet(kLinkEthernet);
  const Conversation segment = messy_fleet(kLinkRaw);
  EXPECT_EQ(lane.events, segment.events);
  expect_same_counts(lane.stats, segment.stats);
  // The fleet did what it was built to do.
  // Phone 5's two directions are two connections (both ports are SCCP ports, each side looks
  // like the phone), so 6 + 1 reopened + 1; all but the reset one expire.
  EXPECT_EQ(lane.stats.connections_opened, 8u);
  EXPECT_EQ(lane.stats.connections_expired, 7u);
  EXPECT_EQ(lane.stats.open_connections, 0u);
  EXPECT_EQ(lane.stats.events_by_kind.at("connection_lost"), 1u);
  EXPECT_GE(lane.stats.events_by_kind.at("keepalive_missed"), 1u);
  // Phone 2's late ack, and phone 5's KeepAlives, whose acks arrive on "another" connection.
  EXPECT_EQ(lane.stats.events_by_kind.at("keepalive_unanswered"), 2u);
  EXPECT_EQ(lane.stats.messages_by_type.at("KeepAlive"), 5u * 8 - 3);  // TLS ones not decoded
}

std::vector<std::pair<uint32_t, uint32_t>> take(KeepAliveSchedule& schedule, int64_t until_us) {
  std::vector<std::pair<uint32_t, uint32_t>> due;
  schedule.take_until(until_us,
                      [&](uint32_t slot, uint32_t hint) { due.emplace_back(slot, hint); });
  return due;
}

using Due = std::vector<std::pair<uint32_t, uint32_t>>;

TEST(KeepAliveSchedule, HandsBackEachExpectedSlotOnceWhenItsTimeComes) {
  KeepAliveSchedule schedule;
  schedule.expect(1, 11, kStart + 30 * kSecond);  // not started: no clock yet, ignored
  EXPECT_EQ(take(schedule, kStart), Due{});
  schedule.expect(1, 11, kStart + 30 * kSecond);
  schedule.expect(2, 22, kStart + 31 * kSecond);
  schedule.expect(1, 99, kStart + 10 * kSecond);  // still waiting: keeps its earlier time
  EXPECT_EQ(take(schedule, kStart + 29 * kSecond), Due{});
  EXPECT_EQ(take(schedule, kStart + 30 * kSecond), (Due{{1, 11}}));
  EXPECT_EQ(take(schedule, kStart + 20 * kSecond), Due{});  // packet time going back
  EXPECT_EQ(take(schedule, kStart + 32 * kSecond), (Due{{2, 22}}));
  EXPECT_EQ(take(schedule, kStart + 40 * kSecond), Due{});
}

TEST(KeepAliveSchedule, ASlotExpectedAgainWhileBeingTakenIsKept) {
  KeepAliveSchedule schedule;
  EXPECT_EQ(take(schedule, kStart), Due{});
  schedule.expect(7, 1, kStart + kSecond);
  std::vector<uint32_t> taken;
  schedule.take_until(kStart + kSecond, [&](uint32_t slot, uint32_t) {
    taken.push_back(slot);
    schedule.expect(slot, 2, kStart + 31 * kSecond);  // its next one, as a KeepAlive would
  });
  EXPECT_EQ(taken, std::vector<uint32_t>{7});
  EXPECT_EQ(take(schedule, kStart + 31 * kSecond), (Due{{7, 2}}));
}

TEST(KeepAliveSchedule, IgnoresThePastAndBeyondTheHorizonAndSurvivesJumps) {
  KeepAliveSchedule schedule;
  EXPECT_EQ(take(schedule, kStart), Due{});
  const int64_t horizon = KeepAliveSchedule::kBuckets * KeepAliveSchedule::kResolutionUs;
  schedule.expect(1, 1, kStart - kSecond);
  schedule.expect(2, 2, kStart + horizon + kSecond);
  schedule.expect(3, 3, kStart + 5 * kSecond);
  // Ten minutes without packets: one turn of the wheel hands back what was waiting.
  EXPECT_EQ(take(schedule, kStart + 600 * kSecond), (Due{{3, 3}}));
  schedule.expect(3, 4, kStart + 630 * kSecond);
  EXPECT_EQ(take(schedule, kStart + 630 * kSecond), (Due{{3, 4}}));
}

}  // namespace
}  // namespace regwatch::agent::sccp
