// Phone state and events from whole conversations on the wire, through the
// analyzer (frames in, events out), by packet time.
#include <gtest/gtest.h>

#include <set>

#include "agent/sccp/sccp_analyzer.h"
#include "common/event_kind.h"
#include "sccp_wire.h"

namespace regwatch::agent::sccp {
namespace {

// The capture layer under the analyzer, named as the analyzer names it.
using namespace regwatch::agent::capture;  // NOLINT(google-build-using-namespace)

using testing::Bytes;
constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kStart = 1'790'000'000 * kSecond;

// One phone's TCP connection to the CM (10.0.0.1:2000), sequence numbers kept.
class Phone {
 public:
  Phone(SccpCapture& analyzer, uint8_t ip_last, uint16_t cm_port = 2000)
      : analyzer_(analyzer), phone_{ip_last, 50000}, cm_{1, cm_port} {}
  void to_cm(int64_t t, const Bytes& payload, uint8_t flags = 0x18) {
    send(t, phone_, cm_, up_seq_, payload, flags);
  }
  void to_phone(int64_t t, const Bytes& payload, uint8_t flags = 0x18) {
    send(t, cm_, phone_, down_seq_, payload, flags);
  }
  void registers(int64_t t, const std::string& name, uint32_t keepalive = 30) {
    to_cm(t, {}, 0x02);  // SYN
    to_phone(t, {}, 0x12);
    to_cm(t, testing::register_pdu(name));
    to_phone(t, testing::register_ack_pdu(keepalive));
  }

 private:
  void send(int64_t t, testing::Endpoint from, testing::Endpoint to, uint32_t& seq,
            const Bytes& payload, uint8_t flags) {
    auto f = testing::frame(from, to, seq, payload, flags);
    analyzer_.on_packet(kLinkEthernet, t, f);
    seq += static_cast<uint32_t>(payload.size()) + ((flags & 0x03) ? 1 : 0);
  }
  SccpCapture& analyzer_;
  testing::Endpoint phone_, cm_;
  uint32_t up_seq_ = 1000, down_seq_ = 9000;
};

class TrackerTest : public ::testing::Test {
 protected:
  SccpCapture analyzer_{SccpSettings{}, [this](v1::Event e) { events_.push_back(std::move(e)); }};
  std::vector<v1::Event> events_;

  std::vector<v1::Event> of_kind(v1::EventKind kind) const {
    std::vector<v1::Event> out;
    for (const auto& e : events_) {
      if (e.kind() == kind) out.push_back(e);
    }
    return out;
  }
};

TEST_F(TrackerTest, RegisteredWithTheIntervalTheCmGave) {
  Phone phone(analyzer_, 5);
  phone.registers(kStart, "SEP0017943A98BA", 30);
  auto registered = of_kind(v1::PHONE_REGISTERED);
  ASSERT_EQ(registered.size(), 1u);
  const auto& p = registered[0].phone();
  EXPECT_EQ(registered[0].event_time_us(), kStart);
  EXPECT_EQ(registered[0].source(), v1::SOURCE_SCCP);
  EXPECT_EQ(p.device_name(), "SEP0017943A98BA");
  EXPECT_EQ(p.mac(), "00:17:94:3a:98:ba");
  EXPECT_EQ(p.ip(), "10.20.31.99");
  EXPECT_EQ(p.source_ip(), "10.0.0.5");
  EXPECT_EQ(p.cm_node(), "10.0.0.1");
  EXPECT_EQ(p.cm_address(), "10.0.0.1:2000");
  EXPECT_EQ(p.keepalive_interval_s(), 30u);
  EXPECT_EQ(p.device_type(), 115u);
  EXPECT_EQ(analyzer_.stats().phones, 1u);
}

TEST_F(TrackerTest, SilentPhoneIsMissedAtTwoIntervalsByPacketTime) {
  Phone quiet(analyzer_, 5), chatty(analyzer_, 6);
  quiet.registers(kStart, "SEP000000000005");
  chatty.registers(kStart, "SEP000000000006");
  quiet.to_cm(kStart + 30 * kSecond, testing::pdu(kKeepAlive));
  quiet.to_phone(kStart + 30 * kSecond + 2000, testing::pdu(kKeepAliveAck));
  for (int i = 1; i <= 4; ++i) {  // the other phone keeps time moving
    chatty.to_cm(kStart + i * 30 * kSecond, testing::pdu(kKeepAlive));
    chatty.to_phone(kStart + i * 30 * kSecond + 1000, testing::pdu(kKeepAliveAck));
  }
  auto missed = of_kind(v1::KEEPALIVE_MISSED);
  ASSERT_EQ(missed.size(), 1u);  // once per silence, not once per interval
  EXPECT_EQ(missed[0].phone().device_name(), "SEP000000000005");
  EXPECT_EQ(missed[0].event_time_us(), kStart + 90 * kSecond);  // last KeepAlive + 2 x 30 s
  EXPECT_EQ(missed[0].phone().silent_for_ms(), 60'000);
  EXPECT_TRUE(of_kind(v1::KEEPALIVE_UNANSWERED).empty());
}

TEST_F(TrackerTest, KeepAliveWithoutAckIsUnanswered) {
  Phone phone(analyzer_, 5), other(analyzer_, 6);
  phone.registers(kStart, "SEP000000000005");
  other.registers(kStart, "SEP000000000006");
  phone.to_cm(kStart + 30 * kSecond, testing::pdu(kKeepAlive));
  other.to_cm(kStart + 40 * kSecond, testing::pdu(kKeepAlive));
  auto unanswered = of_kind(v1::KEEPALIVE_UNANSWERED);
  ASSERT_EQ(unanswered.size(), 1u);
  EXPECT_EQ(unanswered[0].event_time_us(), kStart + 35 * kSecond);
}

TEST_F(TrackerTest, ResetWithoutUnregisterIsAConnectionLost) {
  Phone phone(analyzer_, 5);
  phone.registers(kStart, "SEP000000000005");
  phone.to_phone(kStart + 12 * kSecond, {}, 0x14);  // RST+ACK from the CM
  auto lost = of_kind(v1::CONNECTION_LOST);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].phone().closed_by(), "cm rst");
  EXPECT_EQ(lost[0].event_time_us(), kStart + 12 * kSecond);
  EXPECT_EQ(analyzer_.stats().open_connections, 0u);
}

TEST_F(TrackerTest, CleanUnregisterIsNotALoss) {
  Phone phone(analyzer_, 5);
  phone.registers(kStart, "SEP000000000005");
  phone.to_cm(kStart + 5 * kSecond, testing::code_pdu(kUnregister, 0));
  phone.to_phone(kStart + 5 * kSecond + 100, testing::code_pdu(kUnregisterAck, 0));
  phone.to_cm(kStart + 5 * kSecond + 200, {}, 0x11);  // FIN
  auto unregistered = of_kind(v1::PHONE_UNREGISTERED);
  ASSERT_EQ(unregistered.size(), 1u);
  EXPECT_EQ(unregistered[0].phone().reason(), "UnregisterAck Ok");
  EXPECT_TRUE(of_kind(v1::CONNECTION_LOST).empty());
}

TEST_F(TrackerTest, RejectCarriesItsText) {
  Phone phone(analyzer_, 5);
  phone.to_cm(kStart, testing::register_pdu("SEPBADBADBADBAD"));
  phone.to_phone(kStart + 1000, testing::reject_pdu("Unknown Device"));
  auto failed = of_kind(v1::PHONE_REGISTRATION_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].phone().reason(), "Unknown Device");
  EXPECT_EQ(failed[0].phone().device_name(), "SEPBADBADBADBAD");
}

TEST_F(TrackerTest, StalledCmIsSlowThenRecovers) {
  std::vector<std::unique_ptr<Phone>> phones;
  for (uint8_t i = 0; i < 6; ++i) {
    phones.push_back(std::make_unique<Phone>(analyzer_, static_cast<uint8_t>(10 + i)));
    phones.back()->registers(kStart, "SEP00000000001" + std::to_string(i));
  }
  // Round 1 (t = 30 s): prompt acks. Round 2 (t = 60 s): the CM stalls 4 s.
  // Round 3 (t = 90 s): prompt again.
  for (int round = 1; round <= 4; ++round) {
    const int64_t t = kStart + round * 30 * kSecond;
    const int64_t delay = round == 2 ? 4 * kSecond : 2000;
    for (auto& p : phones) p->to_cm(t, testing::pdu(kKeepAlive));
    for (auto& p : phones) p->to_phone(t + delay, testing::pdu(kKeepAliveAck));
  }
  auto slow = of_kind(v1::CM_SLOW);
  auto recovered = of_kind(v1::CM_RECOVERED);
  ASSERT_EQ(slow.size(), 1u);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(slow[0].origin(), "10.0.0.1");
  EXPECT_EQ(slow[0].keepalive_latency().slow_phones(), 6u);
  EXPECT_GE(slow[0].event_time_us(), kStart + 60 * kSecond);
  EXPECT_LT(slow[0].event_time_us(), kStart + 70 * kSecond);
  EXPECT_GT(recovered[0].event_time_us(), slow[0].event_time_us());
  auto latency = of_kind(v1::KEEPALIVE_LATENCY);
  ASSERT_GE(latency.size(), 3u);
  EXPECT_NEAR(latency[0].keepalive_latency().p50_ms(), 2.0, 0.001);
  EXPECT_EQ(latency[0].keepalive_latency().samples(), 6u);
}

TEST_F(TrackerTest, AWindowCountsOnlyItsOpenPhonesAndTheOnesStillWaiting) {
  // The window [30 s, 40 s): phones 0-3 acked in 1.5 s (slow), phone 4 in 2 ms, phone 5 never;
  // then phones 0 and 1 are reset. Their samples stay in the latency figures, but they are
  // no longer phones of the CM when the window closes.
  std::vector<std::unique_ptr<Phone>> phones;
  for (uint8_t i = 0; i < 6; ++i) {
    phones.push_back(std::make_unique<Phone>(analyzer_, static_cast<uint8_t>(10 + i)));
    phones.back()->registers(kStart, "SEP00000000003" + std::to_string(i));
  }
  const int64_t t = kStart + 30 * kSecond;
  for (auto& p : phones) p->to_cm(t, testing::pdu(kKeepAlive));
  for (int i = 0; i < 4; ++i) phones[i]->to_phone(t + 1'500'000, testing::pdu(kKeepAliveAck));
  phones[4]->to_phone(t + 2000, testing::pdu(kKeepAliveAck));
  phones[0]->to_phone(t + 3 * kSecond, {}, 0x14);
  phones[1]->to_cm(t + 3 * kSecond, {}, 0x14);
  phones[4]->to_cm(t + 11 * kSecond, testing::pdu(kKeepAlive));  // closes the window

  auto latency = of_kind(v1::KEEPALIVE_LATENCY);
  ASSERT_EQ(latency.size(), 1u);
  const auto& l = latency[0].keepalive_latency();
  EXPECT_EQ(l.window_start_us(), t);
  EXPECT_EQ(l.samples(), 5u);      // every ack in the window, the reset phones' too
  EXPECT_EQ(l.phones(), 4u);       // 2, 3 and 4 with a sample, 5 still waiting
  EXPECT_EQ(l.slow_phones(), 3u);  // 2 and 3, and 5 waiting past the threshold
  EXPECT_EQ(l.unanswered(), 1u);
  EXPECT_NEAR(l.max_ms(), 1500.0, 0.001);
  ASSERT_EQ(of_kind(v1::CM_SLOW).size(), 1u);
  auto unanswered = of_kind(v1::KEEPALIVE_UNANSWERED);
  ASSERT_EQ(unanswered.size(), 1u);
  EXPECT_EQ(unanswered[0].phone().device_name(), "SEP000000000035");
  EXPECT_EQ(unanswered[0].event_time_us(), t + 5 * kSecond);
}

TEST_F(TrackerTest, ManyKeepAlivesWaitingAreAckedInAnyOrder) {
  // 40 phones' KeepAlives wait together; the acks come back in a scrambled order and every
  // third phone gets none: exactly those are unanswered, each once.
  constexpr int kPhones = 40;
  std::vector<std::unique_ptr<Phone>> phones;
  for (int i = 0; i < kPhones; ++i) {
    phones.push_back(std::make_unique<Phone>(analyzer_, static_cast<uint8_t>(100 + i)));
    phones.back()->registers(kStart, "SEP0000000001" + std::to_string(10 + i));
  }
  const int64_t t = kStart + 30 * kSecond;
  for (auto& p : phones) p->to_cm(t, testing::pdu(kKeepAlive));
  for (int k = 0; k < kPhones; ++k) {
    const int i = (k * 17) % kPhones;  // 17 is prime to 40: each phone once
    if (i % 3 != 0) phones[i]->to_phone(t + 1000 + k, testing::pdu(kKeepAliveAck));
  }
  phones[1]->to_cm(t + 12 * kSecond, testing::pdu(kKeepAlive));  // time moves on

  std::set<std::string> unanswered;
  for (const auto& e : of_kind(v1::KEEPALIVE_UNANSWERED)) {
    EXPECT_TRUE(unanswered.insert(e.phone().device_name()).second) << "twice";
    EXPECT_EQ(e.event_time_us(), t + 5 * kSecond);
  }
  std::set<std::string> expected;
  for (int i = 0; i < kPhones; i += 3) expected.insert("SEP0000000001" + std::to_string(10 + i));
  EXPECT_EQ(unanswered, expected);
  auto latency = of_kind(v1::KEEPALIVE_LATENCY);
  ASSERT_EQ(latency.size(), 1u);
  EXPECT_EQ(latency[0].keepalive_latency().unanswered(), expected.size());
  EXPECT_EQ(latency[0].keepalive_latency().samples(), kPhones - expected.size());
  EXPECT_EQ(latency[0].keepalive_latency().phones(), static_cast<uint32_t>(kPhones));
}

TEST_F(TrackerTest, MissedOncePerSilenceAndNotAfterUnregister) {
  Phone phone(analyzer_, 5), leaving(analyzer_, 6), clock(analyzer_, 7);
  phone.registers(kStart, "SEP000000000005");
  leaving.registers(kStart, "SEP000000000006");
  clock.registers(kStart, "SEP000000000007");
  leaving.to_cm(kStart + 10 * kSecond, testing::code_pdu(kUnregister, 0));
  phone.to_cm(kStart + 100 * kSecond, testing::pdu(kKeepAlive));  // after a first silence
  phone.to_phone(kStart + 100 * kSecond + 2000, testing::pdu(kKeepAliveAck));
  for (int i = 1; i <= 7; ++i) clock.to_cm(kStart + i * 30 * kSecond, testing::pdu(kKeepAlive));

  std::vector<int64_t> missed_at;
  for (const auto& e : of_kind(v1::KEEPALIVE_MISSED)) {
    if (e.phone().device_name() == "SEP000000000005") missed_at.push_back(e.event_time_us());
    EXPECT_NE(e.phone().device_name(), "SEP000000000006");  // it said it was going
  }
  // Registered at 0: missed at 60 s; its KeepAlive at 100 s re-arms it: missed again at 160 s.
  EXPECT_EQ(missed_at, (std::vector<int64_t>{kStart + 60 * kSecond, kStart + 160 * kSecond}));
}

TEST_F(TrackerTest, IdleConnectionsExpireAfterTheTimeoutEvenAcrossAJumpInPacketTime) {
  // Default timeout 600 s, looked at every 60 s of packet time. A falls silent at 120 s; B
  // keeps alive for half an hour; C falls silent just before the capture jumps 256 x 2^26 us
  // ahead (where a byte of 2^26 us epochs wraps round to about the same value).
  Phone a(analyzer_, 5), b(analyzer_, 6), c(analyzer_, 7);
  a.registers(kStart, "SEP000000000005");
  b.registers(kStart, "SEP000000000006");
  c.registers(kStart, "SEP000000000007");
  int64_t a_last = 0;
  for (int i = 1; i <= 4; ++i)
    a.to_cm(a_last = kStart + i * 30 * kSecond, testing::pdu(kKeepAlive));
  size_t expired_at_timeout = 99, expired_after_scan = 99;
  int64_t t = kStart;
  for (int i = 1; i <= 60; ++i) {
    t = kStart + i * 30 * kSecond;
    b.to_cm(t, testing::pdu(kKeepAlive));
    c.to_cm(t, testing::pdu(kKeepAlive));
    if (t <= a_last + 600 * kSecond) expired_at_timeout = analyzer_.stats().connections_expired;
    if (t >= a_last + 660 * kSecond && expired_after_scan == 99)
      expired_after_scan = analyzer_.stats().connections_expired;
  }
  EXPECT_EQ(expired_at_timeout, 0u);  // not before its 600 s are up
  EXPECT_EQ(expired_after_scan, 1u);  // A, at the first look after them (at 660 s); B, C kept
  EXPECT_EQ(analyzer_.stats().open_connections, 2u);

  const int64_t jump = (int64_t{256} << 26) + 30 * kSecond;
  b.to_cm(t + jump, testing::pdu(kKeepAlive));
  EXPECT_EQ(analyzer_.stats().connections_expired, 2u);  // C, silent ever since
  EXPECT_EQ(analyzer_.stats().open_connections, 1u);     // B has just spoken
}

TEST_F(TrackerTest, KeepAlivesAtPacketTimeZeroAreNotWaitingForAnAck) {
  // Time 0 is "no time" for the tracker (a hand-made or fuzzed capture can start there): a
  // KeepAlive at 0 starts no wait, so nothing is counted unanswered for it later, however often
  // it comes.
  Phone a(analyzer_, 5), b(analyzer_, 6);
  a.registers(0, "SEP000000000005");
  b.registers(0, "SEP000000000006");
  for (int i = 0; i < 3; ++i) a.to_cm(0, testing::pdu(kKeepAlive));
  a.to_phone(2000, testing::pdu(kKeepAliveAck));
  for (int round = 1; round <= 3; ++round) {
    const int64_t t = round * 30 * kSecond;
    a.to_cm(t, testing::pdu(kKeepAlive));
    b.to_cm(t, testing::pdu(kKeepAlive));
    a.to_phone(t + 2000, testing::pdu(kKeepAliveAck));
    b.to_phone(t + 2000, testing::pdu(kKeepAliveAck));
  }
  a.to_phone(95 * kSecond, {}, 0x14);  // a leaves; time moves on
  b.to_cm(100 * kSecond, testing::pdu(kKeepAlive));
  b.to_phone(100 * kSecond + 2000, testing::pdu(kKeepAliveAck));
  b.to_cm(125 * kSecond, testing::pdu(kKeepAlive));
  EXPECT_TRUE(of_kind(v1::KEEPALIVE_UNANSWERED).empty());
  auto latency = of_kind(v1::KEEPALIVE_LATENCY);
  ASSERT_FALSE(latency.empty());
  for (const auto& e : latency) {
    EXPECT_EQ(e.keepalive_latency().unanswered(), 0u) << e.DebugString();
    EXPECT_EQ(e.keepalive_latency().slow_phones(), 0u) << e.DebugString();
    EXPECT_LE(e.keepalive_latency().phones(), 2u) << e.DebugString();
  }
  EXPECT_TRUE(of_kind(v1::CM_SLOW).empty());
}

TEST_F(TrackerTest, IdleScanHoldsWhenPacketTimeGoesBackHours) {
  // A capture of two stitched together: after a look at 120 s, packet time goes back 258
  // epochs of 2^26 us (4.8 h) for C's whole conversation, then on. C has been silent far
  // longer than the timeout at the next look (180 s), where a byte of 256 epochs has wrapped
  // round to "2 epochs old".
  Phone a(analyzer_, 5), b(analyzer_, 6), c(analyzer_, 7);
  a.registers(kStart, "SEP000000000005");
  b.registers(kStart, "SEP000000000006");
  for (int i = 1; i <= 4; ++i) b.to_cm(kStart + i * 30 * kSecond, testing::pdu(kKeepAlive));
  const int64_t back = kStart + 120 * kSecond - (int64_t{258} << 26);
  c.registers(back, "SEP000000000007");
  c.to_cm(back + 30 * kSecond, testing::pdu(kKeepAlive));
  EXPECT_EQ(analyzer_.stats().connections_expired, 0u);
  b.to_cm(kStart + 180 * kSecond, testing::pdu(kKeepAlive));
  EXPECT_EQ(analyzer_.stats().connections_expired, 1u);  // C (A is silent only 180 s)
  EXPECT_EQ(analyzer_.stats().open_connections, 2u);
}

TEST_F(TrackerTest, TlsConnectionsGiveTimingOnly) {
  Phone phone(analyzer_, 5, 2443);
  phone.to_cm(kStart, {}, 0x02);
  phone.to_phone(kStart, {}, 0x12);
  phone.to_cm(kStart + 1000, Bytes(300, 0x17));  // TLS records: never decoded as SCCP
  phone.to_phone(kStart + 2000, Bytes(900, 0x17));
  EXPECT_EQ(analyzer_.stats().sccp_messages, 0u);
  EXPECT_TRUE(events_.empty());
  phone.to_phone(kStart + 40 * kSecond, {}, 0x14);  // the CM resets it
  auto lost = of_kind(v1::CONNECTION_LOST);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].phone().protocol(), "SCCP/TLS");
  EXPECT_EQ(lost[0].phone().source_ip(), "10.0.0.5");
  EXPECT_EQ(lost[0].phone().closed_by(), "cm rst");
}

TEST_F(TrackerTest, ConnectionsAreBounded) {
  SccpSettings settings;
  settings.max_connections = 2;
  std::vector<v1::Event> events;
  SccpCapture small(settings, [&](v1::Event e) { events.push_back(std::move(e)); });
  for (uint8_t i = 0; i < 5; ++i) {
    Phone p(small, static_cast<uint8_t>(20 + i));
    p.registers(kStart, "SEP00000000002" + std::to_string(i));
  }
  EXPECT_EQ(small.stats().open_connections, 2u);
  EXPECT_EQ(small.stats().connections_rejected,
            3u * 4u);  // every packet of the 3 it could not take
}

}  // namespace
}  // namespace regwatch::agent::sccp
