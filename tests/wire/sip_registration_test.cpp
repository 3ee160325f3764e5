// SIP registration on the wire, end to end through WireCapture: REGISTER, the challenge, the
// grant and its refreshes as the phone's keepalive, a lapsed refresh, an unregistration, rejects
// with their Warning, Cisco's Reason header after a restart and the firmware it names, TCP
// framing and its resets, a stalled CM, a proxy in the path and a phone with two lines; all by
// packet time.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agent/wire/wire_capture.h"
#include "tests/sccp/sccp_wire.h"
#include "tests/wire/boot_wire.h"
#include "tests/wire/sip_wire.h"

namespace regwatch::agent::sip {
namespace {

using namespace testing;
using boot::testing::Bytes;
using boot::testing::text_bytes;
using boot::testing::udp_frame;
using regwatch::v1::Event;
using regwatch::v1::EventKind;

constexpr int64_t kS = 1'000'000;
constexpr int64_t kMs = 1'000;
constexpr int64_t kT0 = 1'700'000'000 * kS;
constexpr std::array<uint8_t, 4> kCmIp{10, 0, 0, 10};

std::array<uint8_t, 4> ip_of(const std::string& text) {
  std::array<uint8_t, 4> out{};
  size_t at = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t dot = text.find('.', at);
    out[i] = static_cast<uint8_t>(std::stoi(text.substr(at, dot - at)));
    at = dot + 1;
  }
  return out;
}

class SipRegistration : public ::testing::Test {
 protected:
  explicit SipRegistration(SipSettings sip = {}) : wire_(settings(std::move(sip)), sink()) {
    EXPECT_TRUE(wire_.start().ok());
  }
  static wire::WireSettings settings(SipSettings sip) {
    wire::WireSettings s;
    s.sip = std::move(sip);
    return s;
  }
  capture::EventSink sink() {
    return [this](Event e) { events_.push_back(std::move(e)); };
  }
  void phone_to_cm(const SipPhone& p, const std::string& text, int64_t t) {
    wire_.on_packet(1, t, udp_frame({ip_of(p.ip), p.port}, {kCmIp, 5060}, text_bytes(text)));
  }
  void cm_to_phone(const SipPhone& p, const std::string& text, int64_t t) {
    wire_.on_packet(1, t, udp_frame({kCmIp, 5060}, {ip_of(p.ip), p.port}, text_bytes(text)));
  }
  // REGISTER, 401, REGISTER with credentials, 200 granting expires; the last CSeq used is
  // o.cseq + 1. Returns the options of the request the 200 answered.
  RegisterOptions register_with_challenge(const SipPhone& p, const RegisterOptions& o,
                                          uint32_t grant, int64_t t) {
    phone_to_cm(p, register_message(p, o), t);
    cm_to_phone(p, answer_message(401, "Unauthorized", p, o), t + 5 * kMs);
    RegisterOptions again = o;
    again.cseq = o.cseq + 1;
    again.credentials = true;
    again.reason.clear();
    phone_to_cm(p, register_message(p, again), t + 10 * kMs);
    cm_to_phone(p, answer_message(200, "OK", p, again, {grant, ""}), t + 20 * kMs);
    return again;
  }
  // A refresh answered at once (CUCM's phones refresh 5 s before the grant runs out).
  void refresh(const SipPhone& p, RegisterOptions& o, uint32_t grant, int64_t t) {
    ++o.cseq;
    o.reason.clear();
    phone_to_cm(p, register_message(p, o), t);
    cm_to_phone(p, answer_message(200, "OK", p, o, {grant, ""}), t + 10 * kMs);
  }
  // Lets packet time move on to t (a packet of no one's).
  void tick(int64_t t) {
    wire_.on_packet(1, t, udp_frame({{10, 9, 9, 9}, 9}, {{10, 9, 9, 8}, 9}, {1}));
  }
  std::vector<Event> of(EventKind kind) const {
    std::vector<Event> out;
    for (const auto& e : events_) {
      if (e.kind() == kind) out.push_back(e);
    }
    return out;
  }

  wire::WireCapture wire_;
  std::vector<Event> events_;
};

TEST_F(SipRegistration, ChallengeThenGrantIsOneRegistrationWithTheGrantAsKeepalive) {
  const SipPhone phone;
  register_with_challenge(phone, {}, 120, kT0);
  const auto registered = of(regwatch::v1::PHONE_REGISTERED);
  ASSERT_EQ(registered.size(), 1u);
  const Event& e = registered[0];
  EXPECT_EQ(e.source(), regwatch::v1::SOURCE_SIP);
  EXPECT_EQ(e.event_time_us(), kT0 + 20 * kMs);
  EXPECT_EQ(e.origin(), "10.0.0.10");
  const auto& p = e.phone();
  EXPECT_EQ(p.device_name(), "SEP0011223344AA");
  EXPECT_EQ(p.mac(), "00:11:22:33:44:aa");
  EXPECT_EQ(p.ip(), "10.0.0.50");
  EXPECT_EQ(p.protocol(), "SIP");
  EXPECT_EQ(p.transport(), "udp");
  EXPECT_EQ(p.keepalive_interval_s(), 120u);
  EXPECT_EQ(p.cm_address(), "10.0.0.10:5060");
  EXPECT_EQ(p.user_agent(), "Cisco-CP8845/14.2.1");
  EXPECT_EQ(p.load_name(), "14.2.1");
  EXPECT_EQ(p.line(), "sip:1001@10.0.0.10");
  EXPECT_TRUE(p.via_proxy().empty());
  EXPECT_TRUE(of(regwatch::v1::PHONE_REGISTRATION_FAILED).empty()) << "a 401 is no reject";
  EXPECT_EQ(wire_.stats().sip.messages, 4u);
}

TEST_F(SipRegistration, RefreshesAreTheKeepaliveAndALapsedOneIsMissedAtItsDeadline) {
  const SipPhone phone;
  RegisterOptions o = register_with_challenge(phone, {}, 120, kT0);
  int64_t t = kT0 + 10 * kMs;  // the REGISTER the grant answered
  for (int i = 0; i < 5; ++i) {
    t += 115 * kS;
    refresh(phone, o, 120, t);
  }
  tick(t + 130 * kS);
  EXPECT_TRUE(of(regwatch::v1::KEEPALIVE_MISSED).empty()) << "refreshed in time";
  tick(t + 136 * kS);
  const auto missed = of(regwatch::v1::KEEPALIVE_MISSED);
  ASSERT_EQ(missed.size(), 1u);
  // The grant plus CUCM's grace (15 s), from the last refresh's REGISTER.
  EXPECT_EQ(missed[0].event_time_us(), t + 135 * kS);
  EXPECT_EQ(missed[0].phone().silent_for_ms(), 135'000);
  EXPECT_EQ(of(regwatch::v1::PHONE_REGISTERED).size(), 1u) << "refreshes are not registrations";
  // It comes back: a registration again.
  refresh(phone, o, 120, t + 200 * kS);
  EXPECT_EQ(of(regwatch::v1::PHONE_REGISTERED).size(), 2u);
}

TEST_F(SipRegistration, ExpiresZeroAnsweredIsAnUnregistration) {
  const SipPhone phone;
  RegisterOptions o = register_with_challenge(phone, {}, 120, kT0);
  ++o.cseq;
  o.expires = 0;
  phone_to_cm(phone, register_message(phone, o), kT0 + 60 * kS);
  cm_to_phone(phone, answer_message(200, "OK", phone, o, {0, ""}), kT0 + 60 * kS + 5 * kMs);
  const auto gone = of(regwatch::v1::PHONE_UNREGISTERED);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].phone().device_name(), "SEP0011223344AA");
  tick(kT0 + 400 * kS);
  EXPECT_TRUE(of(regwatch::v1::KEEPALIVE_MISSED).empty()) << "it said goodbye";
}

TEST_F(SipRegistration, RejectCarriesStatusAndWarningAndRetriesAreSaidOnce) {
  const SipPhone phone;
  RegisterOptions o;
  for (int attempt = 0; attempt < 4; ++attempt) {
    o.cseq = static_cast<uint32_t>(attempt + 1);
    const int64_t t = kT0 + int64_t{attempt} * 30 * kS;  // MPP phones retry every 30 s
    phone_to_cm(phone, register_message(phone, o), t);
    cm_to_phone(phone,
                answer_message(403, "Forbidden", phone, o,
                               {std::nullopt, "399 cucm \"Line not configured\""}),
                t + 5 * kMs);
  }
  const auto failed = of(regwatch::v1::PHONE_REGISTRATION_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].phone().sip_status(), 403u);
  EXPECT_EQ(failed[0].phone().reason(), "403 Forbidden: 399 cucm \"Line not configured\"");
  EXPECT_EQ(wire_.stats().sip.anomalies.at("reject_repeated"), 3u);
  // Another status is news at once.
  o.cseq = 10;
  phone_to_cm(phone, register_message(phone, o), kT0 + 200 * kS);
  cm_to_phone(phone, answer_message(503, "Service Unavailable", phone, o), kT0 + 200 * kS + kMs);
  ASSERT_EQ(of(regwatch::v1::PHONE_REGISTRATION_FAILED).size(), 2u);
  EXPECT_EQ(of(regwatch::v1::PHONE_REGISTRATION_FAILED)[1].phone().sip_status(), 503u);
}

TEST_F(SipRegistration, RestartReasonHeaderGivesTheLastLossAndAFirmwareChange) {
  SipPhone phone;
  RegisterOptions o;
  o.reason =
      "SIP;cause=200;text=\"cisco-alarm:25 Name=SEP0011223344AA Load=sip88xx.14-1-1 "
      "Last=cm-closed-tcp\"";
  o = register_with_challenge(phone, o, 120, kT0);
  // It restarts on a new load and says why it lost its CM.
  RegisterOptions restart;
  restart.call_id = "c2";
  restart.cseq = 101;
  restart.reason =
      "SIP;cause=200;text=\"cisco-alarm:14 Name=SEP0011223344AA "
      "Load=sip88xx.14-2-1 Last=reset-restart\"";
  phone.user_agent = "Cisco-CP8845/14.2.1";
  register_with_challenge(phone, restart, 120, kT0 + 60 * kS);
  const auto registered = of(regwatch::v1::PHONE_REGISTERED);
  ASSERT_EQ(registered.size(), 2u) << "a restart is a registration even within the grant";
  EXPECT_EQ(registered[0].phone().last_loss(), "cm-closed-tcp");
  EXPECT_EQ(registered[0].phone().cisco_alarm(), 25u);
  EXPECT_EQ(registered[1].phone().last_loss(), "reset-restart");
  EXPECT_EQ(registered[1].phone().load_name(), "sip88xx.14-2-1");
  const auto changed = of(regwatch::v1::PHONE_FIRMWARE_CHANGED);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].phone().previous_load_name(), "sip88xx.14-1-1");
  EXPECT_EQ(changed[0].phone().load_name(), "sip88xx.14-2-1");
  EXPECT_EQ(changed[0].event_time_us(), kT0 + 60 * kS);
}

TEST_F(SipRegistration, ProxyInThePathNamesThePhoneNotTheProxy) {
  SipPhone proxy_side;
  proxy_side.ip = "10.0.0.99";  // the packets come from the SBC
  SipPhone phone;
  RegisterOptions o;
  o.extra_via = "SIP/2.0/UDP 10.0.0.99:5060";
  phone_to_cm(proxy_side, register_message(phone, o), kT0);
  cm_to_phone(proxy_side, answer_message(200, "OK", phone, o, {120, ""}), kT0 + kMs);
  const auto registered = of(regwatch::v1::PHONE_REGISTERED);
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_EQ(registered[0].phone().device_name(), "SEP0011223344AA");
  EXPECT_EQ(registered[0].phone().ip(), "10.0.0.50");
  EXPECT_EQ(registered[0].phone().via_proxy(), "10.0.0.99");
  EXPECT_EQ(registered[0].phone().source_ip(), "10.0.0.99");
}

TEST_F(SipRegistration, APhoneWithTwoLinesRegistersAndMissesOnce) {
  const SipPhone phone;
  RegisterOptions line1;
  line1.call_id = "l1";
  RegisterOptions line2;
  line2.call_id = "l2";
  line2.dn = "1002";
  phone_to_cm(phone, register_message(phone, line1), kT0);
  cm_to_phone(phone, answer_message(200, "OK", phone, line1, {120, ""}), kT0 + kMs);
  phone_to_cm(phone, register_message(phone, line2), kT0 + 2 * kMs);
  cm_to_phone(phone, answer_message(200, "OK", phone, line2, {120, ""}), kT0 + 3 * kMs);
  EXPECT_EQ(of(regwatch::v1::PHONE_REGISTERED).size(), 1u);
  EXPECT_EQ(wire_.stats().sip.registrations, 2u);
  EXPECT_EQ(wire_.stats().sip.phones, 1u);
  tick(kT0 + 200 * kS);
  EXPECT_EQ(of(regwatch::v1::KEEPALIVE_MISSED).size(), 1u);
}

TEST_F(SipRegistration, AStalledCmLeavesRefreshesUnansweredAndIsSlowThenRecovers) {
  std::vector<SipPhone> phones(6);
  std::vector<RegisterOptions> options(6);
  for (size_t i = 0; i < phones.size(); ++i) {
    phones[i].mac = "0011223344a" + std::to_string(i);
    phones[i].ip = "10.0.0." + std::to_string(60 + i);
    options[i].call_id = "s" + std::to_string(i);
    phone_to_cm(phones[i], register_message(phones[i], options[i]), kT0);
    cm_to_phone(phones[i], answer_message(200, "OK", phones[i], options[i], {120, ""}), kT0 + kMs);
  }
  // At 115 s they refresh and the CM answers nothing for 20 s.
  const int64_t stall = kT0 + 115 * kS;
  for (size_t i = 0; i < phones.size(); ++i) {
    ++options[i].cseq;
    phone_to_cm(phones[i], register_message(phones[i], options[i]), stall);
  }
  tick(stall + 20 * kS);
  const auto unanswered = of(regwatch::v1::KEEPALIVE_UNANSWERED);
  ASSERT_EQ(unanswered.size(), phones.size());
  EXPECT_EQ(unanswered[0].event_time_us(), stall + 5 * kS);
  ASSERT_EQ(of(regwatch::v1::CM_SLOW).size(), 1u);
  EXPECT_EQ(of(regwatch::v1::CM_SLOW)[0].source(), regwatch::v1::SOURCE_SIP);
  EXPECT_EQ(of(regwatch::v1::CM_SLOW)[0].keepalive_latency().cm_node(), "10.0.0.10");
  // It wakes up and answers them all.
  for (size_t i = 0; i < phones.size(); ++i) {
    cm_to_phone(phones[i], answer_message(200, "OK", phones[i], options[i], {120, ""}),
                stall + 21 * kS);
  }
  for (size_t i = 0; i < phones.size(); ++i) {
    refresh(phones[i], options[i], 120, stall + 40 * kS);
  }
  tick(stall + 80 * kS);
  EXPECT_EQ(of(regwatch::v1::CM_RECOVERED).size(), 1u);
  EXPECT_TRUE(of(regwatch::v1::KEEPALIVE_MISSED).empty()) << "answered within the grant";
}

class SipOverTcp : public SipRegistration {
 protected:
  using Endpoint = sccp::testing::Endpoint;
  void segment(Endpoint from, Endpoint to, uint32_t seq, const std::string& text, int64_t t,
               uint8_t flags = 0x18) {
    wire_.on_packet(1, t, sccp::testing::frame(from, to, seq, text_bytes(text), flags));
  }
};

TEST_F(SipOverTcp, MessagesAcrossAndWithinSegmentsAndAResetConnectionIsLost) {
  SipPhone phone;
  phone.ip = "10.0.0.50";
  phone.port = 51000;
  phone.transport = "TCP";
  const Endpoint ph{50, 51000}, cm{10, 5060};
  segment(ph, cm, 1000, "", kT0, 0x02);  // SYN
  segment(cm, ph, 5000, "", kT0 + kMs, 0x12);
  RegisterOptions o;
  const std::string reg = register_message(phone, o);
  // The REGISTER split in two segments, with a CRLF keep-alive before it.
  const std::string first = "\r\n\r\n" + reg.substr(0, 100);
  segment(ph, cm, 1001, first, kT0 + 2 * kMs);
  segment(ph, cm, 1001 + static_cast<uint32_t>(first.size()), reg.substr(100), kT0 + 3 * kMs);
  // The 401 and, in the same segment, nothing else; then the credentials and the 200 together
  // with a second line's REGISTER in one segment.
  const std::string challenge = answer_message(401, "Unauthorized", phone, o);
  segment(cm, ph, 5001, challenge, kT0 + 4 * kMs);
  RegisterOptions again = o;
  again.cseq = 2;
  again.credentials = true;
  const uint32_t up = 1001 + static_cast<uint32_t>(first.size() + reg.size() - 100);
  segment(ph, cm, up, register_message(phone, again), kT0 + 5 * kMs);
  const std::string grant = answer_message(200, "OK", phone, again, {120, ""});
  segment(cm, ph, 5001 + static_cast<uint32_t>(challenge.size()), grant, kT0 + 6 * kMs);
  const auto registered = of(regwatch::v1::PHONE_REGISTERED);
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_EQ(registered[0].phone().transport(), "tcp");
  EXPECT_GE(wire_.stats().sip.keepalives, 1u);
  // CUCM resets the connection: the registration is lost, by the CM.
  segment(cm, ph, 5001 + static_cast<uint32_t>(challenge.size() + grant.size()), "", kT0 + 30 * kS,
          0x04);
  const auto lost = of(regwatch::v1::CONNECTION_LOST);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].phone().device_name(), "SEP0011223344AA");
  EXPECT_EQ(lost[0].phone().closed_by(), "cm rst");
  tick(kT0 + 400 * kS);
  EXPECT_TRUE(of(regwatch::v1::KEEPALIVE_MISSED).empty()) << "lost once, not also missed";
}

TEST_F(SipOverTcp, TlsShowsOnlyItsResets) {
  const Endpoint ph{50, 52000}, cm{10, 5061};
  segment(ph, cm, 1000, "", kT0, 0x02);
  segment(ph, cm, 1001, std::string(300, '\x17'), kT0 + kMs);
  segment(cm, ph, 9000, "", kT0 + 60 * kS, 0x04);
  const auto lost = of(regwatch::v1::CONNECTION_LOST);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].phone().transport(), "tls");
  EXPECT_EQ(lost[0].phone().ip(), "10.0.0.50");
  EXPECT_EQ(lost[0].phone().closed_by(), "cm rst");
  EXPECT_EQ(wire_.stats().sip.tls_segments, 3u);
  EXPECT_EQ(wire_.stats().sip.messages, 0u);
}

TEST_F(SipRegistration, GarbageIsCountedNeverAnEvent) {
  const SipPhone phone;
  phone_to_cm(phone, "\x16\x03\x01 not sip at all", kT0);
  phone_to_cm(phone, "REGISTER sip:x SIP/2.0\r\nVia: broken", kT0 + kMs);
  cm_to_phone(phone, answer_message(200, "OK", phone, {}, {120, ""}), kT0 + 2 * kMs);
  EXPECT_TRUE(events_.empty());
  const auto anomalies = wire_.stats().sip.anomalies;
  uint64_t unusable = 0;
  for (const auto& [name, n] : anomalies) {
    if (name.rfind("sip_", 0) == 0) unusable += n;
  }
  EXPECT_EQ(unusable, 2u);
  EXPECT_EQ(anomalies.at("answer_without_request"), 1u);
}

TEST_F(SipRegistration, SipCanBeTurnedOff) {
  SipSettings off;
  off.enabled = false;
  wire::WireSettings s;
  s.sip = off;
  std::vector<Event> events;
  wire::WireCapture wire(s, [&](Event e) { events.push_back(std::move(e)); });
  ASSERT_TRUE(wire.start().ok());
  const SipPhone phone;
  wire.on_packet(
      1, kT0,
      udp_frame({ip_of(phone.ip), 5060}, {kCmIp, 5060}, text_bytes(register_message(phone, {}))));
  EXPECT_EQ(wire.stats().sip.udp_datagrams, 0u);
}

// What a review of the first version found (each failed then).

// A 2-line phone whose line 2 lapses once and comes back; later the whole phone dies.
TEST_F(SipRegistration, AMissAfterOneLineCameBackIsStillSaid) {
  const SipPhone phone;
  RegisterOptions line1;
  line1.call_id = "l1";
  RegisterOptions line2;
  line2.call_id = "l2";
  line2.dn = "1002";
  phone_to_cm(phone, register_message(phone, line1), kT0);
  cm_to_phone(phone, answer_message(200, "OK", phone, line1, {120, ""}), kT0 + kMs);
  phone_to_cm(phone, register_message(phone, line2), kT0 + 2 * kMs);
  cm_to_phone(phone, answer_message(200, "OK", phone, line2, {120, ""}), kT0 + 3 * kMs);
  // Line 1 refreshes on time; line 2's refresh is lost once, then it refreshes again.
  refresh(phone, line1, 120, kT0 + 115 * kS);
  tick(kT0 + 140 * kS);
  ASSERT_EQ(of(regwatch::v1::KEEPALIVE_MISSED).size(), 1u);
  refresh(phone, line2, 120, kT0 + 150 * kS);
  refresh(phone, line1, 120, kT0 + 230 * kS);
  refresh(phone, line2, 120, kT0 + 265 * kS);
  // Now the phone dies: neither line refreshes again.
  tick(kT0 + 600 * kS);
  EXPECT_EQ(of(regwatch::v1::KEEPALIVE_MISSED).size(), 2u)
      << "the phone's real outage is not reported: missed_reported stuck from line 2's blip";
}

// Kamailio (any RFC 3261 registrar) lists every binding of the AOR in its 200; ours need not be
// first (a shared line, or the phone's stale binding from before a restart).
TEST_F(SipRegistration, TheGrantIsOurContactsNotTheFirstListed) {
  const SipPhone phone;
  RegisterOptions o;
  phone_to_cm(phone, register_message(phone, o), kT0);
  std::string ok = answer_message(200, "OK", phone, o, {120, ""});
  const std::string other = "Contact: <sip:0011223344bb@10.0.0.51:5060>;expires=20\r\n";
  ok.insert(ok.find("Contact:"), other);
  ok.erase(ok.find("Expires: 120\r\n"), 14);  // Kamailio: only the Contacts' ;expires
  cm_to_phone(phone, ok, kT0 + kMs);
  const auto registered = of(regwatch::v1::PHONE_REGISTERED);
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_EQ(registered[0].phone().keepalive_interval_s(), 120u);
  refresh(phone, o, 120, kT0 + 115 * kS);
  EXPECT_TRUE(of(regwatch::v1::KEEPALIVE_MISSED).empty()) << "a false miss at 35 s";
}

// 423 Interval Too Brief (RFC 3261 10.3 step 7) is a negotiation, like a 401: the phone asks
// again with Min-Expires.
TEST_F(SipRegistration, IntervalTooBriefIsNoReject) {
  const SipPhone phone;
  RegisterOptions o;
  o.expires = 30;
  phone_to_cm(phone, register_message(phone, o), kT0);
  std::string brief = answer_message(423, "Interval Too Brief", phone, o);
  brief.insert(brief.find("Content-Length"), "Min-Expires: 60\r\n");
  cm_to_phone(phone, brief, kT0 + kMs);
  o.cseq = 2;
  o.expires = 60;
  phone_to_cm(phone, register_message(phone, o), kT0 + 2 * kMs);
  cm_to_phone(phone, answer_message(200, "OK", phone, o, {60, ""}), kT0 + 3 * kMs);
  EXPECT_TRUE(of(regwatch::v1::PHONE_REGISTRATION_FAILED).empty());
}

// A UDP phone that power-cycles comes back within its grant with a new Call-ID (RFC 3261
// 10.2.4: one Call-ID per boot) and, when it has no cisco-alarm to tell, no Reason header.
TEST_F(SipRegistration, ANewCallIdWithinTheGrantIsARestart) {
  const SipPhone phone;
  RegisterOptions o;
  phone_to_cm(phone, register_message(phone, o), kT0);
  cm_to_phone(phone, answer_message(200, "OK", phone, o, {120, ""}), kT0 + kMs);
  RegisterOptions reboot;
  reboot.call_id = "after-reboot";
  phone_to_cm(phone, register_message(phone, reboot), kT0 + 60 * kS);
  cm_to_phone(phone, answer_message(200, "OK", phone, reboot, {120, ""}), kT0 + 60 * kS + kMs);
  EXPECT_EQ(of(regwatch::v1::PHONE_REGISTERED).size(), 2u) << "the reboot leaves no trace";
}

// One phone with three lines whose REGISTERs the CM does not answer, alone in the window:
// slow_min_phones is 3 *phones*, SCCP counts connections, SIP counts transactions.
TEST_F(SipRegistration, OneThreeLinePhoneIsNotThreePhones) {
  const SipPhone phone;
  for (int line = 0; line < 3; ++line) {
    RegisterOptions o;
    o.call_id = "m" + std::to_string(line);
    o.dn = std::to_string(1001 + line);
    phone_to_cm(phone, register_message(phone, o), kT0 + line * kMs);
  }
  tick(kT0 + 30 * kS);
  EXPECT_TRUE(of(regwatch::v1::CM_SLOW).empty()) << "one phone made its CM 'slow'";
}

// The 200 to the first REGISTER and to the credentialed one: two samples, one phone.
TEST_F(SipRegistration, AChallengedRegistrationIsOnePhoneInTheWindow) {
  const SipPhone phone;
  register_with_challenge(phone, {}, 120, kT0);
  tick(kT0 + 30 * kS);
  const auto latency = of(regwatch::v1::KEEPALIVE_LATENCY);
  ASSERT_FALSE(latency.empty());
  EXPECT_EQ(latency[0].keepalive_latency().phones(), 1u);
}

// Replay: the wire is quiet after the stalled REGISTERs (a replay's next packet is 40 s on).
// Live, the idle tick closes the window at +10 s with three unanswered: cm_slow. In replay the
// same sweep first drops the transactions past Timer F (32 s), then closes the window: nothing.
TEST_F(SipRegistration, AStallIsSlowWhenTheNextPacketIsLate) {
  std::vector<SipPhone> phones(3);
  for (size_t i = 0; i < phones.size(); ++i) {
    phones[i].mac = "0011223344b" + std::to_string(i);
    phones[i].ip = "10.0.0." + std::to_string(70 + i);
    RegisterOptions o;
    o.call_id = "q" + std::to_string(i);
    phone_to_cm(phones[i], register_message(phones[i], o), kT0);
  }
  tick(kT0 + 40 * kS);
  EXPECT_EQ(of(regwatch::v1::CM_SLOW).size(), 1u) << "live says cm_slow, replay does not";
}

// UDP failover: the primary stops answering, the phone registers with its backup CM within its
// grant. SCCP says phone_registered on the backup; SIP says nothing, the phone stays on the
// primary in every event after.
TEST_F(SipRegistration, FailoverToTheBackupCmIsARegistrationThere) {
  const SipPhone phone;
  RegisterOptions o;
  phone_to_cm(phone, register_message(phone, o), kT0);
  cm_to_phone(phone, answer_message(200, "OK", phone, o, {3600, ""}), kT0 + kMs);
  const std::array<uint8_t, 4> backup{10, 0, 0, 11};
  ++o.cseq;
  phone_to_cm(phone, register_message(phone, o), kT0 + 1800 * kS);  // unanswered (a 3600 s grant)
  o.cseq += 1;
  wire_.on_packet(1, kT0 + 1840 * kS,
                  udp_frame({ip_of(phone.ip), phone.port}, {backup, 5060},
                            text_bytes(register_message(phone, o, "10.0.0.11"))));
  wire_.on_packet(
      1, kT0 + 1840 * kS + kMs,
      udp_frame({backup, 5060}, {ip_of(phone.ip), phone.port},
                text_bytes(answer_message(200, "OK", phone, o, {120, ""}, "10.0.0.11"))));
  const auto registered = of(regwatch::v1::PHONE_REGISTERED);
  ASSERT_EQ(registered.size(), 2u) << "the move to the backup CM is not said";
  EXPECT_EQ(registered[1].phone().cm_node(), "10.0.0.11");
}

// The live run of AStallIsSlowWhenTheNextPacketIsLate: the idle tick at +10 s.
TEST_F(SipRegistration, AStallIsSlowWhenTheWireTicks) {
  std::vector<SipPhone> phones(3);
  for (size_t i = 0; i < phones.size(); ++i) {
    phones[i].mac = "0011223344b" + std::to_string(i);
    phones[i].ip = "10.0.0." + std::to_string(70 + i);
    RegisterOptions o;
    o.call_id = "q" + std::to_string(i);
    phone_to_cm(phones[i], register_message(phones[i], o), kT0);
  }
  wire_.on_idle(kT0 + 10 * kS);
  tick(kT0 + 40 * kS);
  EXPECT_EQ(of(regwatch::v1::CM_SLOW).size(), 1u);
}

// A TCP phone unregisters (Expires 0) and closes its connection before the 200 comes back
// (the 200 is still sent on the half-closed connection). SCCP's close() skips connection_lost
// while unregistering; SIP says both connection_lost and phone_unregistered.
TEST_F(SipOverTcp, AnUnregisterThenCloseIsNoLoss) {
  SipPhone phone;
  phone.port = 51000;
  phone.transport = "TCP";
  const Endpoint ph{50, 51000}, cm{10, 5060};
  segment(ph, cm, 1000, "", kT0, 0x02);
  segment(cm, ph, 5000, "", kT0 + kMs, 0x12);
  RegisterOptions o;
  const std::string reg = register_message(phone, o);
  segment(ph, cm, 1001, reg, kT0 + 2 * kMs);
  const std::string grant = answer_message(200, "OK", phone, o, {120, ""});
  segment(cm, ph, 5001, grant, kT0 + 3 * kMs);
  ASSERT_EQ(of(regwatch::v1::PHONE_REGISTERED).size(), 1u);
  RegisterOptions bye = o;
  bye.cseq = 2;
  bye.expires = 0;
  const std::string unreg = register_message(phone, bye);
  segment(ph, cm, 1001 + static_cast<uint32_t>(reg.size()), unreg, kT0 + 10 * kS, 0x19);  // FIN
  segment(cm, ph, 5001 + static_cast<uint32_t>(grant.size()),
          answer_message(200, "OK", phone, bye, {0, ""}), kT0 + 10 * kS + kMs, 0x19);
  EXPECT_EQ(of(regwatch::v1::PHONE_UNREGISTERED).size(), 1u);
  EXPECT_TRUE(of(regwatch::v1::CONNECTION_LOST).empty()) << "a goodbye reported as a loss";
}

// An answer 5.3 s after its REGISTER (bound 5 s) is unanswered-in-time whatever other traffic
// did; here a packet at +4.9 s makes the sweep run at +4.9 s and not again before the answer.
TEST_F(SipRegistration, ALateAnswerIsUnansweredWhateverTheSweepTimes) {
  const SipPhone phone;
  RegisterOptions o;
  phone_to_cm(phone, register_message(phone, o), kT0 + 200 * kMs);
  tick(kT0 + 5100 * kMs);
  cm_to_phone(phone, answer_message(200, "OK", phone, o, {120, ""}), kT0 + 5500 * kMs);
  EXPECT_EQ(of(regwatch::v1::KEEPALIVE_UNANSWERED).size(), 1u)
      << "without the tick at 5.1 s it is reported";
}
TEST_F(SipRegistration, ALateAnswerWithoutOtherTrafficIsUnanswered) {
  const SipPhone phone;
  RegisterOptions o;
  phone_to_cm(phone, register_message(phone, o), kT0 + 200 * kMs);
  cm_to_phone(phone, answer_message(200, "OK", phone, o, {120, ""}), kT0 + 5500 * kMs);
  EXPECT_EQ(of(regwatch::v1::KEEPALIVE_UNANSWERED).size(), 1u);
}

}  // namespace
}  // namespace regwatch::agent::sip
