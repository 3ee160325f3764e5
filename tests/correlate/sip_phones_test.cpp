// SIP phones on the wire (issue 23) as the correlator sees them: the agent's SIP analyzer
// emits the same phone events as the SCCP watcher (source sip, protocol "SIP"), so a CM stall
// seen on SIP phones must give the incident the same stall gives on SCCP phones, and a mixed
// fleet's burst counts each phone once however many inputs report it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "collector/correlate/correlator.h"

namespace regwatch::collector::correlate {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kT0 = 1'796'547'600 * kSecond;  // 2026-12-06T09:00:00Z
constexpr int kPhones = 24;
const std::string kCm = "10.1.1.5";

struct Wire {
  v1::Source source;
  std::string protocol;
};
const Wire kSccp{v1::SOURCE_SCCP, "SCCP"};
const Wire kSip{v1::SOURCE_SIP, "SIP"};

class Events {
 public:
  v1::Event& add(v1::EventKind kind, int64_t time_us, v1::Source source,
                 const std::string& agent = "edge-1") {
    StoredEvent s;
    s.id = static_cast<int64_t>(events_.size()) + 1;
    s.event.set_agent_id(agent);
    s.event.set_seq(static_cast<uint64_t>(s.id));
    s.event.set_kind(kind);
    s.event.set_source(source);
    s.event.set_event_time_us(time_us);
    s.event.set_origin(source == v1::SOURCE_SYSLOG ? "ucm-sub1" : kCm);
    events_.push_back(std::move(s));
    return events_.back().event;
  }
  // A phone event of the wire as the analyzer of `wire` emits it.
  v1::PhoneEvent& phone(v1::EventKind kind, int64_t time_us, const Wire& wire, int p) {
    auto& e = add(kind, time_us, wire.source);
    auto& ph = *e.mutable_phone();
    ph.set_device_name(device(p));
    ph.set_ip("10.20.0." + std::to_string(10 + p));
    ph.set_cm_node(kCm);
    ph.set_protocol(wire.protocol);
    if (wire.source == v1::SOURCE_SIP) {
      ph.set_keepalive_interval_s(120);  // the granted Expires
      ph.set_transport("tcp");
      ph.set_user_agent("Cisco-CP8845/14.2.1");
    } else {
      ph.set_keepalive_interval_s(30);
    }
    return ph;
  }
  static std::string device(int p) {
    char name[16];
    std::snprintf(name, sizeof name, "SEP00AA%08X", p);
    return name;
  }
  const std::vector<StoredEvent>& all() const { return events_; }

 private:
  std::vector<StoredEvent> events_;
};

// A CM that stops answering: its keepalive answers slow down (cm_slow), then the phones'
// keepalives (SCCP KeepAlive, SIP REGISTER refresh) go unanswered, then each phone is overdue
// (keepalive_missed). phones(p) says which wire phone p speaks.
template <typename WireOf>
std::vector<StoredEvent> cm_stall(WireOf wire_of) {
  Events ev;
  for (int p = 0; p < kPhones; ++p)
    ev.phone(v1::PHONE_REGISTERED, kT0 + p * kSecond, wire_of(p), p);
  const int64_t stall = kT0 + 600 * kSecond;
  // The analyzers judge latency per CM; a mixed fleet's CM is seen slow by both.
  std::vector<v1::Source> slow_sources;
  for (int p = 0; p < kPhones; ++p) {
    if (std::find(slow_sources.begin(), slow_sources.end(), wire_of(p).source) ==
        slow_sources.end()) {
      slow_sources.push_back(wire_of(p).source);
    }
  }
  for (const auto source : slow_sources) {
    auto& slow = ev.add(v1::CM_SLOW, stall, source);
    slow.mutable_keepalive_latency()->set_cm_node(kCm);
    slow.mutable_keepalive_latency()->set_p90_ms(4000);
    slow.mutable_keepalive_latency()->set_slow_phones(kPhones);
  }
  for (int p = 0; p < kPhones; ++p) {
    ev.phone(v1::KEEPALIVE_UNANSWERED, stall + (5 + p) * kSecond, wire_of(p), p)
        .set_silent_for_ms(5000);
    ev.phone(v1::KEEPALIVE_MISSED, stall + (40 + p) * kSecond, wire_of(p), p)
        .set_silent_for_ms(40000);
  }
  return ev.all();
}

void expect_same_incident(const Incident& sip, const Incident& sccp) {
  EXPECT_EQ(sip.incident_class, sccp.incident_class);
  EXPECT_EQ(sip.scope, sccp.scope);
  EXPECT_EQ(sip.phones, sccp.phones);
  ASSERT_FALSE(sip.causes.empty());
  ASSERT_FALSE(sccp.causes.empty());
  EXPECT_EQ(sip.causes[0].kind, sccp.causes[0].kind);
  EXPECT_EQ(sip.causes[0].subject, sccp.causes[0].subject);
  EXPECT_EQ(sip.phones_by_cm, sccp.phones_by_cm);
}

TEST(SipPhones, ACmStallSeenOnSipPhonesGivesTheIncidentOfTheSameStallOnSccpPhones) {
  const auto sccp = correlate(cm_stall([](int) { return kSccp; }));
  const auto sip = correlate(cm_stall([](int) { return kSip; }));
  ASSERT_EQ(sccp.size(), 1u);
  ASSERT_EQ(sip.size(), 1u);
  EXPECT_EQ(sip[0].phones.size(), static_cast<size_t>(kPhones));
  EXPECT_EQ(sip[0].causes[0].kind, "cm_slow");
  EXPECT_EQ(sip[0].causes[0].subject, kCm);
  EXPECT_EQ(sip[0].scope, (Scope{"cm_node", kCm}));
  expect_same_incident(sip[0], sccp[0]);
}

TEST(SipPhones, AMixedFleetsStallIsTheSameIncidentToo) {
  const auto mixed = correlate(cm_stall([](int p) { return p % 2 == 0 ? kSip : kSccp; }));
  const auto sccp = correlate(cm_stall([](int) { return kSccp; }));
  ASSERT_EQ(mixed.size(), 1u);
  ASSERT_EQ(sccp.size(), 1u);
  expect_same_incident(mixed[0], sccp[0]);
}

// Half the phones speak SIP, half SCCP; every phone's fall is seen on the wire (its analyzer's
// keepalive_missed, then connection_lost for the TCP ones) and in CUCM's syslog
// (phone_unregistered, KeepAliveTimeout), by two agents: each phone is one drop.
TEST(SipPhones, AMixedFleetsBurstCountsEachPhoneOnce) {
  Events ev;
  for (int p = 0; p < kPhones; ++p) {
    ev.phone(v1::PHONE_REGISTERED, kT0 + p * kSecond, p % 2 == 0 ? kSip : kSccp, p);
  }
  const int64_t fall = kT0 + 900 * kSecond;
  for (int p = 0; p < kPhones; ++p) {
    const Wire& wire = p % 2 == 0 ? kSip : kSccp;
    ev.phone(v1::KEEPALIVE_MISSED, fall + p * kSecond, wire, p).set_silent_for_ms(150000);
    ev.phone(v1::CONNECTION_LOST, fall + p * kSecond + 200'000, wire, p).set_closed_by("cm rst");
    auto& syslog =
        ev.add(v1::PHONE_UNREGISTERED, fall + (p + 3) * kSecond, v1::SOURCE_SYSLOG, "cucm-agent");
    auto& ph = *syslog.mutable_phone();
    ph.set_device_name(Events::device(p));
    ph.set_ip("10.20.0." + std::to_string(10 + p));
    ph.set_cm_node("ucm-sub1");
    ph.set_protocol(wire.protocol);
    ph.set_reason_code(13);
  }
  const auto incidents = correlate(ev.all());
  ASSERT_EQ(incidents.size(), 1u);
  const auto& phones = incidents[0].phones;
  EXPECT_EQ(phones.size(), static_cast<size_t>(kPhones));
  EXPECT_TRUE(std::is_sorted(phones.begin(), phones.end()));
  EXPECT_EQ(std::adjacent_find(phones.begin(), phones.end()), phones.end());  // distinct
  EXPECT_TRUE(incidents[0].flapping.empty());  // three reports of one fall are not three drops
  // Every report is evidence of its phone's one drop: the two wire reports and CUCM's.
  EXPECT_EQ(incidents[0].drop_evidence.size(), static_cast<size_t>(3 * kPhones));
  EXPECT_EQ(incidents[0].incident_class, "infrastructure");

  // The drop rule agrees: one counted drop per phone.
  EXPECT_EQ(counted_drops(ev.all()).size(), static_cast<size_t>(kPhones));
}

}  // namespace
}  // namespace regwatch::collector::correlate
