// The HTTP JSON API against the gRPC path it shares its server-side code with (issue 19): the
// NOC dashboard's three questions (the open incidents, one incident's postmortem view, one
// phone's explain and timeline) asked of one in-process collector, both ways, request by
// request alternately, on a large history (default 10 million events) with 1,000 open
// incidents. Both transports run the same QueryService reads on the same workers, so the
// difference is HTTP's framing and the JSON rendering (common/reports/); the bench also times
// that rendering alone on the gRPC replies, so the table says how much of the gap it is.
// Also times the dashboard's first screen: GET / (and what the page names) plus the list.
//
// Usage: http_api_bench [--rows N] [--db PATH (kept if given; reused if it exists)]
//                       [--requests N (per query and path, default 300)]
//                       [--build-only (fill --db and stop: build the big history ahead of a run)]
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/ingest/bare_insert.h"
#include "collector/app/collector_server.h"
#include "collector/store/incident_store.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/reports/explain_report.h"
#include "common/reports/incident_report.h"
#include "common/reports/silence_report.h"
#include "regwatch/v1/query.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = regwatch::v1;

constexpr int64_t kStepUs = 50'000;  // one event per 50 ms: 10 M events span about 6 days
constexpr int64_t kMinuteUs = 60'000'000;
constexpr uint64_t kPhones = 50'000;
constexpr uint64_t kPhonesPerSwitch = 192;  // a stack of four 48-port members
constexpr uint64_t kSwitches = (kPhones + kPhonesPerSwitch - 1) / kPhonesPerSwitch;
constexpr int kIncidents = 1000;
constexpr int kCmNodes = 4;

// ---- The fleet: where each phone is, so drops, topology and incidents agree. ----

std::string phone_name(uint64_t p) {
  char name[32];
  std::snprintf(name, sizeof name, "SEP%012llX",
                0x001794000000ULL + static_cast<unsigned long long>(p));
  return name;
}
uint64_t switch_of(uint64_t p) {
  return p / kPhonesPerSwitch;
}
std::string switch_name(uint64_t s) {
  char name[32];
  std::snprintf(name, sizeof name, "sw-%03llu-access", static_cast<unsigned long long>(s));
  return name;
}
uint32_t member_of(uint64_t p) {
  return static_cast<uint32_t>(p % kPhonesPerSwitch / 48 + 1);
}
std::string port_of(uint64_t p) {
  return "GigabitEthernet" + std::to_string(member_of(p)) + "/0/" + std::to_string(p % 48 + 1);
}
// Phones register to their switch's CM node group, as a site's device pools do.
std::string cm_of_switch(uint64_t s) {
  return "ucm-sub" + std::to_string(s % kCmNodes + 1);
}
uint32_t vlan_of_switch(uint64_t s) {
  return static_cast<uint32_t>(200 + s / 2);
}
std::string ip_of(uint64_t p) {
  const uint64_t s = switch_of(p);
  return "10." + std::to_string(20 + (s >> 8)) + "." + std::to_string(s & 255) + "." +
         std::to_string(p % kPhonesPerSwitch + 10);
}

// ---- The plan: the 1,000 incidents, each a block of consecutive events in the history. ----

struct CauseEvent {
  v1::EventKind kind;
  std::string origin;
  std::string subject;  // interface, member or node
};
struct CausePlan {
  std::string kind;
  std::string subject;
  double score;
  std::string explanation;
  std::string remediation;
  std::vector<size_t> events;  // indexes into IncidentPlan::cause_events
};
struct IncidentPlan {
  std::string scope_type, scope_name;
  std::vector<uint64_t> phones;  // in drop order
  std::vector<CauseEvent> cause_events;
  std::vector<CausePlan> causes;
  std::vector<std::pair<std::string, std::string>> also_scopes;
  uint64_t first_index = 0;  // the block: cause events, then one drop per phone
  uint64_t block_size() const { return cause_events.size() + phones.size(); }
};

// Opened incidents across the second half of the history: at 10 M, one every 4 minutes, and a
// phone's explain finds about 80 of them within its 6-hour lookback (it reads up to 100).
std::vector<IncidentPlan> plan_incidents(uint64_t rows) {
  std::vector<IncidentPlan> plans;
  const uint64_t spacing = rows / 2 / kIncidents;
  // A block must fit in its slot; with a small --rows the bursts are cut shorter.
  const uint64_t room = spacing / 2;
  for (int k = 0; k < kIncidents; ++k) {
    IncidentPlan plan;
    const uint64_t s = (static_cast<uint64_t>(k) * 37) % (kSwitches - 4);
    const uint64_t base = s * kPhonesPerSwitch;
    const int shape = k % 20;
    if (shape < 10) {  // a stack member dropped out: its 48 phones
      const uint32_t member = static_cast<uint32_t>(k % 4 + 1);
      plan.scope_type = "module";
      plan.scope_name = switch_name(s) + "/" + std::to_string(member);
      for (uint64_t p = base + (member - 1) * 48; p < base + member * 48; ++p)
        plan.phones.push_back(p);
      plan.cause_events = {{v1::STACK_MEMBER_REMOVED, switch_name(s), std::to_string(member)},
                           {v1::LINK_DOWN, switch_name(s), "TenGigabitEthernet1/1/1"}};
      plan.causes = {{"module_failure",
                      switch_name(s) + " member " + std::to_string(member),
                      0.94,
                      "stack member " + std::to_string(member) + " of " + switch_name(s) +
                          " was removed 2 s before the first drop; every phone behind it dropped",
                      "check the stack member / module that dropped out (power, stack cables)",
                      {0}},
                     {"link_down",
                      switch_name(s) + " TenGigabitEthernet1/1/1",
                      0.31,
                      "uplink TenGigabitEthernet1/1/1 went down 1 s before the first drop",
                      "check the link that went down (cable, uplink, err-disable cause)",
                      {1}}};
    } else if (shape < 16) {  // a whole switch lost its uplink
      plan.scope_type = "switch";
      plan.scope_name = switch_name(s);
      for (uint64_t p = base; p < base + 120; ++p) plan.phones.push_back(p);
      plan.cause_events = {{v1::LINK_DOWN, switch_name(s), "TenGigabitEthernet1/1/1"},
                           {v1::LINK_DOWN, switch_name(s), "TenGigabitEthernet2/1/1"},
                           {v1::CPU_HIGH, switch_name(s), "cpu"}};
      plan.causes = {{"link_down",
                      switch_name(s) + " TenGigabitEthernet1/1/1",
                      0.88,
                      "both uplinks of " + switch_name(s) +
                          " went down within 1 s, 2 s before "
                          "the first drop; 120 of its 192 phones dropped",
                      "check the link that went down (cable, uplink, err-disable cause)",
                      {0, 1}},
                     {"switch_cpu",
                      switch_name(s),
                      0.41,
                      "CPU of " + switch_name(s) + " at 97 % for 40 s around the drops",
                      "check the switch's CPU (show processes cpu sorted) and control-plane storms",
                      {2}}};
    } else if (shape < 19) {  // a VLAN across two switches: errors on the distribution link
      plan.scope_type = "vlan";
      plan.scope_name = std::to_string(vlan_of_switch(s));
      const uint64_t pair = s - s % 2;
      for (uint64_t p = pair * kPhonesPerSwitch; p < pair * kPhonesPerSwitch + 40; ++p)
        plan.phones.push_back(p);
      for (uint64_t p = (pair + 1) * kPhonesPerSwitch; p < (pair + 1) * kPhonesPerSwitch + 40; ++p)
        plan.phones.push_back(p);
      plan.cause_events = {{v1::INTERFACE_ERRORS, "dist-1",
                            "TenGigabitEthernet1/0/" + std::to_string(pair % 24 + 1)},
                           {v1::INTERFACE_ERRORS, "dist-1",
                            "TenGigabitEthernet1/0/" + std::to_string(pair % 24 + 1)}};
      plan.causes = {{"nic_errors",
                      "dist-1 TenGigabitEthernet1/0/" + std::to_string(pair % 24 + 1),
                      0.72,
                      "12,400 FCS errors in two polls on the link carrying VLAN " +
                          plan.scope_name + ", the minute of the drops",
                      "replace the cable or check the NIC / switch port (duplex, errors)",
                      {0, 1}},
                     {"unknown",
                      "",
                      0.1,
                      "no CPU, latency, interface, link or restart evidence in the lookback window",
                      "look at the phones' own logs and the network between them and the CM",
                      {}}};
      plan.also_scopes = {{"switch", switch_name(pair)}, {"switch", switch_name(pair + 1)}};
    } else {  // a CM node starved: every phone of two of its switches (s and s + 4)
      const std::string cm = cm_of_switch(s);
      plan.scope_type = "cm_node";
      plan.scope_name = cm;
      for (uint64_t p = base; p < base + kPhonesPerSwitch; ++p) plan.phones.push_back(p);
      for (uint64_t p = base + 4 * kPhonesPerSwitch; p < base + 5 * kPhonesPerSwitch; ++p)
        plan.phones.push_back(p);
      plan.cause_events = {{v1::CPU_HIGH, cm, "cpu"},
                           {v1::HEARTBEAT_LOW, cm, "Call Manager"},
                           {v1::CODE_YELLOW, cm, "CodeYellowEntry"}};
      plan.causes = {{"cm_cpu",
                      cm,
                      0.9,
                      cm + ": CPU at 98 % for 3 min before the drops (RTMT CallProcessingNodeCpu"
                           "Pegging); 384 of its phones dropped with KeepAliveTimeout",
                      "find the process hogging the CUCM node's CPU (RTMT, 'show process load'); "
                      "virus scans and backups on the node are the usual suspects",
                      {0, 2}},
                     {"heartbeat_low",
                      cm,
                      0.62,
                      "CallManager heartbeat at 9/min (threshold 24) 30 s before the drops",
                      "the CallManager service is starved: check the node's CPU and memory",
                      {1}}};
    }
    const uint64_t fit = room > plan.cause_events.size() ? room - plan.cause_events.size() : 1;
    if (plan.phones.size() > fit) plan.phones.resize(fit);
    plan.first_index = rows / 2 + static_cast<uint64_t>(k) * spacing + spacing / 4;
    plans.push_back(std::move(plan));
  }
  return plans;
}

// What the event at history index i is: part of an incident's block, or the background.
struct Slot {
  const IncidentPlan* incident = nullptr;
  uint64_t offset = 0;  // within the block
};
Slot slot_of(const std::vector<IncidentPlan>& plans, uint64_t rows, uint64_t i) {
  if (i < rows / 2) return {};
  const uint64_t spacing = rows / 2 / kIncidents;
  const uint64_t k = (i - rows / 2) / spacing;
  if (k >= plans.size()) return {};
  const auto& plan = plans[k];
  if (i < plan.first_index || i >= plan.first_index + plan.block_size()) return {};
  return {&plan, i - plan.first_index};
}

// ---- The events, as agents would have sent them (raw lines as the devices write them). ----

void add_tag(v1::Event& e, const char* key, const std::string& value) {
  auto* tag = e.mutable_syslog()->add_tags();
  tag->set_key(key);
  tag->set_value(value);
}

void phone_event(v1::Event& e, uint64_t p, bool dropped, int32_t reason) {
  const uint64_t s = switch_of(p);
  const std::string cm = cm_of_switch(s);
  e.set_agent_id("agent-dc1");
  e.set_origin(cm);
  e.set_source(v1::SOURCE_SYSLOG);
  e.set_kind(dropped ? v1::PHONE_UNREGISTERED : v1::PHONE_REGISTERED);
  auto* phone = e.mutable_phone();
  phone->set_device_name(phone_name(p));
  phone->set_ip(ip_of(p));
  phone->set_protocol("SCCP");
  phone->set_device_type(434);
  phone->set_device_type_name("Cisco 8841");
  phone->set_description("Desk " + std::to_string(p % 1000) + " floor " + std::to_string(s % 9));
  phone->set_cm_node(cm);
  phone->set_cluster("CUCM-HQ");
  const char* alarm = dropped ? "EndPointUnregistered" : "EndPointRegistered";
  phone->set_alarm(alarm);
  if (dropped) {
    phone->set_reason_code(reason);
    phone->set_reason(reason == 13 ? "KeepAliveTimeout" : "DeviceInitiatedReset");
    phone->set_last_signal(reason == 13 ? "KeepAlive" : "StationUnregister");
  }
  auto* syslog = e.mutable_syslog();
  syslog->set_facility(23);
  syslog->set_severity(dropped ? 4 : 6);
  syslog->set_app("UC_CALLMANAGER");
  syslog->set_mnemonic(alarm);
  syslog->set_host(cm);
  add_tag(e, "DeviceName", phone->device_name());
  add_tag(e, "IPAddress", phone->ip());
  add_tag(e, "Protocol", "SCCP");
  add_tag(e, "DeviceType", "434");
  add_tag(e, "Description", phone->description());
  if (dropped) add_tag(e, "Reason", std::to_string(reason));
  add_tag(e, "NodeID", cm);
  add_tag(e, "ClusterID", "CUCM-HQ");
  e.set_raw("<" + std::to_string(dropped ? 188 : 190) + ">" + std::to_string(e.seq()) + ": " + cm +
            ": Dec 06 2026 10:00:00.000 UTC :  %UC_CALLMANAGER-" + (dropped ? "4" : "6") + "-" +
            alarm + ": %[DeviceName=" + phone->device_name() + "][IPAddress=" + phone->ip() +
            "][Protocol=SCCP][DeviceType=434][Description=" + phone->description() + "]" +
            (dropped ? "[Reason=" + std::to_string(reason) + "]" : "") +
            "[AppID=Cisco CallManager][ClusterID=CUCM-HQ][NodeID=" + cm +
            "]: " + (dropped ? "Endpoint unregistered" : "Endpoint registered"));
}

void topology_event(v1::Event& e, uint64_t p) {
  const uint64_t s = switch_of(p);
  e.set_agent_id("agent-dc1");
  e.set_origin(switch_name(s));
  e.set_source(v1::SOURCE_SNMP_POLL);
  e.set_kind(v1::TOPOLOGY);
  auto* t = e.mutable_topology();
  t->set_device(phone_name(p));
  t->set_switch_name(switch_name(s));
  t->set_port(port_of(p));
  t->set_if_index(static_cast<uint32_t>(10100 + p % kPhonesPerSwitch));
  t->set_module(member_of(p));
  t->set_voice_vlan(vlan_of_switch(s));
  t->set_native_vlan(10);
  t->set_platform("Cisco IP Phone 8841");
  t->set_address(ip_of(p));
  t->set_protocol("cdp");
}

void cause_event(v1::Event& e, const CauseEvent& c) {
  e.set_agent_id("agent-dc1");
  e.set_origin(c.origin);
  e.set_kind(c.kind);
  switch (c.kind) {
    case v1::LINK_DOWN:
    case v1::LINK_UP: {
      const std::string state = c.kind == v1::LINK_UP ? "up" : "down";
      e.set_source(v1::SOURCE_SYSLOG);
      e.mutable_interface()->set_interface(c.subject);
      e.mutable_interface()->set_state(state);
      e.set_raw("<187>4711: " + c.origin + ": Dec  6 10:00:00.000 UTC: %LINK-3-UPDOWN: Interface " +
                c.subject + ", changed state to " + state);
      break;
    }
    case v1::STACK_MEMBER_REMOVED:
      e.set_source(v1::SOURCE_SYSLOG);
      e.mutable_stack_member()->set_member(static_cast<uint32_t>(std::stoul(c.subject)));
      e.set_raw("<186>4712: " + c.origin +
                ": Dec  6 10:00:00.000 UTC: %STACKMGR-4-SWITCH_REMOVED: " + "Switch " + c.subject +
                " has been removed from the stack.");
      break;
    case v1::INTERFACE_ERRORS: {
      e.set_source(v1::SOURCE_SNMP_POLL);
      auto* counters = e.mutable_interface_counters();
      counters->set_interface(c.subject);
      counters->set_in_errors(6200);
      counters->set_fcs_errors(6200);
      counters->set_interval_s(30);
      break;
    }
    case v1::HEARTBEAT_LOW:
      e.set_source(v1::SOURCE_SYSLOG);
      e.mutable_heartbeat()->set_rate_per_minute(9);
      e.mutable_heartbeat()->set_threshold_per_minute(24);
      e.mutable_heartbeat()->set_node(c.origin);
      e.mutable_heartbeat()->set_service(c.subject);
      e.set_raw("<187>: " + c.origin +
                ": %UC_CALLMANAGER-3-LowCallManagerHeartbeatRate: "
                "%[HeartBeatRate=9][Threshold=24][NodeID=" +
                c.origin + "]");
      break;
    case v1::CODE_YELLOW:
      e.set_source(v1::SOURCE_SYSLOG);
      e.mutable_rtmt_alert()->set_alert_name(c.subject);
      e.mutable_rtmt_alert()->set_node(c.origin);
      e.set_raw("<185>: " + c.origin + ": %UC_CALLMANAGER-1-CodeYellowEntry: %[NodeID=" + c.origin +
                "]");
      break;
    default:  // CPU_HIGH
      e.set_source(v1::SOURCE_SNMP_POLL);
      e.mutable_cpu()->set_percent(97);
      e.mutable_cpu()->set_max_percent(99);
      e.mutable_cpu()->set_cpus(4);
      e.mutable_cpu()->set_role(c.origin.starts_with("ucm") ? "cucm" : "switch");
      e.mutable_cpu()->set_threshold_percent(90);
      e.mutable_cpu()->set_peak_percent(99);
      break;
  }
}

v1::Event make_event(const std::vector<IncidentPlan>& plans, uint64_t rows, int64_t start_us,
                     uint64_t i) {
  v1::Event e;
  e.set_seq(i + 1);
  e.set_event_time_us(start_us + static_cast<int64_t>(i) * kStepUs);
  e.set_receive_time_us(e.event_time_us() + 40'000);
  if (const Slot slot = slot_of(plans, rows, i); slot.incident) {
    const auto& plan = *slot.incident;
    if (slot.offset < plan.cause_events.size()) {
      cause_event(e, plan.cause_events[slot.offset]);
    } else {
      phone_event(e, plan.phones[slot.offset - plan.cause_events.size()], true, 13);
    }
    e.set_seq(i + 1);
    return e;
  }
  // Every phone's CDP sighting first (the agents' first SNMP round), then the churn: most
  // events a phone's own (dropping, registering again), some switch and CM node noise.
  if (i < kPhones && i < rows / 10) {
    topology_event(e, i);
  } else if (i % 10 == 0) {
    const uint64_t s = (i / 10) % kSwitches;
    cause_event(e, {(i / 10) % 2 ? v1::LINK_UP : v1::LINK_DOWN, switch_name(s),
                    "GigabitEthernet1/0/" + std::to_string(i % 48 + 1)});
  } else if (i % 10 == 1) {
    e.set_agent_id("agent-dc1");
    e.set_origin(cm_of_switch(i / 10));
    e.set_source(v1::SOURCE_SNMP_POLL);
    e.set_kind(v1::CPU_SAMPLE);
    e.mutable_cpu()->set_percent(static_cast<double>(20 + i % 30));
    e.mutable_cpu()->set_cpus(4);
    e.mutable_cpu()->set_role("cucm");
  } else {
    // The k-th phone event goes to phone k mod 50,000; each phone alternates drop, register.
    const uint64_t k = i / 10 * 8 + (i % 10 - 2);
    phone_event(e, k % kPhones, (k / kPhones) % 2 == 0, k % 3 ? 13 : 8);
  }
  e.set_seq(i + 1);
  return e;
}

// The event at index i has id i + 1: the database is filled from empty, one row per event,
// in order (INTEGER PRIMARY KEY). check_evidence() verifies it before anything is timed.
int64_t id_of(uint64_t i) {
  return static_cast<int64_t>(i) + 1;
}

std::string incident_id(const IncidentPlan& plan, int64_t start_us) {
  return plan.scope_type + ":" + plan.scope_name + "@" +
         std::to_string(start_us + static_cast<int64_t>(plan.first_index) * kStepUs);
}

// The stored row, as correlation would write it; `upto` phones of the burst so far.
regwatch::collector::store::IncidentRow incident_row(const IncidentPlan& plan, int64_t start_us,
                                                     size_t upto) {
  regwatch::collector::store::IncidentRow row;
  const uint64_t drops = plan.first_index + plan.cause_events.size();
  row.id = incident_id(plan, start_us);
  row.state = v1::INCIDENT_STATE_OPEN;
  row.incident_class = "infrastructure";
  row.scope_type = plan.scope_type;
  row.scope_name = plan.scope_name;
  row.start_time_us = start_us + static_cast<int64_t>(plan.first_index) * kStepUs;
  row.end_time_us = start_us + static_cast<int64_t>(drops + upto - 1) * kStepUs;
  row.phone_count = static_cast<uint32_t>(upto);
  row.top_cause = plan.causes.front().kind;
  auto& r = row.record;
  r.set_id(row.id);
  r.set_state(v1::INCIDENT_STATE_OPEN);
  r.set_incident_class(row.incident_class);
  r.mutable_scope()->set_type(row.scope_type);
  r.mutable_scope()->set_name(row.scope_name);
  for (const auto& [type, name] : plan.also_scopes) {
    auto* also = r.add_also_scopes();
    also->set_type(type);
    also->set_name(name);
  }
  r.set_start_us(row.start_time_us);
  r.set_end_us(row.end_time_us);
  std::map<std::string, uint32_t> by_cm, by_switch;
  for (size_t n = 0; n < upto; ++n) {
    const uint64_t p = plan.phones[n];
    row.phones.push_back(phone_name(p));
    ++by_cm[cm_of_switch(switch_of(p))];
    ++by_switch[switch_name(switch_of(p))];
    r.add_drop_evidence(id_of(drops + n));
  }
  std::sort(row.phones.begin(), row.phones.end());
  for (const auto& name : row.phones) {
    r.add_phones(name);
    r.add_still_down(name);  // open: none back yet
  }
  r.mutable_phones_by_cm()->insert(by_cm.begin(), by_cm.end());
  r.mutable_phones_by_switch()->insert(by_switch.begin(), by_switch.end());
  (*r.mutable_phones_by_cluster())["CUCM-HQ"] = static_cast<uint32_t>(upto);
  auto* reason = r.add_reasons();
  reason->set_code(13);
  reason->set_phones(static_cast<uint32_t>(upto));
  for (const auto& c : plan.causes) {
    auto* cause = r.add_causes();
    cause->set_kind(c.kind);
    cause->set_subject(c.subject);
    cause->set_score(c.score);
    cause->set_explanation(c.explanation);
    cause->set_remediation(c.remediation);
    for (size_t e : c.events) cause->add_evidence(id_of(plan.first_index + e));
  }
  return row;
}

bool build_store(const std::string& path, uint64_t rows, int64_t start_us,
                 const std::vector<IncidentPlan>& plans) {
  std::printf("http_api_bench: inserting %llu events into %s ...\n",
              static_cast<unsigned long long>(rows), path.c_str());
  const auto start = Clock::now();
  const uint64_t chunk = 200'000;
  for (uint64_t base = 0; base < rows; base += chunk) {
    std::vector<v1::Event> events;
    for (uint64_t i = base; i < std::min(rows, base + chunk); ++i)
      events.push_back(make_event(plans, rows, start_us, i));
    // Not durable: how the bench's history was synced does not change what is read.
    auto inserted = regwatch::bench::bare_batched_insert(path, events, 10'000, {},
                                                         regwatch::bench::Durability::kNotDurable);
    if (!inserted.ok()) {
      std::fprintf(stderr, "insert failed: %s\n", inserted.error().message.c_str());
      return false;
    }
    std::fprintf(stderr, "\r  %llu%%",
                 static_cast<unsigned long long>(std::min(rows, base + chunk) * 100 / rows));
  }
  std::fprintf(stderr, "\n");
  // Each incident written twice, as correlation passes would: opened with the first third of
  // its phones, then grown to all of them, so its view has updates ("opened", "N -> M phones").
  auto writer = regwatch::collector::store::IncidentWriter::open(path);
  if (!writer.ok()) {
    std::fprintf(stderr, "incidents: %s\n", writer.error().message.c_str());
    return false;
  }
  const int64_t end_us = start_us + static_cast<int64_t>(rows) * kStepUs;
  for (size_t pass = 0; pass < 2; ++pass) {
    std::vector<regwatch::collector::store::IncidentRow> incident_rows;
    for (const auto& plan : plans) {
      const size_t upto =
          pass == 0 ? std::max<size_t>(1, plan.phones.size() / 3) : plan.phones.size();
      incident_rows.push_back(incident_row(plan, start_us, upto));
    }
    auto written = (*writer)->replace_range(start_us, end_us + 1, incident_rows,
                                            end_us + static_cast<int64_t>(pass) * kMinuteUs);
    if (!written.ok()) {
      std::fprintf(stderr, "incidents: %s\n", written.error().message.c_str());
      return false;
    }
  }
  std::printf("  built in %.1f s\n", std::chrono::duration<double>(Clock::now() - start).count());
  return true;
}

// A kept database tells its own size and start; the plan follows from them.
bool read_layout(const std::string& path, uint64_t& rows, int64_t& start_us) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return false;
  sqlite3_stmt* stmt = nullptr;
  bool ok = sqlite3_prepare_v2(db,
                               "SELECT (SELECT max(id) FROM events),"
                               " (SELECT event_time_us FROM events WHERE id = 1)",
                               -1, &stmt, nullptr) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW;
  if (ok) {
    rows = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
    start_us = sqlite3_column_int64(stmt, 1);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return ok && rows > 0;
}

// Every 10th incident's evidence ids name the events the plan says (the id = index + 1 rule).
bool check_evidence(const std::string& path, const std::vector<IncidentPlan>& plans) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT kind, coalesce(device, '') FROM events WHERE id = ?1", -1, &stmt,
                     nullptr);
  auto fetch = [&](int64_t id, std::string& kind, std::string& device) {
    sqlite3_reset(stmt);
    sqlite3_bind_int64(stmt, 1, id);
    if (sqlite3_step(stmt) != SQLITE_ROW) return false;
    kind = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    device = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    return true;
  };
  bool ok = true;
  std::string kind, device;
  for (size_t k = 0; k < plans.size() && ok; k += 10) {
    const auto& plan = plans[k];
    for (size_t n = 0; n < plan.phones.size() && ok; ++n) {
      ok = fetch(id_of(plan.first_index + plan.cause_events.size() + n), kind, device) &&
           kind == "phone_unregistered" && device == phone_name(plan.phones[n]);
    }
    for (size_t c = 0; c < plan.cause_events.size() && ok; ++c)
      ok = fetch(id_of(plan.first_index + c), kind, device) && device.empty() &&
           kind != "phone_unregistered";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return ok;
}

// ---- Timing. ----

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

struct Series {
  std::vector<double> http, grpc, render;
  size_t http_bytes = 0, grpc_bytes = 0, json_bytes = 0;  // the last answer's, for scale
  int same = 0;  // HTTP's body was the gRPC reply rendered here, byte for byte
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "http_api_bench: %s\n", what.c_str());
  std::exit(1);
}

// The same question both ways, one after the other (which goes first alternates, so a busy
// moment of this shared machine falls on both), then the JSON rendering alone on the gRPC
// reply, untimed by either transport.
template <typename Reply>
void measure(Series& series, int requests, int warmup, httplib::Client& http,
             const std::function<std::string(int)>& path,
             const std::function<grpc::Status(int, grpc::ClientContext&, Reply&)>& call,
             const std::function<std::string(const Reply&)>& render) {
  for (int j = -warmup; j < requests; ++j) {
    double http_ms = 0, grpc_ms = 0;
    Reply reply;
    std::string body;
    auto do_http = [&] {
      const std::string target = path(j < 0 ? -j : j);
      const auto start = Clock::now();
      auto res = http.Get(target.c_str());
      http_ms = ms_since(start);
      if (!res || res->status != 200)
        fail("GET " + target + ": " +
             (res ? std::to_string(res->status) + " " + res->body
                  : httplib::to_string(res.error())));
      series.http_bytes = res->body.size();
      body = std::move(res->body);
    };
    auto do_grpc = [&] {
      grpc::ClientContext context;
      const auto start = Clock::now();
      const grpc::Status status = call(j < 0 ? -j : j, context, reply);
      grpc_ms = ms_since(start);
      if (!status.ok()) fail("gRPC: " + status.error_message());
    };
    if (j % 2) {
      do_http();
      do_grpc();
    } else {
      do_grpc();
      do_http();
    }
    const auto start = Clock::now();
    const std::string json = render(reply);
    const double render_ms = ms_since(start);
    if (j < 0) continue;
    series.http.push_back(http_ms);
    series.grpc.push_back(grpc_ms);
    series.render.push_back(render_ms);
    series.grpc_bytes = reply.ByteSizeLong();
    series.json_bytes = json.size();
    series.same += json == body ? 1 : 0;
  }
}

// The page's own files (scripts, styles, icons it names by an absolute path), which a
// browser fetches before it can ask the API. None yet on a page without a build step.
std::vector<std::string> assets_named(const std::string& html) {
  std::vector<std::string> out;
  static const std::regex ref(R"re((?:src|href)="(/[^"]*)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator();
       ++it)
    out.push_back((*it)[1]);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 10'000'000;
  int requests = 300;
  std::string path;
  bool build_only = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--build-only") == 0) build_only = true;
  }
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoull(argv[i + 1]);
    if (std::strcmp(argv[i], "--db") == 0) path = argv[i + 1];
    if (std::strcmp(argv[i], "--requests") == 0) requests = std::stoi(argv[i + 1]);
  }
  if (rows < 20'000) fail("--rows must be at least 20,000 (room for 1,000 incidents)");
  const bool keep = !path.empty();
  if (build_only && !keep) fail("--build-only needs --db PATH (the database it builds is kept)");
  if (path.empty()) path = "/tmp/regwatch-http-bench-" + std::to_string(getpid()) + ".db";
  // The collector's start-up lines and the conditions it finds in the history would break the
  // table.
  regwatch::set_log_level("error");

  // The history ends about now, so "now" (explain's default time) is just after it.
  int64_t start_us = 0;
  if (std::filesystem::exists(path)) {
    if (!read_layout(path, rows, start_us)) fail("cannot read the events of " + path);
    std::printf("http_api_bench: reusing %s (%llu events)\n", path.c_str(),
                static_cast<unsigned long long>(rows));
  } else {
    const int64_t now = regwatch::SystemClock::instance().now_us();
    start_us = (now - static_cast<int64_t>(rows) * kStepUs) / kMinuteUs * kMinuteUs;
  }
  const auto plans = plan_incidents(rows);
  if (!std::filesystem::exists(path) && !build_store(path, rows, start_us, plans)) return 1;
  if (!check_evidence(path, plans)) fail("the stored events are not the ones the incidents cite");
  if (build_only) return 0;
  size_t cited = 0;
  for (const auto& plan : plans) cited += plan.block_size();

  regwatch::collector::CollectorConfig config;
  config.listen = "127.0.0.1:0";
  config.http.listen = "127.0.0.1:0";
  config.db = path;
  config.retention_days = 0;  // keep the bench's history whatever its age
  // The incidents are the bench's, not correlation's: a quiet period of 30 days keeps the
  // runner from recomputing (and withdrawing) them while they are measured.
  config.correlation.quiet_s = 30 * 24 * 3600;
  auto server =
      regwatch::collector::CollectorServer::start(config, regwatch::SystemClock::instance());
  if (!server.ok()) fail("collector: " + server.error().message);
  const std::string url = (*server)->http_url();  // http://127.0.0.1:PORT/
  const int http_port = std::stoi(url.substr(url.rfind(':') + 1));

  httplib::Client http("127.0.0.1", http_port);
  http.set_keep_alive(true);  // as the dashboard's browser keeps its connection
  http.set_read_timeout(60, 0);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);  // the CLI's
  auto stub = v1::Query::NewStub(grpc::CreateCustomChannel(
      (*server)->listening_on(), grpc::InsecureChannelCredentials(), args));

  // Which incident and phone request j asks about: spread over all 1,000 and their phones.
  auto incident_of = [&](int j) -> const IncidentPlan& {
    return plans[static_cast<size_t>(j) * 7919 % plans.size()];
  };
  auto phone_of = [&](int j) {
    const auto& plan = incident_of(j);
    return phone_name(plan.phones[static_cast<size_t>(j) % plan.phones.size()]);
  };
  const int warmup = 20;

  std::printf(
      "http_api_bench: %llu events, %d open incidents (%zu events cited), %d requests per query "
      "and path\n",
      static_cast<unsigned long long>(rows), kIncidents, cited, requests);
  // A NOC's few silences (maintenance windows): the dashboard's first screen shows them, and
  // their small answer shows what either transport costs with next to nothing to render.
  // Made once: a kept database still has them from the last run.
  v1::SilenceList active;
  {
    grpc::ClientContext context;
    if (auto status = stub->Silences(&context, v1::SilenceQuery(), &active); !status.ok())
      fail("silences: " + status.error_message());
  }
  for (const char* sw : {"sw-012-access", "sw-040-access", "sw-101-access"}) {
    if (active.silences_size() >= 3) break;
    v1::Silence silence;
    (*silence.mutable_matchers())["switch"] = sw;
    silence.set_ends_us(regwatch::SystemClock::instance().now_us() + 4LL * 3600 * 1'000'000);
    silence.set_author("noc");
    silence.set_comment(std::string("CHG-4711: ") + sw + " stack upgrade");
    grpc::ClientContext context;
    v1::Silence made;
    if (auto status = stub->CreateSilence(&context, silence, &made); !status.ok())
      fail("silence: " + status.error_message());
  }
  // All 1,000 still open, as the store was left (nothing recomputed them at start-up).
  {
    grpc::ClientContext context;
    v1::IncidentQuery q;
    q.set_state("open");
    q.set_limit(kIncidents);
    v1::IncidentList open;
    if (auto status = stub->Incidents(&context, q, &open); !status.ok())
      fail("incidents: " + status.error_message());
    if (open.incidents_size() != kIncidents)
      fail("the store holds " + std::to_string(open.incidents_size()) + " open incidents, not " +
           std::to_string(kIncidents));
  }
  Series list, view, phone, silences;
  measure<v1::IncidentList>(
      list, requests, warmup, http,
      [](int) { return std::string("/api/v1/incidents?state=open&limit=100"); },
      [&](int, grpc::ClientContext& context, v1::IncidentList& reply) {
        v1::IncidentQuery q;
        q.set_state("open");
        q.set_limit(100);
        return stub->Incidents(&context, q, &reply);
      },
      [](const v1::IncidentList& reply) {
        return nlohmann::ordered_json{{"incidents", regwatch::reports::incidents_json(reply)},
                                      {"truncated", reply.truncated()}}
            .dump();
      });
  if (list.json_bytes == 0) fail("the incident list is empty");
  measure<v1::IncidentView>(
      view, requests, warmup, http,
      [&](int j) { return "/api/v1/incidents/" + incident_id(incident_of(j), start_us); },
      [&](int j, grpc::ClientContext& context, v1::IncidentView& reply) {
        v1::IncidentViewQuery q;
        q.set_id(incident_id(incident_of(j), start_us));
        return stub->IncidentView(&context, q, &reply);
      },
      [](const v1::IncidentView& reply) {
        return regwatch::reports::incident_view_json(reply).dump();
      });
  measure<v1::ExplainReply>(
      phone, requests, warmup, http, [&](int j) { return "/api/v1/phones/" + phone_of(j); },
      [&](int j, grpc::ClientContext& context, v1::ExplainReply& reply) {
        v1::ExplainQuery q;
        q.set_device(phone_of(j));
        return stub->Explain(&context, q, &reply);
      },
      [](const v1::ExplainReply& reply) {
        return regwatch::reports::diagnosis_json(reply).dump();
      });

  measure<v1::SilenceList>(
      silences, requests, warmup, http, [](int) { return std::string("/api/v1/silences"); },
      [&](int, grpc::ClientContext& context, v1::SilenceList& reply) {
        return stub->Silences(&context, v1::SilenceQuery(), &reply);
      },
      [](const v1::SilenceList& reply) {
        return nlohmann::ordered_json{
            {"silences",
             regwatch::reports::silences_json(reply, regwatch::SystemClock::instance().now_us())}}
            .dump();
      });

  // The first screen: a browser's new connection, the page, its files, then the list.
  std::vector<double> paint;
  size_t assets = 0;
  for (int j = -5; j < std::max(requests / 3, 20); ++j) {
    const auto start = Clock::now();
    httplib::Client browser("127.0.0.1", http_port);
    browser.set_keep_alive(true);
    auto page = browser.Get("/");
    if (!page || page->status != 200) fail("GET / failed");
    const auto named = assets_named(page->body);
    assets = named.size();
    for (const auto& asset : named) {
      auto got = browser.Get(asset.c_str());
      if (!got || got->status != 200) fail("GET " + asset + " failed");
    }
    auto incidents = browser.Get("/api/v1/incidents?state=open&limit=100");
    if (!incidents || incidents->status != 200) fail("the first screen's list failed");
    if (j >= 0) paint.push_back(ms_since(start));
  }
  (*server)->shutdown();

  std::printf("\n%-40s %-6s %9s %9s %9s %9s %10s %9s\n", "query", "path", "p50 ms", "p99 ms",
              "p50 x", "p99 x", "bytes", "same");
  auto print = [](const char* name, const Series& s) {
    const double hp50 = percentile(s.http, 0.5), hp99 = percentile(s.http, 0.99);
    const double gp50 = percentile(s.grpc, 0.5), gp99 = percentile(s.grpc, 0.99);
    std::printf("%-40s %-6s %9.2f %9.2f %9.2f %9.2f %10zu %5d/%zu\n", name, "HTTP", hp50, hp99,
                hp50 / gp50, hp99 / gp99, s.http_bytes, s.same, s.http.size());
    std::printf("%-40s %-6s %9.2f %9.2f %9s %9s %10zu\n", "", "gRPC", gp50, gp99, "1", "1",
                s.grpc_bytes);
    std::printf("%-40s %-6s %9.2f %9.2f %9s %9s %10zu\n", "", "JSON", percentile(s.render, 0.5),
                percentile(s.render, 0.99), "", "", s.json_bytes);
  };
  print("incident list (state=open, limit=100)", list);
  print("one incident (postmortem view)", view);
  print("phone's timeline (explain)", phone);
  print("active silences (a small answer)", silences);
  std::printf("%-40s %-6s %9.2f %9.2f\n",
              ("first screen (GET /, " + std::to_string(assets) + " assets, list)").c_str(), "HTTP",
              percentile(paint, 0.5), percentile(paint, 0.99));
  std::printf(
      "\nx: HTTP over gRPC, same question, same run. JSON: rendering the gRPC reply with the\n"
      "API's own code (common/reports/), in this process: the part of HTTP's extra cost that is\n"
      "JSON. same: answers where HTTP's body equals that rendering of the gRPC reply (explain\n"
      "states the time it explained, now, to the ms, so its two answers differ there).\n"
      "First screen: a new connection each time, %zu samples.\n",
      paint.size());
  // A small answer that takes ~40 ms more over HTTP is TCP, not work: the response goes out in
  // two writes (headers, body) and, without TCP_NODELAY on the server's socket, Nagle holds the
  // body until the client's delayed ACK of the headers (40 ms on Linux) on a kept-alive
  // connection. Said here so a reader of the table does not look for it in the JSON.
  if (percentile(silences.http, 0.5) - percentile(silences.grpc, 0.5) > 30) {
    std::printf(
        "Note: the small answer's ~40 ms over HTTP is Nagle's algorithm waiting for a delayed\n"
        "ACK (headers and body are written apart, the server's sockets have no TCP_NODELAY:\n"
        "httplib's set_tcp_nodelay(true) in collector/http/http_server.cpp would remove it).\n");
  }
  if (!keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  return 0;
}
