#include "collector/correlate/cause_ranker.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <set>

#include "collector/correlate/boot_stage_words.h"
#include "collector/correlate/scope_choice.h"
#include "common/ascii_case.h"
#include "common/boot_rules.h"
#include "common/reason_class.h"
#include "common/time_format.h"

namespace regwatch::collector::correlate {
namespace {

using regwatch::v1::Event;

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
  char text[256];
  std::snprintf(text, sizeof text, pattern, a, b, c);
  return text;
}

// What is behind a candidate's subject: the share of the burst's phones there, and how many
// phones are known there at all (0: unknown).
struct Behind {
  double coverage = 0;
  uint64_t population = 0;
};

struct Candidate {
  std::string kind;
  std::string subject;
  Behind behind;
  double magnitude = 1;
  int64_t time_us = 0;
  std::string what;           // the evidence in words
  std::vector<Scope> scopes;  // what it explains, narrowest first (Cause::scopes)
};

// The share of the subject's own phones that dropped in the burst (1 when its size is unknown).
double own_share(const Behind& b, double total) {
  if (b.population == 0) return 1;
  return std::min(1.0, b.coverage * total / static_cast<double>(b.population));
}

double overlap(const Candidate& c, double total) {
  return c.behind.coverage * own_share(c.behind, total);
}

uint64_t population_of(const std::map<std::string, uint64_t>& table, const std::string& key) {
  const auto it = table.find(key);
  return it == table.end() ? 0 : it->second;
}

// Where an interface name's numbers start, and its type as port_key() keeps it (two letters).
std::pair<std::string_view, std::string_view> port_parts(std::string_view port) {
  const size_t digits = std::min(port.find_first_of("0123456789"), port.size());
  return {port.substr(0, std::min<size_t>(2, digits)), port.substr(digits)};
}

// port_key()'s equality without building the keys: "Gi1/0/17" and "GigabitEthernet1/0/17".
bool same_port(std::string_view a, std::string_view b) {
  const auto [type_a, numbers_a] = port_parts(a);
  const auto [type_b, numbers_b] = port_parts(b);
  const auto lower = [](char ch) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  };
  return !a.empty() && numbers_a == numbers_b &&
         std::equal(type_a.begin(), type_a.end(), type_b.begin(), type_b.end(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

// "Gi1/0/17" -> 1, "TenGigabitEthernet2/1/1" -> 2: the stack member of a port named
// type member/module/port; 0 (the whole switch) for a port of a switch without members.
uint32_t member_of_port(std::string_view port) {
  const size_t digits = port.find_first_of("0123456789");
  if (digits == std::string_view::npos) return 0;
  const std::string_view numbers = port.substr(digits);
  if (std::count(numbers.begin(), numbers.end(), '/') < 2) return 0;
  uint32_t member = 0;
  for (const char ch : numbers) {
    if (ch < '0' || ch > '9') break;
    member = member * 10 + static_cast<uint32_t>(ch - '0');
  }
  return member;
}

// On a stack, an SVL pair or a chassis with several CPUs, the busiest one by name: the member
// whose phones suffer ("; busiest Switch 2 - CPU at 97 %"). Nothing for a single CPU.
std::string busiest_member(const regwatch::v1::CpuLoad& cpu) {
  if (cpu.members_size() < 2 || cpu.busiest().empty()) return {};
  return "; busiest " + cpu.busiest() + format(" at %.0f %%", cpu.max_percent());
}

const char* remediation(const std::string& kind) {
  if (kind == "cm_cpu")
    return "find the process hogging the CUCM node's CPU (RTMT, 'show process load'); "
           "virus scans and backups on the node are the usual suspects";
  if (kind == "cm_slow") return "the CM node answers KeepAlives late: check its CPU and its NIC";
  if (kind == "heartbeat_low")
    return "the CallManager service is starved: check the node's CPU and memory";
  if (kind == "cm_restart")
    return "check why the CallManager service or node restarted (core dumps, admin action)";
  if (kind == "switch_cpu")
    return "check the switch's CPU (show processes cpu sorted) and control-plane storms";
  if (kind == "nic_errors")
    return "replace the cable or check the NIC / switch port (duplex, errors)";
  if (kind == "link_down")
    return "check the link that went down (cable, uplink, err-disable cause)";
  if (kind == "module_failure")
    return "check the stack member / module that dropped out (power, stack cables)";
  if (kind == "poe_fault") return "check PoE on the port or module (power budget, faulty PSE)";
  if (kind == "planned_change")
    return "planned: an apply-config or restart from the administrator; no action";
  if (kind == "security")
    return "erase the phones' ITL/CTL (Settings > Security > Trust List; on models without Erase, "
           "such as the 8941/8945, reset the security settings): a trust list from another "
           "cluster makes them refuse the signed config (cnf.xml.sgn); check the TFTP server they "
           "use (DHCP option 150) and whether they were moved from another cluster; check LSC "
           "expiry";
  if (kind == "config")
    return "check the device exists in CUCM with the right DN, DHCP option 150, TFTP in the device "
           "pool's CM group";
  return "look at the timeline of the first phones that dropped";
}

double share(const std::vector<std::string>& phones,
             const std::map<std::string, PhonePlace>& places,
             const std::function<bool(const PhonePlace&)>& behind) {
  if (phones.empty()) return 0;
  size_t n = 0;
  for (const auto& phone : phones) {
    auto it = places.find(phone);
    if (it != places.end() && behind(it->second)) ++n;
  }
  return static_cast<double>(n) / static_cast<double>(phones.size());
}

Scope cm_node_scope(const std::string& node) {
  return {"cm_node", node};
}
Scope switch_scope(const std::string& host) {
  return {"switch", host};
}
// The scopes a fault on a stack member (0: the switch's own) explains: the member, then the
// switch.
std::vector<Scope> member_scopes(const std::string& host, uint32_t member) {
  if (member == 0) return {switch_scope(host)};
  return {{"module", module_scope_name(host, member)}, switch_scope(host)};
}

std::vector<Candidate> candidates_of(const Event& e, const Incident& incident,
                                     const std::map<std::string, PhonePlace>& places,
                                     const Populations& populations) {
  const std::string origin = short_host(e.origin());
  auto on_cm = [&](const std::string& node) {
    const std::string host = short_host(node);
    return Behind{share(incident.phones, places,
                        [&](const PhonePlace& p) { return short_host(p.cm_node) == host; }),
                  population_of(populations.cm_nodes, host)};
  };
  auto on_switch = [&](const std::string& name) {
    const std::string host = short_host(name);
    return Behind{share(incident.phones, places,
                        [&](const PhonePlace& p) { return short_host(p.switch_name) == host; }),
                  population_of(populations.switches, host)};
  };
  auto on_member = [&](const std::string& name, uint32_t member) {
    if (member == 0) return on_switch(name);
    const std::string host = short_host(name);
    return Behind{share(incident.phones, places,
                        [&](const PhonePlace& p) {
                          return p.module == member && short_host(p.switch_name) == host;
                        }),
                  population_of(populations.modules, host + "/" + std::to_string(member))};
  };
  auto on_port = [&](const std::string& name, const std::string& port) {
    const std::string host = short_host(name);
    // The port first: it rules out nearly every phone without building a name.
    return Behind{share(incident.phones, places,
                        [&](const PhonePlace& p) {
                          return same_port(p.port, port) && short_host(p.switch_name) == host;
                        }),
                  population_of(populations.ports, port_key(name, port))};
  };
  // A port with phones known behind it is an access port: it explains those phones. So is a
  // port among the ports where the switch's phones are (Gi1/0/17 beside their Gi1/0/1-12), though
  // no phone is known on it: it explains none. Only a port unlike theirs (Te1/1/1, the uplink
  // module's) is the uplink or a trunk, and stands for the whole switch (no longer 0.8 of it, as
  // when any port without a phone might have been another access port).
  auto port_or_switch = [&](const std::string& port, Candidate c) {
    const Behind port_behind = on_port(origin, port);
    if (port_behind.population > 0 || port_behind.coverage > 0 ||
        population_of(populations.port_groups, port_group(port_key(origin, port))) > 0) {
      c.behind = port_behind;
      // A port fault: the narrowest physical scope holding the port, its member, then the switch.
      c.scopes = member_scopes(origin, member_of_port(port));
    } else {
      c.behind = on_switch(origin);
      c.scopes = {switch_scope(origin)};  // the uplink or a trunk: the switch
    }
    return c;
  };
  std::vector<Candidate> out;
  switch (e.kind()) {
    case regwatch::v1::CPU_HIGH: {
      const bool switch_role = e.cpu().role() == "switch";
      out.push_back(
          {switch_role ? "switch_cpu" : "cm_cpu",
           origin,
           switch_role ? on_switch(origin) : on_cm(origin),
           std::clamp(e.cpu().peak_percent() / 100.0, 0.5, 1.0),
           e.event_time_us(),
           format("CPU at %.0f %% (peak %.0f %%)", e.cpu().percent(), e.cpu().peak_percent()) +
               busiest_member(e.cpu()),
           {switch_role ? switch_scope(origin) : cm_node_scope(origin)}});
      break;
    }
    case regwatch::v1::CPU_PEGGING:
    case regwatch::v1::CODE_YELLOW: {
      const std::string node =
          short_host(e.rtmt_alert().node().empty() ? e.origin() : e.rtmt_alert().node());
      out.push_back({"cm_cpu",
                     node,
                     on_cm(node),
                     1.0,
                     e.event_time_us(),
                     e.kind() == regwatch::v1::CODE_YELLOW ? "Code Yellow (call throttling)"
                                                           : "RTMT " + e.rtmt_alert().alert_name(),
                     {cm_node_scope(node)}});
      break;
    }
    case regwatch::v1::HEARTBEAT_LOW: {
      const std::string node =
          short_host(e.heartbeat().node().empty() ? e.origin() : e.heartbeat().node());
      out.push_back({"heartbeat_low",
                     node,
                     on_cm(node),
                     0.9,
                     e.event_time_us(),
                     format("CallManager heartbeat at %.0f/min", e.heartbeat().rate_per_minute()),
                     {cm_node_scope(node)}});
      break;
    }
    case regwatch::v1::CM_SLOW: {
      const auto& l = e.keepalive_latency();
      const double p90 = l.p90_ms();
      // A stalled CM answers nothing: its unanswered KeepAlives are the worst latency there is,
      // though they leave no samples for the percentiles.
      const bool mostly_unanswered = l.unanswered() > 0 && 2 * l.unanswered() >= l.phones();
      const double magnitude = mostly_unanswered ? 1.0 : std::clamp(p90 / 2000.0, 0.5, 1.0);
      const std::string what =
          l.unanswered() > 0
              ? format("KeepAlives of %.0f of %.0f phones unanswered for over %.0f ms",
                       l.unanswered(), l.phones(), l.slow_threshold_ms())
              : format("KeepAliveAck latency p90 %.0f ms for %.0f phones", p90, l.slow_phones());
      out.push_back({"cm_slow",
                     origin,
                     on_cm(origin),
                     magnitude,
                     e.event_time_us(),
                     what,
                     {cm_node_scope(origin)}});
      break;
    }
    case regwatch::v1::CM_FAILED:
    case regwatch::v1::DEVICE_RESTART: {
      // A trap names no node but its sender; CUCM's own alarms (CallManagerFailure,
      // ServiceStopped / ServiceStarted of the CallManager service) name it in NodeID.
      const bool alarm = e.has_rtmt_alert();
      const std::string node =
          alarm && !e.rtmt_alert().node().empty() ? short_host(e.rtmt_alert().node()) : origin;
      const std::string what = alarm ? "CUCM alarm " + e.rtmt_alert().alert_name()
                               : e.kind() == regwatch::v1::CM_FAILED ? "ccmCallManagerFailed trap"
                                                                     : "device restart trap";
      out.push_back(
          {"cm_restart", node, on_cm(node), 1.0, e.event_time_us(), what, {cm_node_scope(node)}});
      break;
    }
    case regwatch::v1::CM_DEVICE_RESET: {
      // An administrator's reset of devices or a device pool from CUCM: the drops that follow
      // are planned. It explains the phones of the node that logged it.
      const std::string node =
          short_host(e.rtmt_alert().node().empty() ? e.origin() : e.rtmt_alert().node());
      const std::string& detail = e.rtmt_alert().detail();
      out.push_back({"planned_change",
                     node,
                     on_cm(node),
                     1.0,
                     e.event_time_us(),
                     "CUCM alarm " + e.rtmt_alert().alert_name() +
                         (detail.empty() ? std::string() : " (" + detail + ")"),
                     {cm_node_scope(node)}});
      break;
    }
    case regwatch::v1::INTERFACE_ERRORS: {
      const auto& i = e.interface_counters();
      Candidate c{"nic_errors",
                  origin + " " + i.interface(),
                  {},
                  1.0,
                  e.event_time_us(),
                  format("%.0f input / %.0f output errors in one poll",
                         static_cast<double>(i.in_errors()), static_cast<double>(i.out_errors())),
                  {}};  // port_or_switch() or the node below says what it explains
      // A CM node's NIC, or a switch's port.
      Candidate on_node = c;
      on_node.behind = on_cm(origin);
      on_node.scopes = {cm_node_scope(origin)};
      Candidate on_port_or_switch = port_or_switch(i.interface(), c);
      out.push_back(overlap(on_node, static_cast<double>(incident.phones.size())) >=
                            overlap(on_port_or_switch, static_cast<double>(incident.phones.size()))
                        ? on_node
                        : on_port_or_switch);
      break;
    }
    case regwatch::v1::LINK_DOWN:
    case regwatch::v1::ERR_DISABLED: {
      const std::string port = e.interface().interface();
      out.push_back(port_or_switch(port, {"link_down",
                                          origin + " " + port,
                                          {},
                                          1.0,
                                          e.event_time_us(),
                                          e.kind() == regwatch::v1::ERR_DISABLED
                                              ? "port err-disabled (" + e.interface().cause() + ")"
                                              : "link down",
                                          {}}));
      break;
    }
    case regwatch::v1::STACK_MEMBER_REMOVED: {
      const uint32_t member = e.stack_member().member();
      out.push_back({"module_failure", origin + " member " + std::to_string(member),
                     on_member(origin, member), 1.0, e.event_time_us(), "stack member removed",
                     member_scopes(origin, member)});
      break;
    }
    case regwatch::v1::POE_FAULT: {
      // A port's PoE fault is its member's power controller failing, as far as the phones go.
      const std::string& port = e.interface().interface();
      out.push_back({"poe_fault", origin + " " + port, on_member(origin, member_of_port(port)), 0.8,
                     e.event_time_us(), "PoE fault", member_scopes(origin, member_of_port(port))});
      break;
    }
    default: break;
  }
  return out;
}

}  // namespace

std::string port_key(std::string_view switch_name, std::string_view port) {
  // Interface types by their first two letters (Gi, Te, Fa, Fo, Tw...), then the numbers.
  std::string key = short_host(std::string(switch_name)) + " ";
  const auto [type, numbers] = port_parts(port);
  for (const char ch : type)
    key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  key.append(numbers);
  return key;
}

std::string port_group(std::string_view key) {
  const size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(key.substr(0, slash + 1));
}

std::string port_key_of(const Event& e) {
  switch (e.kind()) {
    case regwatch::v1::INTERFACE_ERRORS:
      return port_key(e.origin(), e.interface_counters().interface());
    case regwatch::v1::LINK_DOWN:
    case regwatch::v1::ERR_DISABLED:
    case regwatch::v1::POE_FAULT: return port_key(e.origin(), e.interface().interface());
    default: return {};
  }
}

std::string reason_class(int32_t code) {
  return std::string(domain::unregistration_reason_class(code));
}

std::map<std::string, uint32_t> phones_by_reason_class(const Incident& incident) {
  std::map<std::string, uint32_t> classes;
  uint32_t coded = 0;
  for (const auto& [code, n] : incident.reasons) {
    classes[reason_class(code)] += n;
    coded += n;
  }
  for (const auto& [code, n] : incident.rejection_reasons) {
    classes[std::string(domain::registration_failure_reason_class(code))] += n;
    coded += n;
  }
  // The phones' own trust failures carry no CUCM code, but say what class they are.
  classes["security"] += incident.phone_auth_failures;
  coded += incident.phone_auth_failures;
  // So do boot stalls: their rule's class (infrastructure counts as network).
  for (const auto& [rule_name, stalls] : incident.boot_stalls) {
    const domain::BootRule* rule = domain::find_boot_rule(rule_name);
    const std::string_view c = rule == nullptr                            ? "other"
                               : rule->incident_class == "infrastructure" ? "network"
                                                                          : rule->incident_class;
    classes[std::string(c)] += stalls.phones;
    coded += stalls.phones;
  }
  // Drops without a reason code (connection_lost, keepalive_missed) are network-class by nature.
  const auto total = static_cast<uint32_t>(incident.phones.size());
  classes["network"] += total - std::min(total, coded);
  return classes;
}

// A CM that restarted resets every connection to it within seconds; on the wire that is the
// only sign (no trap when nobody polls it). A cause when most of the burst's phones saw it.
std::optional<Cause> restart_on_the_wire(const Incident& incident,
                                         const std::vector<const StoredEvent*>& drops) {
  constexpr int64_t kAtOnceUs = 10'000'000;
  std::map<std::string, std::vector<const StoredEvent*>> reset_by;  // CM -> its resets
  for (const StoredEvent* d : drops) {
    const Event& e = d->event;
    if (e.kind() != regwatch::v1::CONNECTION_LOST || e.phone().closed_by().rfind("cm", 0) != 0)
      continue;
    const std::string cm =
        short_host(e.phone().cm_node().empty() ? e.origin() : e.phone().cm_node());
    reset_by[cm].push_back(d);
  }
  const auto total = static_cast<double>(incident.phones.size());
  std::optional<Cause> best;
  for (const auto& [cm, resets] : reset_by) {
    std::set<std::string> phones;
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (const StoredEvent* d : resets) {
      phones.insert(d->event.phone().device_name());
      first = std::min(first, d->event.event_time_us());
      last = std::max(last, d->event.event_time_us());
    }
    const double share = static_cast<double>(phones.size()) / total;
    if (share < 0.5 || last - first > kAtOnceUs) continue;
    Cause c;
    c.kind = "cm_restart";
    c.subject = cm;
    c.scopes = {cm_node_scope(cm)};
    c.score = share;
    c.remediation = remediation(c.kind);
    c.explanation = cm + format(
                             ": the CM reset the connections of %.0f of %.0f phones within "
                             "%.1f s (seen on the wire)",
                             static_cast<double>(phones.size()), total,
                             static_cast<double>(last - first) / 1e6);
    for (const StoredEvent* d : resets) c.evidence.push_back(d->id);
    if (!best || c.score > best->score) best = std::move(c);
  }
  return best;
}

// "09:00 UTC" of an RFC 3339 time: when a stall began, in the words of a cause.
std::string clock_time(int64_t us) {
  const std::string text = format_rfc3339_ms(us);  // 2026-12-06T09:00:00.000Z
  return text.size() >= 16 ? text.substr(0, 10) + " " + text.substr(11, 5) + " UTC" : text;
}

// Most of the incident's phones stuck in their boot chain by one rule: the rule is the cause
// ("38 phones on sw-3f loop at config download since 09:00"), with the rule's remediation
// (common/boot_rules.h, the one place of its words). It names no scope: the phones' place names
// the incident (scope_choice.h).
std::optional<Cause> boot_loop(const Incident& incident) {
  const auto total = static_cast<double>(incident.phones.size());
  const auto most = std::max_element(
      incident.boot_stalls.begin(), incident.boot_stalls.end(),
      [](const auto& x, const auto& y) { return x.second.phones < y.second.phones; });
  if (most == incident.boot_stalls.end() || 2.0 * most->second.phones <= total) return std::nullopt;
  const domain::BootRule* rule = domain::find_boot_rule(most->first);
  if (rule == nullptr) return std::nullopt;
  const BootStallCount& stalls = most->second;
  Cause c;
  c.kind = "boot_loop";
  c.subject = incident.scope.name;
  // Just below the evidence of the one server they all asked in vain (tftp_unavailable), which
  // says why they stall.
  c.score = 0.95 * static_cast<double>(stalls.phones) / total;
  std::string servers;
  for (const auto& [server, n] : stalls.servers) servers += (servers.empty() ? "" : ", ") + server;
  c.explanation =
      format("%.0f", stalls.phones) + (stalls.phones == 1 ? " phone" : " phones") + " on " +
      incident.scope.name + " stuck at " + std::string(boot_stage_words(rule->stage)) + " since " +
      clock_time(stalls.since_us) + " (" + std::string(rule->name) +
      "): " + std::string(rule->summary) + (servers.empty() ? "" : "; TFTP server " + servers) +
      format("; %.0f of %.0f phones of the incident", stalls.phones, total);
  c.remediation = std::string(rule->remediation);
  c.evidence = stalls.evidence;
  return c;
}

// A TFTP server that stopped answering (tftp_server_unanswered, not resolved) between the
// lookback before the first drop and the last drop: the phones that fell cannot boot back (a
// burst's phones re-register through TFTP). A cause beside the burst's other causes, only for a
// server some of the incident's own phones were stalled asking (boot_stalled's tftp_server): a
// silent server elsewhere in the network is not this incident's. A report resolved again
// before the first drop is over. Its score is the larger of the share of the incident's phones
// stalled asking that very server and half the share still down (they may be waiting on it).
// It names the server's scope.
std::vector<Cause> tftp_unavailable(const Incident& incident,
                                    const std::vector<const StoredEvent*>& events) {
  const auto total = static_cast<double>(incident.phones.size());
  const domain::BootRule* rule = domain::find_boot_rule("tftp_unanswered");
  struct Silence {
    std::vector<int64_t> evidence;
    const Event* first = nullptr;  // the first unresolved report: it says when it began
  };
  std::map<std::string, Silence> by_server;
  for (const StoredEvent* stored : events) {
    const Event& e = stored->event;
    if (e.kind() != regwatch::v1::TFTP_SERVER_UNANSWERED || !e.has_tftp_server()) continue;
    const auto& status = e.tftp_server();
    const std::string server = status.server().empty() ? e.origin() : status.server();
    Silence& silence = by_server[server];
    if (status.resolved()) {
      if (e.event_time_us() < incident.start_us) silence = {};  // answering again by then
      continue;
    }
    silence.evidence.push_back(stored->id);
    if (silence.first == nullptr) silence.first = &e;
  }
  std::vector<Cause> out;
  for (auto& [server, silence] : by_server) {
    if (silence.first == nullptr) continue;
    double stalled_there = 0;
    for (const auto& [name, stalls] : incident.boot_stalls) {
      if (const auto it = stalls.servers.find(server); it != stalls.servers.end())
        stalled_there += it->second;
    }
    if (stalled_there == 0) continue;  // none of this incident's phones asked it
    const auto& status = silence.first->tftp_server();
    const double still_down = static_cast<double>(incident.still_down.size());
    Cause c;
    c.kind = "tftp_unavailable";
    c.subject = server;
    c.evidence = std::move(silence.evidence);
    c.score = std::max(stalled_there / total, 0.5 * still_down / total);
    c.scopes = {{"tftp_server", server}};
    c.explanation =
        "TFTP server " + server + " not answering" +
        (status.since_us() ? " since " + clock_time(status.since_us()) : "") +
        format(
            ": %.0f phones cannot re-register after the burst (%.0f requests "
            "unanswered, from %.0f phones)",
            std::max(stalled_there, still_down), static_cast<double>(status.unanswered_requests()),
            static_cast<double>(status.phones()));
    if (rule != nullptr) c.remediation = std::string(rule->remediation);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Cause> rank_causes(const Incident& incident,
                               const std::map<std::string, PhonePlace>& places,
                               const std::vector<const StoredEvent*>& events,
                               const std::vector<const StoredEvent*>& drops,
                               const Populations& populations,
                               const CorrelationSettings& settings) {
  const uint32_t total = static_cast<uint32_t>(incident.phones.size());
  const double network_share =
      total ? static_cast<double>(phones_by_reason_class(incident)["network"]) / total : 0;
  const int64_t lookback_us = int64_t{settings.lookback_s} * 1'000'000;
  std::map<std::pair<std::string, std::string>, Cause> best;
  for (const StoredEvent* stored : events) {
    for (const Candidate& c : candidates_of(stored->event, incident, places, populations)) {
      const double on = overlap(c, total);
      if (on <= 0) continue;
      double precedence;
      if (c.time_us <= incident.start_us) {
        precedence = 1.0 - 0.5 * static_cast<double>(incident.start_us - c.time_us) /
                               static_cast<double>(lookback_us);
      } else {
        const double span =
            static_cast<double>(std::max<int64_t>(incident.end_us - incident.start_us, 1));
        precedence =
            0.4 * (1.0 - std::min(1.0, static_cast<double>(c.time_us - incident.start_us) / span));
      }
      const double score =
          std::max(0.0, precedence) * on * c.magnitude * (0.5 + 0.5 * network_share);
      Cause& cause = best[{c.kind, c.subject}];
      cause.evidence.push_back(stored->id);
      if (score <= cause.score) continue;
      const double lead_s = static_cast<double>(incident.start_us - c.time_us) / 1e6;
      cause.kind = c.kind;
      cause.subject = c.subject;
      cause.score = score;
      cause.remediation = remediation(c.kind);
      cause.scopes = c.scopes;
      cause.explanation =
          c.subject + ": " + c.what +
          (lead_s >= 0 ? format(", %.0f s before the first drop", lead_s)
                       : format(", %.0f s after the first drop", -lead_s)) +
          format("; %.0f of %.0f phones behind it", c.behind.coverage * total, total) +
          (c.behind.population > 0 ? format("; %.0f of its %.0f phones dropped",
                                            std::min(c.behind.coverage * total,
                                                     static_cast<double>(c.behind.population)),
                                            static_cast<double>(c.behind.population))
                                   : std::string()) +
          format("; %.0f %% of the drops had network reasons", network_share * 100);
    }
  }
  if (auto restart = restart_on_the_wire(incident, drops)) {
    Cause& cause = best[{restart->kind, restart->subject}];
    if (restart->score > cause.score) {
      restart->evidence.insert(restart->evidence.end(), cause.evidence.begin(),
                               cause.evidence.end());
      cause = std::move(*restart);
    }
  }
  std::vector<Cause> out;
  for (auto& [key, cause] : best) out.push_back(std::move(cause));
  std::optional<Cause> loop = boot_loop(incident);
  // The rule that stalls the phones says more than the share of their class: the reason mix is
  // left out when the rule's class is the incident's.
  const bool stall_explains_class =
      loop && incident.boot_stalls.size() == 1 &&
      domain::find_boot_rule(incident.boot_stalls.begin()->first)->incident_class ==
          incident.incident_class;
  if (loop) out.push_back(std::move(*loop));
  for (auto& tftp : tftp_unavailable(incident, events)) out.push_back(std::move(tftp));
  // The reason mix is itself the cause for planned, security and config incidents.
  if (incident.incident_class != "infrastructure" && incident.incident_class != "storm" &&
      !stall_explains_class) {
    Cause c;
    c.kind = incident.incident_class == "planned" ? "planned_change" : incident.incident_class;
    c.subject = incident.scope.name;
    c.score = 1.0 - network_share;
    const uint32_t own = incident.incident_class == "security" ? incident.phone_auth_failures : 0;
    c.explanation = format("%.0f %% of the phones dropped with ", c.score * 100) +
                    incident.incident_class + (own ? "-class reasons" : "-class reason codes");
    if (own > 0)
      c.explanation += format(
          ": %.0f of %.0f phones said themselves that their signed config or trust list (ITL/CTL) "
          "failed authentication",
          own, total);
    c.remediation = remediation(c.kind);
    // A planned reset, a rejected registration or a refused config is the CM's doing (its
    // administrator's, its database's, its trust lists'): the CM node holding most of the
    // phones (more than half) is the scope it explains, whatever switch or VLAN they share.
    const auto most =
        std::max_element(incident.phones_by_cm.begin(), incident.phones_by_cm.end(),
                         [](const auto& x, const auto& y) { return x.second < y.second; });
    if (most != incident.phones_by_cm.end() && most->first != "unknown" &&
        2 * most->second > incident.phones.size())
      c.scopes = {cm_node_scope(most->first)};
    if (auto it = incident.drop_evidence_by_class.find(incident.incident_class);
        it != incident.drop_evidence_by_class.end())
      c.evidence = it->second;
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    Cause c;
    c.kind = "unknown";
    c.subject = incident.scope.name;
    c.explanation = "no CPU, latency, interface, link or restart evidence in the lookback window";
    c.remediation = remediation(c.kind);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Cause& a, const Cause& b) {
    return a.score != b.score ? a.score > b.score
                              : std::tie(a.kind, a.subject) < std::tie(b.kind, b.subject);
  });
  for (auto& c : out) std::sort(c.evidence.begin(), c.evidence.end());
  return out;
}

}  // namespace regwatch::collector::correlate
