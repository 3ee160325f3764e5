// Phones stuck in their boot chain (boot_stalled, issue 22) as the correlator sees them: one drop
// per stuck phone however often the agent reports it, incidents scoped like bursts (and by the
// TFTP server they asked), the class of the rule (common/boot_rules.h), the boot_loop cause with
// the rule's remediation, and tftp_unavailable beside any burst's causes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "collector/correlate/correlator.h"
#include "collector/correlate/drop_rule.h"
#include "collector/correlate/scope_choice.h"
#include "common/boot_rules.h"

namespace regwatch::collector::correlate {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kT0 = 1'796'547'600 * kSecond;  // 2026-12-06T09:00:00Z

class Events {
 public:
  StoredEvent& add(v1::EventKind kind, int64_t time_us) {
    StoredEvent s;
    s.id = static_cast<int64_t>(events_.size()) + 1;
    s.event.set_agent_id("agent-1");
    s.event.set_seq(static_cast<uint64_t>(s.id));
    s.event.set_kind(kind);
    s.event.set_event_time_us(time_us);
    s.event.set_origin("agent-1");
    events_.push_back(std::move(s));
    return events_.back();
  }
  // Where the phone hangs off: CDP on sw-3f, module 1, voice VLAN 110.
  void attach(const std::string& device, const std::string& switch_name, int64_t time_us) {
    auto& t = *add(v1::TOPOLOGY, time_us).event.mutable_topology();
    t.set_device(device);
    t.set_switch_name(switch_name);
    t.set_module(1);
    t.set_port("GigabitEthernet1/0/" + device.substr(device.size() - 2));
    t.set_voice_vlan(110);
  }
  StoredEvent& registered(const std::string& device, int64_t time_us) {
    StoredEvent& s = add(v1::PHONE_REGISTERED, time_us);
    auto& p = *s.event.mutable_phone();
    p.set_device_name(device);
    p.set_ip("10.88.3." + device.substr(device.size() - 2));
    p.set_cm_node("ucm-sub1");
    return s;
  }
  StoredEvent& stalled(const std::string& device, const std::string& rule, int64_t time_us,
                       const std::string& tftp_server = "10.1.1.5") {
    StoredEvent& s = add(v1::BOOT_STALLED, time_us);
    s.event.set_source(v1::SOURCE_BOOT);
    auto& p = *s.event.mutable_phone();
    p.set_device_name(device);
    p.set_ip("10.88.3." + device.substr(device.size() - 2));
    auto& b = *p.mutable_boot();
    const domain::BootRule* r = domain::find_boot_rule(rule);
    b.set_rule(rule);
    b.set_stage(std::string(domain::boot_stage_name(r->stage)));
    b.set_stage_since_us(kT0);
    b.set_tftp_server(tftp_server);
    b.set_fetches(domain::kLoopFetches);
    b.set_file(device + ".cnf.xml.sgn");
    return s;
  }
  StoredEvent& unregistered(const std::string& device, int64_t time_us) {
    StoredEvent& s = add(v1::PHONE_UNREGISTERED, time_us);
    auto& p = *s.event.mutable_phone();
    p.set_device_name(device);
    p.set_ip("10.88.3." + device.substr(device.size() - 2));
    p.set_cm_node("ucm-sub1");
    p.set_reason_code(13);  // KeepAliveTimeout: network class
    return s;
  }
  StoredEvent& tftp_down(const std::string& server, int64_t time_us, bool resolved = false) {
    StoredEvent& s = add(v1::TFTP_SERVER_UNANSWERED, time_us);
    s.event.set_source(v1::SOURCE_BOOT);
    auto& t = *s.event.mutable_tftp_server();
    t.set_server(server);
    t.set_unanswered_requests(240);
    t.set_phones(120);
    t.set_since_us(time_us);
    t.set_resolved(resolved);
    return s;
  }
  const std::vector<StoredEvent>& all() const { return events_; }

 private:
  std::vector<StoredEvent> events_;
};

std::string phone(int n) {
  char name[16];
  std::snprintf(name, sizeof name, "SEP0017943A98%02d", n);
  return name;
}

bool has_scope(const Incident& i, const std::string& type) {
  if (i.scope.type == type) return true;
  return std::any_of(i.also_scopes.begin(), i.also_scopes.end(),
                     [&](const Scope& s) { return s.type == type; });
}

TEST(BootStallDrops, BootStalledIsADropKind) {
  EXPECT_TRUE(DropRule::is_drop_kind(v1::BOOT_STALLED));
  const auto& names = DropRule::drop_kind_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "boot_stalled"), names.end());
  EXPECT_FALSE(DropRule::is_drop_kind(v1::BOOT_FILE_FETCHED));
  EXPECT_FALSE(DropRule::is_drop_kind(v1::TFTP_SERVER_UNANSWERED));
}

TEST(BootStallDrops, AStallReportIsTheSameDropUntilThePhoneRegistersWhateverMergeSays) {
  const DropRule rule(120);
  const int64_t start = kT0;
  const int64_t hour_later = start + 3600 * kSecond;
  // Any other report an hour on is a drop of its own; a stall report is the same drop.
  EXPECT_FALSE(rule.same_drop(start, -1, hour_later, v1::PHONE_UNREGISTERED));
  EXPECT_TRUE(rule.same_drop(start, -1, hour_later, v1::BOOT_STALLED));
  // Once the phone registered after the drop began, a stall is a new drop.
  EXPECT_FALSE(rule.same_drop(start, start + kSecond, hour_later, v1::BOOT_STALLED));

  PhoneDrops drops(rule);
  EXPECT_TRUE(drops.report(start, v1::PHONE_UNREGISTERED));
  EXPECT_FALSE(drops.report(start + 600 * kSecond, v1::BOOT_STALLED));   // loops at config
  EXPECT_FALSE(drops.report(start + 1200 * kSecond, v1::BOOT_STALLED));  // and again
  drops.registered(start + 1500 * kSecond);
  EXPECT_TRUE(drops.report(start + 1800 * kSecond, v1::BOOT_STALLED));
}

TEST(BootStallDrops, APhoneThatUnregisteredThenLoopsIsOneDropNotAFlap) {
  Events e;
  e.registered(phone(1), kT0 - 3600 * kSecond);
  e.unregistered(phone(1), kT0);
  for (int k = 1; k <= 4; ++k) e.stalled(phone(1), "config_loop", kT0 + k * 600 * kSecond);
  const auto drops = counted_drops(e.all());
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0], 2);  // the unregistration began it
}

// 12 phones of sw-3f, all looping at config download from one TFTP server.
Events config_loop_on_sw3f(const std::string& rule = "config_loop") {
  Events e;
  for (int n = 10; n < 22; ++n) {
    e.attach(phone(n), "sw-3f", kT0 - 7200 * kSecond);
    e.stalled(phone(n), rule, kT0 + n * kSecond);
    e.stalled(phone(n), rule, kT0 + (n + 300) * kSecond);  // reported again: the same drop
  }
  return e;
}

TEST(BootStallScopes, TheTftpServerIsLastSoPhysicalScopesWinTies) {
  EXPECT_EQ(scope_order("tftp_server"), 6);
  EXPECT_GT(scope_order("tftp_server"), scope_order("cluster"));
  const std::vector<Scope> holding = {
      {"tftp_server", "10.1.1.5"}, {"switch", "sw-3f"}, {"subnet", "10.88.3.0/24"}};
  // No cause naming a scope (a config loop): the switch.
  Cause loop;
  loop.kind = "boot_loop";
  EXPECT_EQ(choose_scope(holding, {loop}), (Scope{"switch", "sw-3f"}));
  // The server not answering is the top cause: its own scope.
  Cause dead;
  dead.kind = "tftp_unavailable";
  dead.scopes = {{"tftp_server", "10.1.1.5"}};
  EXPECT_EQ(choose_scope(holding, {dead, loop}), (Scope{"tftp_server", "10.1.1.5"}));
}

TEST(BootStallIncidents, ManyPhonesLoopingInOneSwitchAreOneSecurityIncident) {
  const Events e = config_loop_on_sw3f();
  const auto incidents = correlate(e.all());
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  EXPECT_EQ(i.phones.size(), 12u);
  EXPECT_EQ(i.incident_class, "security");  // config_loop's class
  EXPECT_TRUE(i.flapping.empty());
  ASSERT_EQ(i.boot_stalls.count("config_loop"), 1u);
  EXPECT_EQ(i.boot_stalls.at("config_loop").phones, 12u);
  // The same phones make the module, switch, VLAN, subnet and TFTP server bursts: the physical
  // scope names it, the server is only "also".
  EXPECT_EQ(i.scope.type, "module");
  EXPECT_TRUE(has_scope(i, "tftp_server"));
  ASSERT_FALSE(i.causes.empty());
  const Cause& top = i.causes[0];
  EXPECT_EQ(top.kind, "boot_loop");
  EXPECT_NE(top.explanation.find("12 phones on sw-3f/1 stuck at config download"),
            std::string::npos)
      << top.explanation;
  EXPECT_NE(top.explanation.find("2026-12-06 09:00 UTC"), std::string::npos) << top.explanation;
  EXPECT_EQ(top.remediation, domain::find_boot_rule("config_loop")->remediation);
  EXPECT_EQ(top.evidence.size(), 12u);  // each phone's latest stall report
}

TEST(BootStallIncidents, TheClassIsTheRules) {
  for (const domain::BootRule& rule : domain::boot_rules()) {
    const auto incidents = correlate(config_loop_on_sw3f(std::string(rule.name)).all());
    ASSERT_EQ(incidents.size(), 1u) << rule.name;
    EXPECT_EQ(incidents[0].incident_class, rule.incident_class) << rule.name;
    EXPECT_EQ(incidents[0].causes[0].remediation, rule.remediation) << rule.name;
  }
}

TEST(BootStallIncidents, PhonesOfManySwitchesStalledAtOneServerAreItsIncident) {
  // 12 phones on 12 switches (no switch holds enough) and two subnets: only the TFTP server
  // (and the cluster) hold them all.
  Events e;
  for (int n = 10; n < 22; ++n) {
    e.attach(phone(n), "sw-" + std::to_string(n), kT0 - 7200 * kSecond);
    e.stalled(phone(n), "tftp_unanswered", kT0 + n * kSecond, "10.1.1.5");
  }
  // A second server's stalled phones are not its.
  e.stalled(phone(40), "tftp_unanswered", kT0 + 5 * kSecond, "10.1.1.6");
  const auto incidents = correlate(e.all());
  ASSERT_FALSE(incidents.empty());
  const auto at_server = std::find_if(incidents.begin(), incidents.end(), [](const Incident& i) {
    return has_scope(i, "tftp_server");
  });
  ASSERT_NE(at_server, incidents.end());
  EXPECT_EQ(at_server->incident_class, "infrastructure");
  EXPECT_EQ(at_server->phones.size(), 12u);
}

TEST(BootStallIncidents, AnUnansweringTftpServerIsACauseBesideABurstOfUnregistrations) {
  Events e;
  for (int n = 10; n < 22; ++n) {
    e.attach(phone(n), "sw-3f", kT0 - 7200 * kSecond);
    e.registered(phone(n), kT0 - 3600 * kSecond);
    e.unregistered(phone(n), kT0 + n * kSecond);
  }
  // Four of them, booting again, ask 10.1.1.5 in vain: that ties the server to this burst.
  for (int n = 10; n < 14; ++n) e.stalled(phone(n), "tftp_unanswered", kT0 + (40 + n) * kSecond);
  e.tftp_down("10.1.1.5", kT0 + 15 * kSecond);
  e.tftp_down("10.1.1.9", kT0 + 16 * kSecond, /*resolved=*/true);  // answers again: no cause
  e.tftp_down("10.1.1.7", kT0 + 3600 * kSecond);                   // long after: no cause
  e.tftp_down("10.1.1.8", kT0 + 17 * kSecond);  // silent too, but none of these phones asked it
  e.tftp_down("10.1.1.6", kT0 - 60 * kSecond);  // silent before the burst...
  e.tftp_down("10.1.1.6", kT0 - 30 * kSecond, /*resolved=*/true);  // ... and answering again
  const auto incidents = correlate(e.all());
  ASSERT_EQ(incidents.size(), 1u);
  const auto& causes = incidents[0].causes;
  std::vector<std::string> subjects;
  for (const Cause& c : causes) {
    if (c.kind == "tftp_unavailable") subjects.push_back(c.subject);
  }
  ASSERT_EQ(subjects, std::vector<std::string>{"10.1.1.5"});
  const Cause& tftp = *std::find_if(causes.begin(), causes.end(),
                                    [](const Cause& c) { return c.kind == "tftp_unavailable"; });
  EXPECT_NE(tftp.explanation.find("TFTP server 10.1.1.5 not answering"), std::string::npos);
  EXPECT_NE(tftp.explanation.find("12 phones cannot re-register after the burst"),
            std::string::npos)
      << tftp.explanation;
  ASSERT_EQ(tftp.evidence.size(), 1u);
  EXPECT_EQ(e.all()[static_cast<size_t>(tftp.evidence[0] - 1)].event.kind(),
            v1::TFTP_SERVER_UNANSWERED);
  EXPECT_EQ(tftp.remediation, domain::find_boot_rule("tftp_unanswered")->remediation);
  // The burst stays where its phones hang off.
  EXPECT_EQ(incidents[0].scope.type, "module");
}

TEST(BootStallIncidents, PhonesStalledAtADeadServerAreReportedAtTheServer) {
  // The server's outage is the top cause, and it names the server's scope among those holding
  // exactly these phones.
  Events e;
  for (int n = 10; n < 22; ++n) {
    e.attach(phone(n), "sw-3f", kT0 - 7200 * kSecond);
    e.stalled(phone(n), "tftp_unanswered", kT0 + n * kSecond);
  }
  e.tftp_down("10.1.1.5", kT0 + 5 * kSecond);
  const auto incidents = correlate(e.all());
  ASSERT_EQ(incidents.size(), 1u);
  const Incident& i = incidents[0];
  EXPECT_EQ(i.causes[0].kind, "tftp_unavailable");
  EXPECT_EQ(i.scope.type, "tftp_server");
  EXPECT_EQ(i.scope.name, "10.1.1.5");
}

}  // namespace
}  // namespace regwatch::collector::correlate
