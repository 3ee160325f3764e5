// Correlation on real inputs: the bundled CUCM/switch archive (a CPU-spike
// burst, shared/seeds 003) parsed by the agent's real syslog parser, and
// synthetic switch-module and churn scenarios built from typed events.
#include "collector/correlate/correlator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "agent/syslog/syslog_parser.h"
#include "collector/correlate/cause_ranker.h"
#include "collector/correlate/incident_record.h"
#include "collector/correlate/scope_choice.h"
#include "common/record_json.h"

namespace regwatch::collector::correlate {

// Scopes in failure messages as "subnet 10.88.3.0/24" (found by gtest in Scope's namespace).
void PrintTo(const Scope& s, std::ostream* os) {
  *os << s.type << " " << s.name;
}

namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kNov20 = 1'795'132'800 * kSecond;  // 2026-11-20T00:00:00Z

std::vector<StoredEvent> archive() {
  std::ifstream in(REGWATCH_SOURCE_DIR "/tools/demo/sample-syslog.log");
  std::vector<StoredEvent> out;
  std::string line;
  agent::syslog::LineContext context;
  context.reference_time_us = kNov20;
  context.receive_time_us = kNov20;
  while (std::getline(in, line)) {
    StoredEvent s;
    s.id = static_cast<int64_t>(out.size()) + 1;
    s.event = agent::syslog::parse_syslog_line(line, context).event;
    s.event.set_agent_id("archive");
    s.event.set_seq(static_cast<uint64_t>(s.id));
    out.push_back(std::move(s));
  }
  return out;
}

int64_t id_of(const std::vector<StoredEvent>& events, v1::EventKind kind) {
  for (const auto& e : events) {
    if (e.event.kind() == kind) return e.id;
  }
  return -1;
}

TEST(Correlator, CpuSpikeOnACmNodeIsOneIncidentWithTheCpuFirst) {
  const auto events = archive();
  ASSERT_EQ(events.size(), 84u);
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  EXPECT_EQ(i.scope.type, "cm_node");
  EXPECT_EQ(i.scope.name, "ucm-sub1");
  EXPECT_EQ(i.incident_class, "infrastructure");
  EXPECT_EQ(i.phones.size(), 38u);
  EXPECT_EQ(i.reasons.at(13), 38u);                 // KeepAliveTimeout
  EXPECT_EQ(i.state, v1::INCIDENT_STATE_RESOLVED);  // they registered again
  ASSERT_GE(i.causes.size(), 2u);
  EXPECT_EQ(i.causes[0].kind, "cm_cpu");
  EXPECT_EQ(i.causes[0].subject, "ucm-sub1");
  EXPECT_GT(i.causes[0].score, 0.8);
  const int64_t pegging = id_of(events, v1::CPU_PEGGING);
  ASSERT_GT(pegging, 0);
  EXPECT_NE(std::find(i.causes[0].evidence.begin(), i.causes[0].evidence.end(), pegging),
            i.causes[0].evidence.end());
  EXPECT_EQ(i.causes[1].kind, "heartbeat_low");
  EXPECT_NE(i.causes[0].explanation.find("38 of 38 phones behind it"), std::string::npos)
      << i.causes[0].explanation;
  EXPECT_FALSE(i.causes[0].remediation.empty());
}

TEST(Correlator, SameIncidentsWhateverTheArrivalOrderOrAgents) {
  auto events = archive();
  const auto reference = correlate(events);
  std::mt19937 random(7);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(events.begin(), events.end(), random);
    const auto again = correlate(events);
    ASSERT_EQ(again.size(), reference.size());
    EXPECT_EQ(again[0].id, reference[0].id);
    EXPECT_EQ(again[0].phones, reference[0].phones);
    EXPECT_EQ(again[0].causes[0].evidence, reference[0].causes[0].evidence);
    EXPECT_EQ(again[0].drop_evidence, reference[0].drop_evidence);
  }
}

TEST(Correlator, TheSameDropSeenTwiceCountsOnce) {
  auto events = archive();
  const size_t n = events.size();
  for (size_t k = 0; k < n; ++k) {  // every drop reported again by the CCM-MIB table, 20 s later
    if (events[k].event.kind() != v1::PHONE_UNREGISTERED) continue;
    StoredEvent copy = events[k];
    copy.id = 1000 + static_cast<int64_t>(k);
    copy.event.set_agent_id("snmp-agent");
    copy.event.set_source(v1::SOURCE_SNMP_POLL);
    copy.event.set_event_time_us(copy.event.event_time_us() + 20 * kSecond);
    events.push_back(copy);
  }
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].phones.size(), 38u);
  EXPECT_EQ(incidents[0].drop_evidence.size(), 76u);  // both reports kept as evidence
  EXPECT_TRUE(incidents[0].flapping.empty());
}

// The archive's burst with its phones never registering again, and nothing after it.
std::vector<StoredEvent> burst_never_back() {
  auto events = archive();
  const int64_t burst_start = kNov20 + (9 * 3600 + 14 * 60 + 20) * kSecond;
  std::erase_if(events, [&](const StoredEvent& s) {
    return (s.event.kind() == v1::PHONE_REGISTERED && s.event.event_time_us() > burst_start) ||
           s.event.event_time_us() > burst_start + 60 * kSecond;
  });
  return events;
}

TEST(Correlator, AnIncidentResolvesAfterItsQuietPeriodByTheEventsOrTheClock) {
  const auto events = burst_never_back();
  const auto judged_by_events = correlate(events);
  ASSERT_EQ(judged_by_events.size(), 1u);
  const Incident& open = judged_by_events[0];
  EXPECT_EQ(open.state, v1::INCIDENT_STATE_OPEN);  // no later event says the quiet period passed
  EXPECT_EQ(open.recovered, 0u);
  EXPECT_EQ(open.still_down, open.phones);
  const CorrelationSettings settings;
  const int64_t quiet = int64_t{settings.quiet_s} * kSecond;
  EXPECT_EQ(correlate(events, settings, open.end_us + quiet - 1)[0].state, v1::INCIDENT_STATE_OPEN);
  const auto by_clock = correlate(events, settings, open.end_us + quiet);
  EXPECT_EQ(by_clock[0].state, v1::INCIDENT_STATE_RESOLVED);
  EXPECT_EQ(by_clock[0].id, open.id);  // the same incident, only its state judged later
  EXPECT_EQ(by_clock[0].still_down.size(), 38u);
  // With its phones back, nobody is listed.
  const auto back = correlate(archive(), settings, open.end_us + quiet);
  EXPECT_TRUE(back[0].still_down.empty());
  EXPECT_EQ(back[0].recovered, 38u);
}

TEST(Correlator, APhoneThatCameBackAndFellAgainIsDownAgainNotMerged) {
  auto events = archive();
  // Every phone drops again 80 s after the burst began: after it registered (within merge_s of
  // its first drop, which alone would have merged them).
  const size_t n = events.size();
  for (size_t k = 0; k < n; ++k) {
    if (events[k].event.kind() != v1::PHONE_UNREGISTERED) continue;
    StoredEvent again = events[k];
    again.id = 2000 + static_cast<int64_t>(k);
    again.event.set_seq(again.event.seq() + 2000);
    again.event.set_event_time_us(again.event.event_time_us() + 80 * kSecond);
    events.push_back(again);
  }
  const int64_t later = kNov20 + (9 * 3600 + 19 * 60) * kSecond;  // the switch's later line
  std::erase_if(events, [&](const StoredEvent& s) { return s.event.event_time_us() > later; });
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].phones.size(), 38u);
  EXPECT_EQ(incidents[0].state, v1::INCIDENT_STATE_OPEN);  // back, then down again
  EXPECT_EQ(incidents[0].still_down.size(), 38u);
  EXPECT_EQ(incidents[0].recovered, 0u);
}

// A switch stack whose member 2 dies: its 31 phones drop, the other module's do not. With
// member_is_one_subnet, member 2's phones are exactly 10.88.3.0/24 (and member 1's another /24),
// and an unrelated CPU alert on a CM node none of them uses comes in the lookback.
std::vector<StoredEvent> module_failure(bool member_is_one_subnet = false) {
  std::vector<StoredEvent> out;
  auto add = [&](v1::Event e) {
    StoredEvent s;
    s.id = static_cast<int64_t>(out.size()) + 1;
    e.set_agent_id("a");
    e.set_seq(static_cast<uint64_t>(s.id));
    s.event = std::move(e);
    out.push_back(std::move(s));
  };
  const int64_t t0 = kNov20 + 9 * 3600 * kSecond;
  for (int p = 0; p < 60; ++p) {
    const std::string device = "SEP0000000000" + std::to_string(10 + p);
    const uint32_t module = p < 31 ? 2 : 1;
    v1::Event topo;
    topo.set_kind(v1::TOPOLOGY);
    topo.set_event_time_us(t0 - 3600 * kSecond);
    topo.mutable_topology()->set_device(device);
    topo.mutable_topology()->set_switch_name("sw-3f");
    topo.mutable_topology()->set_module(module);
    topo.mutable_topology()->set_port("GigabitEthernet" + std::to_string(module) + "/0/" +
                                      std::to_string(p + 1));
    add(topo);
    v1::Event reg;
    reg.set_kind(v1::PHONE_REGISTERED);
    reg.set_event_time_us(t0 - 3000 * kSecond);
    reg.mutable_phone()->set_device_name(device);
    reg.mutable_phone()->set_cm_node(p % 2 ? "ucm-sub1" : "ucm-sub2");
    reg.mutable_phone()->set_ip(
        member_is_one_subnet ? (module == 2 ? "10.88.3." : "10.88.4.") + std::to_string(p + 10)
                             : "10.20.3" + std::to_string(p % 3) + "." + std::to_string(p + 10));
    add(reg);
  }
  if (member_is_one_subnet) {
    v1::Event pegging;
    pegging.set_kind(v1::CPU_PEGGING);
    pegging.set_origin("ucm-sub3");
    pegging.set_event_time_us(t0 - 10 * kSecond);
    pegging.mutable_rtmt_alert()->set_node("ucm-sub3");
    pegging.mutable_rtmt_alert()->set_alert_name("CallProcessingNodeCpuPegging");
    add(pegging);
  }
  v1::Event removed;
  removed.set_kind(v1::STACK_MEMBER_REMOVED);
  removed.set_origin("sw-3f");
  removed.set_event_time_us(t0);
  removed.mutable_stack_member()->set_member(2);
  add(removed);
  v1::Event cpu;  // an unrelated CPU blip on another switch
  cpu.set_kind(v1::CPU_HIGH);
  cpu.set_origin("sw-1f");
  cpu.set_event_time_us(t0 - 30 * kSecond);
  cpu.mutable_cpu()->set_role("switch");
  cpu.mutable_cpu()->set_peak_percent(95);
  add(cpu);
  for (int p = 0; p < 31; ++p) {
    v1::Event drop;
    drop.set_kind(v1::PHONE_UNREGISTERED);
    drop.set_event_time_us(t0 + (2 + p) * kSecond);
    drop.mutable_phone()->set_device_name("SEP0000000000" + std::to_string(10 + p));
    drop.mutable_phone()->set_reason_code(13);
    drop.mutable_phone()->set_cm_node(p % 2 ? "ucm-sub1" : "ucm-sub2");
    add(drop);
  }
  return out;
}

// After a cluster move, 15 phones keep the old cluster's ITL and refuse their signed config:
// only the phones say so (their syslog lines, parsed by the real parser), CUCM gives no codes.
// Three of them were first seen silent on the wire (keepalive_missed, no code); a relay's
// line names no phone.
std::string device_name(int k) {  // k < 16
  return "SEP0024C4B2000" + std::string(1, "0123456789ABCDEF"[k]);
}

std::vector<StoredEvent> phones_refusing_their_config() {
  std::vector<std::string> lines;
  auto two = [](int n) { return std::string(n < 10 ? "0" : "") + std::to_string(n); };
  auto at = [&two](int second) {  // seconds after 14:00, second < 3600
    return "2026-11-20T14:" + two(second / 60) + ":" + two(second % 60) + ".000Z";
  };
  for (int k = 0; k < 15; ++k) {
    const std::string name = device_name(k);
    const std::string ip = "10.27.4." + std::to_string(20 + k);
    for (int attempt : {0, 40}) {
      lines.push_back("<187>1 " + at(2 * k + attempt) + " " + ip + " - - - - invalid file " + name +
                      ".cnf.xml.sgn, authenticated fail. Reason:14.");
    }
  }
  lines.push_back("<187>1 " + at(20) + " tftp-relay - - - - Trust List update failed");
  std::vector<StoredEvent> out;
  agent::syslog::LineContext context;
  context.reference_time_us = context.receive_time_us = kNov20;
  for (const auto& line : lines) {
    StoredEvent s;
    s.id = static_cast<int64_t>(out.size()) + 1;
    s.event = agent::syslog::parse_syslog_line(line, context).event;
    s.event.set_agent_id("noc");
    s.event.set_seq(static_cast<uint64_t>(s.id));
    out.push_back(std::move(s));
  }
  for (int k = 0; k < 3; ++k) {  // seen first on the wire, 5 s before the phone's own line
    const std::string name = device_name(k);
    StoredEvent s;
    s.id = static_cast<int64_t>(out.size()) + 1;
    s.event.set_kind(v1::KEEPALIVE_MISSED);
    s.event.set_agent_id("wire");
    s.event.set_seq(static_cast<uint64_t>(k + 1));
    s.event.set_event_time_us(kNov20 + (14 * 3600 + 2 * k - 5) * kSecond);
    s.event.mutable_phone()->set_device_name(name);
    s.event.mutable_phone()->set_ip("10.27.4." + std::to_string(20 + k));
    out.push_back(std::move(s));
  }
  return out;
}

TEST(Correlator, PhonesRefusingTheirSignedConfigAreASecurityIncident) {
  const auto events = phones_refusing_their_config();
  std::vector<int64_t> auth_failures;  // the phones' own reports that name them
  for (const auto& e : events) {
    if (e.event.kind() == v1::PHONE_AUTH_FAILED && !e.event.phone().device_name().empty())
      auth_failures.push_back(e.id);
  }
  ASSERT_EQ(auth_failures.size(), 30u);  // parsed as such: 15 phones, two attempts each
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  EXPECT_EQ(i.scope.type, "subnet");
  EXPECT_EQ(i.scope.name, "10.27.4.0/24");
  EXPECT_EQ(i.phones.size(), 15u);
  EXPECT_EQ(i.incident_class, "security");
  EXPECT_EQ(i.phone_auth_failures, 15u);  // the three seen first on the wire included
  EXPECT_TRUE(i.reasons.empty());
  EXPECT_TRUE(i.rejection_reasons.empty());
  EXPECT_TRUE(i.flapping.empty());  // the retry 40 s later is the same drop
  ASSERT_FALSE(i.causes.empty());
  const Cause& top = i.causes[0];
  EXPECT_EQ(top.kind, "security");
  EXPECT_EQ(top.subject, "10.27.4.0/24");
  EXPECT_DOUBLE_EQ(top.score, 1.0);
  std::vector<int64_t> security = auth_failures;
  for (const auto& e : events) {
    if (e.event.kind() == v1::KEEPALIVE_MISSED) security.push_back(e.id);
  }
  std::sort(security.begin(), security.end());
  EXPECT_EQ(top.evidence, security);
  EXPECT_EQ(i.drop_evidence, security);
  EXPECT_NE(top.explanation.find("15 of 15 phones said themselves"), std::string::npos)
      << top.explanation;
  EXPECT_NE(top.remediation.find("Settings > Security > Trust List"), std::string::npos);
  EXPECT_NE(top.remediation.find("reset the security settings"), std::string::npos);
  EXPECT_NE(top.remediation.find("TFTP"), std::string::npos);
  EXPECT_NE(regwatch::incident_json(incident_record(i)).dump().find("\"phone_auth_failures\":15"),
            std::string::npos);
}

TEST(Correlator, AuthFailuresOfPhonesDroppedForANetworkReasonKeepThatReason) {
  auto events = module_failure();  // 31 phones time out behind a dead stack member (code 13)
  std::vector<int64_t> auth_failures;
  for (int p = 0; p < 3; ++p) {  // three of them then also fail to authenticate their config
    StoredEvent s;
    s.id = 5000 + p;
    s.event.set_kind(v1::PHONE_AUTH_FAILED);
    s.event.set_agent_id("noc");
    s.event.set_seq(static_cast<uint64_t>(p + 1));
    s.event.set_event_time_us(kNov20 + (9 * 3600 + 40) * kSecond);
    s.event.mutable_phone()->set_device_name("SEP0000000000" + std::to_string(10 + p));
    auth_failures.push_back(s.id);
    events.push_back(std::move(s));
  }
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  EXPECT_EQ(i.phones.size(), 31u);
  EXPECT_EQ(i.incident_class, "infrastructure");
  EXPECT_EQ(i.phone_auth_failures, 0u);  // their drop had CUCM's KeepAliveTimeout first
  EXPECT_EQ(i.causes[0].kind, "module_failure");
  for (int64_t id : auth_failures) {  // merged into those drops: evidence, counted once
    EXPECT_NE(std::find(i.drop_evidence.begin(), i.drop_evidence.end(), id), i.drop_evidence.end());
  }
  EXPECT_TRUE(i.flapping.empty());
}

TEST(Correlator, ModuleFailureIsScopedToTheModule) {
  const auto events = module_failure();
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].scope.type, "module");
  EXPECT_EQ(incidents[0].scope.name, "sw-3f/2");
  EXPECT_EQ(incidents[0].phones.size(), 31u);
  ASSERT_FALSE(incidents[0].causes.empty());
  EXPECT_EQ(incidents[0].causes[0].kind, "module_failure");
  EXPECT_EQ(incidents[0].causes[0].subject, "sw-3f member 2");
  EXPECT_EQ(incidents[0].causes[0].evidence,
            std::vector<int64_t>{id_of(events, v1::STACK_MEMBER_REMOVED)});
  EXPECT_EQ(incidents[0].phones_by_switch.at("sw-3f"), 31u);
  EXPECT_EQ(incidents[0].phones_by_cm.size(), 2u);  // spread over both CM nodes: not a CM problem
}

TEST(Correlator, OrdinaryChurnOpensNothing) {
  std::vector<StoredEvent> events;
  const int64_t t0 = kNov20 + 10 * 3600 * kSecond;
  for (int p = 0; p < 200; ++p) {  // 200 phones, one drops every 5 minutes and comes back
    StoredEvent s;
    s.id = p + 1;
    s.event.set_kind(p % 10 == 0 ? v1::PHONE_UNREGISTERED : v1::PHONE_REGISTERED);
    s.event.set_event_time_us(t0 + p * 30 * kSecond);
    s.event.mutable_phone()->set_device_name("SEP1000000" + std::to_string(10000 + p));
    s.event.mutable_phone()->set_cm_node("ucm-sub1");
    s.event.mutable_phone()->set_reason_code(13);
    events.push_back(s);
  }
  EXPECT_TRUE(correlate(events).empty());
}

TEST(Correlator, PlannedRestartsAreClassPlanned) {
  auto events = archive();
  for (auto& e : events) {  // the same burst, but an administrator's restart (reason 9)
    if (e.event.kind() == v1::PHONE_UNREGISTERED) e.event.mutable_phone()->set_reason_code(9);
  }
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].incident_class, "planned");
  const auto planned = std::find_if(incidents[0].causes.begin(), incidents[0].causes.end(),
                                    [](const Cause& c) { return c.kind == "planned_change"; });
  EXPECT_NE(planned, incidents[0].causes.end());
}

TEST(Correlator, RejectionsAreClassifiedByTheRegistrationFailureTable) {
  auto events = archive();
  for (auto& e : events) {  // the same phones, now rejected with 13: DirectoryNumberMismatch
    if (e.event.kind() == v1::PHONE_UNREGISTERED) e.event.set_kind(v1::PHONE_REGISTRATION_FAILED);
  }
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_TRUE(incidents[0].reasons.empty());
  EXPECT_EQ(incidents[0].rejection_reasons.at(13), 38u);
  EXPECT_EQ(incidents[0].incident_class, "config");  // not network, as KeepAliveTimeout would be
  const auto config = std::find_if(incidents[0].causes.begin(), incidents[0].causes.end(),
                                   [](const Cause& c) { return c.kind == "config"; });
  EXPECT_NE(config, incidents[0].causes.end());
}

TEST(Correlator, WireEventsNameTheCmByAddress) {
  EXPECT_EQ(short_host("ucm-sub1.voice.example.net"), "ucm-sub1");
  EXPECT_EQ(short_host("10.1.1.5"), "10.1.1.5");
  std::vector<StoredEvent> events;
  const int64_t t0 = kNov20 + 11 * 3600 * kSecond;
  auto add = [&](v1::Event e) {
    StoredEvent s;
    s.id = static_cast<int64_t>(events.size()) + 1;
    s.event = std::move(e);
    events.push_back(std::move(s));
  };
  v1::Event slow;  // the SCCP watcher saw KeepAliveAcks slow down on the CM
  slow.set_kind(v1::CM_SLOW);
  slow.set_source(v1::SOURCE_SCCP);
  slow.set_origin("10.1.1.5");
  slow.set_event_time_us(t0);
  slow.mutable_keepalive_latency()->set_p90_ms(4000);
  slow.mutable_keepalive_latency()->set_slow_phones(12);
  add(slow);
  for (int p = 0; p < 12; ++p) {
    v1::Event lost;
    lost.set_kind(v1::CONNECTION_LOST);
    lost.set_source(v1::SOURCE_SCCP);
    lost.set_event_time_us(t0 + (20 + p) * kSecond);
    lost.mutable_phone()->set_device_name("SEP00AA000000" + std::to_string(10 + p));
    lost.mutable_phone()->set_cm_node("10.1.1.5");
    lost.mutable_phone()->set_ip("10.20.0." + std::to_string(10 + p));
    add(lost);
  }
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].phones_by_cm.at("10.1.1.5"), 12u);
  ASSERT_FALSE(incidents[0].causes.empty());
  EXPECT_EQ(incidents[0].causes[0].kind, "cm_slow");
  EXPECT_EQ(incidents[0].causes[0].subject, "10.1.1.5");
  EXPECT_EQ(incidents[0].incident_class, "infrastructure");  // no reason codes: network by nature
  // The CM's 12 phones are all of 10.20.0.0/24 and all of the cluster no event named: the CM
  // node the cause explains is reported, the subnet said, the unnamed cluster not (no place).
  EXPECT_EQ(incidents[0].scope, (Scope{"cm_node", "10.1.1.5"}));
  EXPECT_EQ(incidents[0].also_scopes, (std::vector<Scope>{{"subnet", "10.20.0.0/24"}}));
}

}  // namespace
}  // namespace regwatch::collector::correlate

namespace regwatch::collector::correlate {
namespace {

// The archive's 38-phone burst on ucm-sub1 is 10 % of a node the CCM MIB says holds 400
// registered phones: under the default 20 % it is churn of a big node, not a burst of it.
TEST(Correlator, ACmNodesRegisteredCountSetsItsSize) {
  auto events = archive();
  ASSERT_EQ(correlate(events).size(), 1u);
  StoredEvent count;
  count.id = 1000;
  count.event.set_agent_id("poller");
  count.event.set_seq(1);
  count.event.set_kind(v1::REGISTERED_PHONES);
  count.event.set_origin("ucm-sub1.voice.example.net");
  count.event.set_event_time_us(kNov20 + 9 * 3600 * kSecond);  // before the burst at 09:14
  count.event.mutable_registered_phones()->set_registered(400);
  events.push_back(count);
  const auto incidents = correlate(events);
  EXPECT_TRUE(incidents.empty()) << incidents.front().id;  // nor of its cluster, at least as big
}

}  // namespace
}  // namespace regwatch::collector::correlate

namespace regwatch::collector::correlate {
namespace {

// Issue 16: when several scopes hold the same dropped phones, the incident is reported in the
// one its top cause explains, else the physical before the logical, and says which others
// hold all of them (collector/correlate/scope_choice.h).

v1::Event phone_event(v1::EventKind kind, int64_t time_us, const std::string& device,
                      const std::string& cm, const std::string& ip) {
  v1::Event e;
  e.set_kind(kind);
  e.set_event_time_us(time_us);
  e.mutable_phone()->set_device_name(device);
  e.mutable_phone()->set_cm_node(cm);
  e.mutable_phone()->set_ip(ip);
  e.mutable_phone()->set_cluster("PROD");
  if (kind == v1::PHONE_UNREGISTERED) e.mutable_phone()->set_reason_code(13);
  return e;
}

struct EventList {
  std::vector<StoredEvent> events;
  void add(v1::Event e) {
    StoredEvent s;
    s.id = static_cast<int64_t>(events.size()) + 1;
    e.set_agent_id("a");
    e.set_seq(static_cast<uint64_t>(s.id));
    s.event = std::move(e);
    events.push_back(std::move(s));
  }
};

TEST(ScopeChoice, AStackMemberWhosePhonesAreExactlyOneSubnetIsTheModuleAlsoTheSubnet) {
  const auto events = module_failure(/*member_is_one_subnet=*/true);
  const auto incidents = correlate(events);
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  EXPECT_EQ(i.scope, (Scope{"module", "sw-3f/2"}));
  EXPECT_EQ(i.id.rfind("module:sw-3f/2@", 0), 0u) << i.id;
  EXPECT_EQ(i.phones.size(), 31u);
  ASSERT_FALSE(i.causes.empty());
  EXPECT_EQ(i.causes[0].kind, "module_failure");
  // The switch and the cluster hold the same 31 dropped phones but more that did not drop: only
  // the subnet is all of them.
  EXPECT_EQ(i.also_scopes, (std::vector<Scope>{{"subnet", "10.88.3.0/24"}}));
  EXPECT_NE(regwatch::incident_json(incident_record(i))
                .dump()
                .find(R"("also_scopes":[{"type":"subnet","name":"10.88.3.0/24"}])"),
            std::string::npos)
      << regwatch::incident_json(incident_record(i)).dump();
}

// ucm-sub3's CPU pegs; its 20 phones, exactly 10.30.5.0/24, time out. ucm-sub4's do not.
std::vector<StoredEvent> cm_cpu_on_one_subnet() {
  EventList l;
  const int64_t t0 = kNov20 + 10 * 3600 * kSecond;
  for (int p = 0; p < 40; ++p) {
    const bool on_sub3 = p < 20;
    l.add(phone_event(v1::PHONE_REGISTERED, t0 - 3000 * kSecond,
                      "SEP00CC000000" + std::to_string(10 + p), on_sub3 ? "ucm-sub3" : "ucm-sub4",
                      (on_sub3 ? "10.30.5." : "10.30.6.") + std::to_string(10 + p)));
  }
  v1::Event pegging;
  pegging.set_kind(v1::CPU_PEGGING);
  pegging.set_origin("ucm-sub3");
  pegging.set_event_time_us(t0 - 5 * kSecond);
  pegging.mutable_rtmt_alert()->set_node("ucm-sub3");
  pegging.mutable_rtmt_alert()->set_alert_name("CallProcessingNodeCpuPegging");
  l.add(pegging);
  for (int p = 0; p < 20; ++p) {
    l.add(phone_event(v1::PHONE_UNREGISTERED, t0 + (10 + p) * kSecond,
                      "SEP00CC000000" + std::to_string(10 + p), "ucm-sub3",
                      "10.30.5." + std::to_string(10 + p)));
  }
  return l.events;
}

TEST(ScopeChoice, ACmNodesCpuWithPhonesExactlyOneSubnetIsTheCmNode) {
  const auto incidents = correlate(cm_cpu_on_one_subnet());
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  ASSERT_FALSE(i.causes.empty());
  EXPECT_EQ((std::pair{i.causes[0].kind, i.causes[0].subject}),
            (std::pair<std::string, std::string>{"cm_cpu", "ucm-sub3"}));
  EXPECT_EQ(i.scope, (Scope{"cm_node", "ucm-sub3"}));  // by enum order alone, the subnet
  EXPECT_EQ(i.also_scopes, (std::vector<Scope>{{"subnet", "10.30.5.0/24"}}));
}

TEST(ScopeChoice, WithNoCauseThePhysicalScopeComesBeforeTheLogicalOnes) {
  // 20 phones on one switch (no stack), voice VLAN 120, exactly 10.30.7.0/24, over two CM
  // nodes that each hold 20 more; they time out with nothing in the lookback to blame.
  EventList l;
  const int64_t t0 = kNov20 + 11 * 3600 * kSecond;
  for (int p = 0; p < 60; ++p) {
    const std::string device = "SEP00DD000000" + std::to_string(10 + p);
    const bool on_switch = p < 20;
    if (on_switch) {
      v1::Event topo;
      topo.set_kind(v1::TOPOLOGY);
      topo.set_event_time_us(t0 - 3600 * kSecond);
      topo.mutable_topology()->set_device(device);
      topo.mutable_topology()->set_switch_name("sw-9f.example.net");
      topo.mutable_topology()->set_port("GigabitEthernet0/" + std::to_string(p + 1));
      topo.mutable_topology()->set_voice_vlan(120);
      l.add(topo);
    }
    l.add(phone_event(v1::PHONE_REGISTERED, t0 - 3000 * kSecond, device,
                      p % 2 ? "ucm-sub5" : "ucm-sub6",
                      (on_switch ? "10.30.7." : "10.30.8.") + std::to_string(10 + p)));
  }
  for (int p = 0; p < 20; ++p) {
    l.add(phone_event(v1::PHONE_UNREGISTERED, t0 + (10 + p) * kSecond,
                      "SEP00DD000000" + std::to_string(10 + p), p % 2 ? "ucm-sub5" : "ucm-sub6",
                      "10.30.7." + std::to_string(10 + p)));
  }
  const auto incidents = correlate(l.events);
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  ASSERT_FALSE(i.causes.empty());
  EXPECT_EQ(i.causes[0].kind, "unknown");
  EXPECT_EQ(i.scope, (Scope{"switch", "sw-9f"}));
  EXPECT_EQ(i.causes[0].subject, "sw-9f");
  EXPECT_EQ(i.also_scopes, (std::vector<Scope>{{"vlan", "120"}, {"subnet", "10.30.7.0/24"}}));
}

TEST(ScopeChoice, APortFaultIsTheNarrowestPhysicalScopeAnUplinkTheSwitch) {
  const std::vector<Scope> holding = {
      {"subnet", "10.1.2.0/24"}, {"switch", "sw-1"}, {"module", "sw-1/1"}};
  Cause port;  // an access port: its module, then its switch
  port.kind = "link_down";
  port.scopes = {{"module", "sw-1/1"}, {"switch", "sw-1"}};
  EXPECT_EQ(choose_scope(holding, {port}), (Scope{"module", "sw-1/1"}));
  Cause uplink;
  uplink.kind = "link_down";
  uplink.scopes = {{"switch", "sw-1"}};
  EXPECT_EQ(choose_scope(holding, {uplink}), (Scope{"switch", "sw-1"}));
  Cause elsewhere;  // a cause on a scope that does not hold these phones decides nothing
  elsewhere.kind = "cm_cpu";
  elsewhere.scopes = {{"cm_node", "ucm-sub9"}};
  EXPECT_EQ(choose_scope(holding, {elsewhere}), (Scope{"module", "sw-1/1"}));
  EXPECT_EQ(choose_scope({{"cm_node", "ucm-sub1"}, {"subnet", "10.1.2.0/24"}}, {}),
            (Scope{"subnet", "10.1.2.0/24"}));
}

}  // namespace
}  // namespace regwatch::collector::correlate
