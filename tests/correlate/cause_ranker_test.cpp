// Cause ranking through correlate(), on small sites built from typed events: a candidate is
// weighed by the share of its own phones that dropped, not only by how much of the burst is
// behind it (the misses of the labelled corpus, docs/performance.md, issue 16).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "agent/syslog/event_classifier.h"
#include "collector/correlate/correlator.h"

namespace regwatch::collector::correlate {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kT0 = (1'795'132'800 + 9 * 3600) * kSecond;  // 2026-11-20T09:00:00Z

class Site {
 public:
  // A phone attached to switch_name's port (CDP, an hour before) and registered to cm_node.
  std::string phone(const std::string& switch_name, uint32_t module, uint32_t port,
                    const std::string& cm_node) {
    const std::string device = "SEP00AB00" + std::to_string(100000 + phones_++);
    v1::Event topo;
    topo.set_kind(v1::TOPOLOGY);
    topo.set_event_time_us(kT0 - 3600 * kSecond);
    topo.mutable_topology()->set_device(device);
    topo.mutable_topology()->set_switch_name(switch_name);
    topo.mutable_topology()->set_module(module);
    topo.mutable_topology()->set_port(port_name(module, port));
    add(topo);
    v1::Event reg;
    reg.set_kind(v1::PHONE_REGISTERED);
    reg.set_event_time_us(kT0 - 3000 * kSecond);
    reg.mutable_phone()->set_device_name(device);
    reg.mutable_phone()->set_cm_node(cm_node);
    add(reg);
    cm_of_[device] = cm_node;
    return device;
  }

  void drop(const std::string& device, int64_t at_us) {
    v1::Event e;
    e.set_kind(v1::PHONE_UNREGISTERED);
    e.set_event_time_us(at_us);
    e.mutable_phone()->set_device_name(device);
    e.mutable_phone()->set_cm_node(cm_of_.at(device));
    e.mutable_phone()->set_reason_code(13);
    add(e);
  }

  int64_t add(v1::Event e) {
    StoredEvent s;
    s.id = static_cast<int64_t>(events_.size()) + 1;
    e.set_agent_id("a");
    e.set_seq(static_cast<uint64_t>(s.id));
    s.event = std::move(e);
    events_.push_back(std::move(s));
    return events_.back().id;
  }

  static std::string port_name(uint32_t module, uint32_t port) {
    return "GigabitEthernet" + std::to_string(module) + "/0/" + std::to_string(port);
  }

  const std::vector<StoredEvent>& events() const { return events_; }

 private:
  std::vector<StoredEvent> events_;
  std::map<std::string, std::string> cm_of_;
  int phones_ = 0;
};

v1::Event cpu_pegging(const std::string& node, int64_t at_us) {
  v1::Event e;
  e.set_kind(v1::CPU_PEGGING);
  e.set_origin(node);
  e.set_event_time_us(at_us);
  e.mutable_rtmt_alert()->set_alert_name("CallProcessingNodeCpuPegging");
  e.mutable_rtmt_alert()->set_node(node);
  return e;
}

// The incident holding the phone, and its causes as "kind subject" best first.
std::vector<std::string> causes_of_incident_with(const std::vector<Incident>& incidents,
                                                 const std::string& phone) {
  for (const Incident& i : incidents) {
    if (std::find(i.phones.begin(), i.phones.end(), phone) == i.phones.end()) continue;
    std::vector<std::string> out;
    for (const Cause& c : i.causes) out.push_back(c.kind + " " + c.subject);
    return out;
  }
  return {};
}

// Scenario 083's shape: member 2 of sw-a fails, its 14 phones drop a minute later; 12 of them are
// on ucm-sub1, which pegs its CPU just before the drops, but ucm-sub1's 40 phones on sw-b stay
// registered. The member explains every dropped phone and all its phones dropped; the node
// explains most of the burst, but 40 of its 52 phones did not drop.
TEST(CauseRanker, ANodeWhoseOtherPhonesStayedUpRanksBelowTheMemberThatFailed) {
  Site site;
  std::vector<std::string> member2;
  for (uint32_t p = 1; p <= 12; ++p) site.phone("sw-a", 1, p, p % 2 ? "ucm-sub1" : "ucm-sub2");
  for (uint32_t p = 1; p <= 14; ++p)
    member2.push_back(site.phone("sw-a", 2, p, p <= 12 ? "ucm-sub1" : "ucm-sub2"));
  for (uint32_t p = 1; p <= 40; ++p) site.phone("sw-b", 1, p, "ucm-sub1");
  v1::Event removed;
  removed.set_kind(v1::STACK_MEMBER_REMOVED);
  removed.set_origin("sw-a");
  removed.set_event_time_us(kT0 - 60 * kSecond);
  removed.mutable_stack_member()->set_member(2);
  site.add(removed);
  site.add(cpu_pegging("ucm-sub1", kT0 - 3 * kSecond));
  for (size_t k = 0; k < member2.size(); ++k)
    site.drop(member2[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), member2.front());
  ASSERT_GE(causes.size(), 2u);
  EXPECT_EQ(causes[0], "module_failure sw-a member 2");
  EXPECT_EQ(causes[1], "cm_cpu ucm-sub1");
}

// Scenario 154's shape: member 1's PoE controller fails (faults on a few of its ports) and its
// 14 phones drop; member 2's 14 phones stay up. 12 of the dropped are on ucm-sub1, which pegs
// its CPU later, closer to the drops, but holds 40 more phones on sw-b that stayed up. A PoE
// fault stands for its port's member (its power controller), not the whole switch.
TEST(CauseRanker, APoeFaultStandsForItsMemberNotTheWholeSwitch) {
  Site site;
  std::vector<std::string> member1;
  for (uint32_t p = 1; p <= 14; ++p)
    member1.push_back(site.phone("sw-a", 1, p, p <= 12 ? "ucm-sub1" : "ucm-sub2"));
  for (uint32_t p = 1; p <= 14; ++p) site.phone("sw-a", 2, p, p % 2 ? "ucm-sub1" : "ucm-sub2");
  for (uint32_t p = 1; p <= 40; ++p) site.phone("sw-b", 1, p, "ucm-sub1");
  for (const char* port : {"Gi1/0/3", "Gi1/0/7", "Gi1/0/11"}) {
    v1::Event fault;
    fault.set_kind(v1::POE_FAULT);
    fault.set_origin("sw-a");
    fault.set_event_time_us(kT0 - 66 * kSecond);
    fault.mutable_interface()->set_interface(port);
    site.add(fault);
  }
  site.add(cpu_pegging("ucm-sub1", kT0 - 10 * kSecond));
  for (size_t k = 0; k < member1.size(); ++k)
    site.drop(member1[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), member1.front());
  ASSERT_GE(causes.size(), 4u);
  EXPECT_EQ(causes[0].rfind("poe_fault sw-a Gi1/0/", 0), 0u) << causes[0];
  EXPECT_EQ(causes[3], "cm_cpu ucm-sub1");
}

// Scenario 048's shape: ucm-sub2's heartbeat falls and its 20 phones, all on sw-c, drop. Half a
// minute before, an access port of sw-c takes errors; CDP says one phone is behind that port
// (on ucm-sub3), and it stayed registered. The port explains none of the burst.
TEST(CauseRanker, ErrorsOnAnAccessPortExplainOnlyThePhonesBehindThatPort) {
  Site site;
  std::vector<std::string> on_sub2;
  for (uint32_t p = 1; p <= 20; ++p) on_sub2.push_back(site.phone("sw-c", 1, p, "ucm-sub2"));
  site.phone("sw-c", 1, 21, "ucm-sub3");
  v1::Event heartbeat;
  heartbeat.set_kind(v1::HEARTBEAT_LOW);
  heartbeat.set_origin("ucm-sub2");
  heartbeat.set_event_time_us(kT0 - 70 * kSecond);
  heartbeat.mutable_heartbeat()->set_node("ucm-sub2");
  heartbeat.mutable_heartbeat()->set_rate_per_minute(15);
  site.add(heartbeat);
  v1::Event errors;
  errors.set_kind(v1::INTERFACE_ERRORS);
  errors.set_origin("sw-c");
  errors.set_event_time_us(kT0 - 40 * kSecond);
  errors.mutable_interface_counters()->set_interface(Site::port_name(1, 21));
  errors.mutable_interface_counters()->set_in_errors(395);
  site.add(errors);
  for (size_t k = 0; k < on_sub2.size(); ++k)
    site.drop(on_sub2[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), on_sub2.front());
  ASSERT_FALSE(causes.empty());
  EXPECT_EQ(causes[0], "heartbeat_low ucm-sub2");
  EXPECT_EQ(std::count(causes.begin(), causes.end(), "nic_errors sw-c " + Site::port_name(1, 21)),
            0);
}

// Scenario 048 itself: the errors are on Gi1/0/17 of a member whose phones CDP sees on
// Gi1/0/1-12. No phone is known on Gi1/0/17, but it is one of the member's front-panel ports,
// not its uplink: it explains no phone.
TEST(CauseRanker, ErrorsOnAnAccessPortWithoutAKnownPhoneExplainNothing) {
  Site site;
  std::vector<std::string> on_sub2;
  for (uint32_t p = 1; p <= 12; ++p) on_sub2.push_back(site.phone("sw-c", 1, p, "ucm-sub2"));
  v1::Event heartbeat;
  heartbeat.set_kind(v1::HEARTBEAT_LOW);
  heartbeat.set_origin("ucm-sub2");
  heartbeat.set_event_time_us(kT0 - 70 * kSecond);
  heartbeat.mutable_heartbeat()->set_node("ucm-sub2");
  heartbeat.mutable_heartbeat()->set_rate_per_minute(15);
  site.add(heartbeat);
  v1::Event errors;
  errors.set_kind(v1::INTERFACE_ERRORS);
  errors.set_origin("sw-c");
  errors.set_event_time_us(kT0 - 40 * kSecond);
  errors.mutable_interface_counters()->set_interface(Site::port_name(1, 17));
  errors.mutable_interface_counters()->set_in_errors(395);
  site.add(errors);
  for (size_t k = 0; k < on_sub2.size(); ++k)
    site.drop(on_sub2[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), on_sub2.front());
  ASSERT_EQ(causes, std::vector<std::string>{"heartbeat_low ucm-sub2"});
}

// Scenario 231's shape: every phone of sw-d is on ucm-sub3 and every one dropped, so the phones
// cannot tell the switch's uplink going down from the node pegging its CPU ten seconds before.
// The uplink (a port unlike the phones', Te1/1/1) stands for the whole switch, not for 0.8 of
// it, and the event closer to the first drop ranks first.
TEST(CauseRanker, AnUplinkDownStandsForItsWholeSwitch) {
  Site site;
  std::vector<std::string> phones;
  for (uint32_t p = 1; p <= 20; ++p) phones.push_back(site.phone("sw-d", 1, p, "ucm-sub3"));
  for (uint32_t p = 1; p <= 20; ++p) site.phone("sw-e", 1, p, "ucm-sub1");
  site.add(cpu_pegging("ucm-sub3", kT0 - 41 * kSecond));
  v1::Event down;
  down.set_kind(v1::LINK_DOWN);
  down.set_origin("sw-d");
  down.set_event_time_us(kT0 - 31 * kSecond);
  down.mutable_interface()->set_interface("TenGigabitEthernet1/1/1");
  site.add(down);
  for (size_t k = 0; k < phones.size(); ++k)
    site.drop(phones[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), phones.front());
  ASSERT_EQ(causes, (std::vector<std::string>{"link_down sw-d TenGigabitEthernet1/1/1",
                                              "cm_cpu ucm-sub3"}));
}

// The same errors on a port where CDP sees no phone (the uplink, by its short ifName) still
// explain the switch's phones: nothing says the port is an access port.
TEST(CauseRanker, ErrorsOnAPortWithoutPhonesExplainTheSwitch) {
  Site site;
  std::vector<std::string> phones;
  for (uint32_t p = 1; p <= 20; ++p)
    phones.push_back(site.phone("sw-c", 1, p, p % 2 ? "ucm-sub1" : "ucm-sub2"));
  v1::Event errors;
  errors.set_kind(v1::INTERFACE_ERRORS);
  errors.set_origin("sw-c");
  errors.set_event_time_us(kT0 - 20 * kSecond);
  errors.mutable_interface_counters()->set_interface("Te1/1/1");
  errors.mutable_interface_counters()->set_in_errors(5000);
  site.add(errors);
  for (size_t k = 0; k < phones.size(); ++k)
    site.drop(phones[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), phones.front());
  ASSERT_FALSE(causes.empty());
  EXPECT_EQ(causes[0], "nic_errors sw-c Te1/1/1");
}

// A link flap on an access port whose phone is not in the burst explains none of it either.
TEST(CauseRanker, AFlapOnAnAccessPortWhosePhoneStayedUpIsNoCandidate) {
  Site site;
  std::vector<std::string> on_sub2;
  for (uint32_t p = 1; p <= 20; ++p) on_sub2.push_back(site.phone("sw-c", 1, p, "ucm-sub2"));
  site.phone("sw-c", 1, 21, "ucm-sub3");
  site.add(cpu_pegging("ucm-sub2", kT0 - 90 * kSecond));
  v1::Event down;
  down.set_kind(v1::LINK_DOWN);
  down.set_origin("sw-c");
  down.set_event_time_us(kT0 - 5 * kSecond);
  down.mutable_interface()->set_interface(Site::port_name(1, 21));
  site.add(down);
  for (size_t k = 0; k < on_sub2.size(); ++k)
    site.drop(on_sub2[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), on_sub2.front());
  ASSERT_EQ(causes, std::vector<std::string>{"cm_cpu ucm-sub2"});
}

// A syslog line's event, as the agent's classifier types it, from `host`.
v1::Event from_syslog(std::string_view app, std::string_view mnemonic, std::string_view text,
                      const agent::syslog::Tags& tags, const std::string& host, int64_t at_us) {
  v1::Event e;
  agent::syslog::classify_message(agent::syslog::MessageParts{app, mnemonic, tags, text}, e);
  e.set_origin(host);
  e.set_event_time_us(at_us);
  return e;
}

// A switch logs %SYS-1-CPURISINGTHRESHOLD (issue 21) and its phones drop: switch_cpu names it.
TEST(CauseRanker, ASwitchsOwnCpuThresholdLineIsTheSwitchCpuCause) {
  Site site;
  std::vector<std::string> on_a;
  for (uint32_t p = 1; p <= 12; ++p) on_a.push_back(site.phone("sw-a", 1, p, "ucm-sub1"));
  for (uint32_t p = 1; p <= 12; ++p) site.phone("sw-b", 1, p, "ucm-sub1");
  const v1::Event cpu = from_syslog("SYS", "CPURISINGTHRESHOLD",
                                    "Threshold: Total CPU Utilization(Total/Intr): 98%/40%, Top 3 "
                                    "processes(Pid/Util): 91/75%, 2/0%, 51/0%",
                                    {}, "sw-a", kT0 - 20 * kSecond);
  ASSERT_EQ(cpu.kind(), v1::CPU_HIGH);
  site.add(cpu);
  for (size_t k = 0; k < on_a.size(); ++k)
    site.drop(on_a[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), on_a.front());
  ASSERT_FALSE(causes.empty());
  EXPECT_EQ(causes[0], "switch_cpu sw-a");
}

// CUCM's ServiceStopped for the CallManager service on ucm-sub1, logged through the publisher's
// syslog: the restart is on the node the alarm names, not on the host that relayed it.
TEST(CauseRanker, ACallManagerServiceStopIsARestartOfTheNodeItNames) {
  Site site;
  std::vector<std::string> on_sub1;
  for (uint32_t p = 1; p <= 12; ++p) on_sub1.push_back(site.phone("sw-a", 1, p, "ucm-sub1"));
  for (uint32_t p = 13; p <= 24; ++p) site.phone("sw-a", 1, p, "ucm-sub2");
  const agent::syslog::Tags tags = {{"ServiceName", "Cisco CallManager"}, {"NodeID", "ucm-sub1"}};
  site.add(from_syslog("UC_SERVICEMANAGER", "ServiceStopped", "Service stopped.", tags, "ucm-pub",
                       kT0 - 5 * kSecond));
  for (size_t k = 0; k < on_sub1.size(); ++k)
    site.drop(on_sub1[k], kT0 + static_cast<int64_t>(k) * kSecond);

  const auto causes = causes_of_incident_with(correlate(site.events()), on_sub1.front());
  ASSERT_FALSE(causes.empty());
  EXPECT_EQ(causes[0], "cm_restart ucm-sub1");
}

// An administrator resets a device pool; its phones unregister with CallManagerReset (9).
TEST(CauseRanker, ADevicePoolResetIsPlannedEvidenceOnItsNode) {
  Site site;
  std::vector<std::string> pool;
  for (uint32_t p = 1; p <= 12; ++p) pool.push_back(site.phone("sw-a", 1, p, "ucm-sub1"));
  const agent::syslog::Tags tags = {{"DevicePoolName", "DP-3F"}, {"NodeID", "ucm-sub1"}};
  site.add(from_syslog("UC_CALLMANAGER", "DevicePoolReset", "Device pool reset", tags, "ucm-sub1",
                       kT0 - 5 * kSecond));
  for (size_t k = 0; k < pool.size(); ++k) {
    v1::Event e;
    e.set_kind(v1::PHONE_UNREGISTERED);
    e.set_event_time_us(kT0 + static_cast<int64_t>(k) * kSecond);
    e.mutable_phone()->set_device_name(pool[k]);
    e.mutable_phone()->set_cm_node("ucm-sub1");
    e.mutable_phone()->set_reason_code(9);
    site.add(e);
  }

  const auto causes = causes_of_incident_with(correlate(site.events()), pool.front());
  EXPECT_NE(std::find(causes.begin(), causes.end(), "planned_change ucm-sub1"), causes.end())
      << ::testing::PrintToString(causes);
}

// An SVL pair's second member pegs its CPU just before the phones on the switch drop: the
// switch_cpu cause names that member (the busiest CPU), so the engineer knows where to look.
TEST(CauseRanker, ASwitchCpuCauseNamesTheBusiestMember) {
  Site site;
  std::vector<std::string> phones;
  for (uint32_t p = 1; p <= 16; ++p) phones.push_back(site.phone("sw-svl", 1, p, "ucm-sub1"));
  v1::Event high;
  high.set_kind(v1::CPU_HIGH);
  high.set_origin("sw-svl");
  high.set_event_time_us(kT0 - 20 * kSecond);
  auto* cpu = high.mutable_cpu();
  cpu->set_role("switch");
  cpu->set_percent(55);
  cpu->set_max_percent(99);
  cpu->set_peak_percent(99);
  cpu->set_busiest("Switch 2 - CPU");
  cpu->add_members()->set_name("Switch 1 - CPU");
  cpu->mutable_members(0)->set_percent(11);
  cpu->add_members()->set_name("Switch 2 - CPU");
  cpu->mutable_members(1)->set_percent(99);
  site.add(high);
  for (size_t k = 0; k < phones.size(); ++k)
    site.drop(phones[k], kT0 + static_cast<int64_t>(k) * kSecond);

  bool found = false;
  for (const Incident& incident : correlate(site.events())) {
    for (const Cause& cause : incident.causes) {
      if (cause.kind != "switch_cpu") continue;
      found = true;
      EXPECT_NE(cause.explanation.find("busiest Switch 2 - CPU at 99 %"), std::string::npos)
          << cause.explanation;
    }
  }
  EXPECT_TRUE(found) << "no switch_cpu cause";
}

}  // namespace
}  // namespace regwatch::collector::correlate
