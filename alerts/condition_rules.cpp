#include "alerts/condition_rules.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "common/domain_tables.h"
#include "common/event_kind.h"
#include "common/host_name.h"
#include "common/time_format.h"

namespace regwatch::alerts {
namespace {

using regwatch::v1::Event;
constexpr int64_t kSecond = 1'000'000;
constexpr size_t kMaxEvidence = 100;
// A source must have sent this many live events before its silence means anything.
constexpr int64_t kMinSourceEvents = 10;
// ... and is silent only after this many of its usual gaps (a switch that logs twice an
// hour is not silent after 30 minutes).
constexpr int64_t kUsualGaps = 10;

struct Evidence {
  int64_t time_us;
  int64_t id;
  const Event* event;
};

// The evidence of one subject, oldest first: the run that ends at the latest piece, where
// no gap exceeds window_us.
std::vector<Evidence> latest_run(std::vector<Evidence> all, int64_t window_us) {
  std::sort(all.begin(), all.end(), [](const Evidence& a, const Evidence& b) {
    return std::tie(a.time_us, a.id) < std::tie(b.time_us, b.id);
  });
  size_t begin = all.size();
  while (begin > 0 &&
         (begin == all.size() || all[begin].time_us - all[begin - 1].time_us <= window_us))
    --begin;
  return {all.begin() + static_cast<std::ptrdiff_t>(begin), all.end()};
}

// The subject's latest run when its last piece is within the rule's window of now; else none.
std::vector<Evidence> recent_run(const std::vector<Evidence>& all, const ConditionRule& rule,
                                 int64_t now) {
  auto run = latest_run(all, rule.window_s * kSecond);
  if (run.empty() || now - run.back().time_us > rule.window_s * kSecond) return {};
  return run;
}

// "3 report(s) from <first> to <last>. "
std::string span_text(const std::vector<Evidence>& run, const std::string& what) {
  return std::to_string(run.size()) + " " + what + " from " +
         format_rfc3339_ms(run.front().time_us) + " to " + format_rfc3339_ms(run.back().time_us) +
         ". ";
}

std::string minutes(int64_t us) {
  return std::to_string((us + 30 * kSecond) / (60 * kSecond)) + " min";
}

std::string identity_of(const std::string& alert,
                        const std::map<std::string, std::string>& labels) {
  std::string id = alert + "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    id += (first ? "" : ",") + k + "=" + v;
    first = false;
  }
  return id + "}";
}

ActiveCondition make(const ConditionRule& rule, std::map<std::string, std::string> labels) {
  ActiveCondition c;
  c.alert = rule.alert;
  c.condition = rule.condition;
  c.severity = rule.severity;
  c.notify = rule.notify;
  c.labels = std::move(labels);
  c.identity = identity_of(rule.alert, c.labels);
  return c;
}

void cite(ActiveCondition& c, const std::vector<Evidence>& run) {
  c.first_evidence_us = run.front().time_us;
  c.last_evidence_us = run.back().time_us;
  for (const auto& e : run) {
    if (c.evidence.size() == kMaxEvidence) break;
    c.evidence.push_back(e.id);
  }
}

std::string since_command(const std::string& kinds, int64_t since_us) {
  return "regwatch events --kind " + kinds + " --since " + format_rfc3339_ms(since_us);
}

std::string number(double value) {
  std::ostringstream out;
  out << std::round(value * 10) / 10;
  return out.str();
}

// Event-based conditions: the evidence per subject (a CM node, an agent).
using BySubject = std::map<std::string, std::vector<Evidence>>;

// For each subject whose evidence is recent: a condition labelled label=subject that cites
// the run; describe(subject, run, condition) completes it, or returns false to drop it.
template <class Describe>
void per_subject(const ConditionRule& rule, const BySubject& by_subject, int64_t now,
                 const char* label, std::vector<ActiveCondition>& out, const Describe& describe) {
  for (const auto& [subject, all] : by_subject) {
    const auto run = recent_run(all, rule, now);
    if (run.empty()) continue;
    auto c = make(rule, {{label, subject}});
    cite(c, run);
    if (describe(subject, run, c)) out.push_back(std::move(c));
  }
}

void heartbeat_low(const ConditionRule& rule, const BySubject& by_node, int64_t now,
                   std::vector<ActiveCondition>& out) {
  per_subject(rule, by_node, now, "cm_node", out,
              [&](const std::string& node, const std::vector<Evidence>& run, ActiveCondition& c) {
                const auto& hb = run.back().event->heartbeat();
                std::string rate = number(hb.rate_per_minute()) + "/min";
                if (hb.threshold_per_minute() > 0)
                  rate += " (threshold " + number(hb.threshold_per_minute()) + "/min)";
                c.summary = "Heartbeat low on " + node +
                            (hb.service().empty() ? "" : " (" + hb.service() + ")") + ": " + rate;
                c.description = span_text(run, "LowCallManagerHeartbeatRate report(s)") +
                                "The service is starved: phones registered to it drop with "
                                "KeepAliveTimeout next.";
                c.remediation =
                    "Check " + node +
                    ": its CPU (RTMT, `show process load`: a virus scan, a backup, a trace level "
                    "left on), its memory and the server NIC.";
                c.command = since_command("heartbeat_low", c.first_evidence_us);
                return true;
              });
}

void cm_cpu(const ConditionRule& rule, const BySubject& by_node,
            const std::map<std::string, int64_t>& normal_at, int64_t now,
            std::vector<ActiveCondition>& out) {
  per_subject(
      rule, by_node, now, "cm_node", out,
      [&](const std::string& node, const std::vector<Evidence>& run, ActiveCondition& c) {
        if (auto n = normal_at.find(node); n != normal_at.end() && n->second > run.back().time_us)
          return false;  // SNMP saw it come back below the threshold
        double peak = 0;
        std::string what;
        for (const auto& e : run) {
          if (e.event->has_cpu()) {
            peak = std::max(peak, e.event->cpu().peak_percent());
            what = "SNMP CPU high";
          } else if (e.event->has_rtmt_alert()) {
            peak = std::max(peak, e.event->rtmt_alert().value());
            if (what.empty()) what = e.event->rtmt_alert().alert_name();
          }
        }
        if (what.empty()) what = kind_name(run.back().event->kind());
        c.summary =
            "CPU pegged on " + node + ": " + what + (peak > 0 ? " (" + number(peak) + " %)" : "");
        c.description = span_text(run, "report(s)") +
                        "A pegged node answers KeepAlives late; its phones drop in a burst if it "
                        "lasts.";
        c.remediation = "Find the process pegging " + node +
                        " (`show process load`, RTMT's process view): an antivirus scan, a backup, "
                        "a trace level left on; move phones to another node of their CM group if "
                        "it persists.";
        c.command =
            since_command("cpu_pegging --kind code_yellow --kind cpu_high", c.first_evidence_us);
        return true;
      });
}

void cm_down(const ConditionRule& rule, const BySubject& by_node, int64_t now,
             std::vector<ActiveCondition>& out) {
  per_subject(
      rule, by_node, now, "cm_node", out,
      [&](const std::string& node, const std::vector<Evidence>& run, ActiveCondition& c) {
        const auto& trap = run.back().event->snmp_trap();
        c.summary =
            "CallManager failed on " + node + " (ccmCallManagerFailed" +
            (trap.cause_code() >= 0 ? ", cause code " + std::to_string(trap.cause_code()) : "") +
            ")";
        c.description = span_text(run, "trap(s)") +
                        "Its phones fail over to the next node of their CM group, or drop.";
        c.remediation =
            "Check the Cisco CallManager service on " + node +
            " (`utils service list`), its core files (`utils core active list`) and the "
            "server's hardware log.";
        c.command = since_command("cm_failed", c.first_evidence_us);
        return true;
      });
}

void phone_stuck(const ConditionRule& rule, const BySubject& by_phone, const ConditionInputs& in,
                 std::vector<ActiveCondition>& out) {
  const int64_t since = in.now_us - rule.window_s * kSecond;
  std::vector<std::pair<std::string, std::vector<Evidence>>> stuck;
  for (const auto& [device, all] : by_phone) {
    std::vector<Evidence> recent;
    for (const auto& e : all) {
      if (e.time_us >= since) recent.push_back(e);
    }
    if (recent.empty() || static_cast<double>(recent.size()) < rule.threshold) continue;
    std::sort(recent.begin(), recent.end(),
              [](const Evidence& a, const Evidence& b) { return a.time_us < b.time_us; });
    if (in.registered_since && in.registered_since(device, recent.back().time_us)) continue;
    stuck.emplace_back(device, std::move(recent));
  }
  if (stuck.empty()) return;
  auto c = make(rule, {});
  std::vector<Evidence> all;
  std::ostringstream list;
  size_t shown = 0;
  for (const auto& [device, failures] : stuck) {
    all.insert(all.end(), failures.begin(), failures.end());
    if (++shown > 20) continue;
    const auto& ph = failures.back().event->phone();
    std::string why = ph.reason();
    if (why.empty() && ph.has_reason_code())
      why = std::string(domain::registration_failure_reason_name(ph.reason_code()));
    // A SIP phone rejected on the wire (docs/sip.md): its final status, when no text came.
    if (why.empty() && ph.sip_status() != 0) why = "SIP " + std::to_string(ph.sip_status());
    if (why.empty()) why = kind_name(failures.back().event->kind());
    list << "- " << device << ": " << failures.size() << " failures, last "
         << format_rfc3339_ms(failures.back().time_us) << " (" << why << ")\n";
  }
  if (stuck.size() > 20) list << "- and " << stuck.size() - 20 << " more\n";
  std::sort(all.begin(), all.end(),
            [](const Evidence& a, const Evidence& b) { return a.time_us < b.time_us; });
  cite(c, all);
  c.summary = std::to_string(stuck.size()) + " phone(s) stuck failing registration";
  c.description = "Each failed at least " + number(rule.threshold) + " times within " +
                  minutes(rule.window_s * kSecond) + " and has not registered since:\n" +
                  list.str();
  c.remediation =
      "The reason tells which: rejected as unknown or with a DN mismatch (add the device or fix "
      "its DN; check DHCP option 150 and that the TFTP server is in the device pool's CM "
      "group), or its config failed authentication (a stale ITL from another cluster: erase the "
      "ITL on the phone; check the LSC's expiry). `regwatch explain DEVICE` for one phone.";
  c.command = "regwatch explain " + stuck.front().first;
  out.push_back(std::move(c));
}

void registered_drop(const ConditionRule& rule, const BySubject& by_node, int64_t now,
                     std::vector<ActiveCondition>& out) {
  for (const auto& [node, all] : by_node) {
    std::vector<Evidence> recent;
    for (const auto& e : all) {
      if (e.time_us >= now - rule.window_s * kSecond) recent.push_back(e);
    }
    if (recent.size() < 2) continue;
    std::sort(recent.begin(), recent.end(),
              [](const Evidence& a, const Evidence& b) { return a.time_us < b.time_us; });
    uint64_t highest = 0;
    for (const auto& e : recent)
      highest = std::max(highest, e.event->registered_phones().registered());
    const uint64_t latest = recent.back().event->registered_phones().registered();
    if (highest < 10 ||
        static_cast<double>(latest) >= static_cast<double>(highest) * (1 - rule.threshold / 100)) {
      continue;
    }
    auto c = make(rule, {{"cm_node", node}});
    cite(c, recent);
    const double fewer =
        100.0 * static_cast<double>(highest - latest) / static_cast<double>(highest);
    c.summary = node + ": " + std::to_string(latest) + " phones registered, " + number(fewer) +
                " % fewer than the " + std::to_string(highest) + " within " +
                minutes(rule.window_s * kSecond);
    c.description = "CISCO-CCM-MIB's registered-phone count on " + node + " fell by more than " +
                    number(rule.threshold) + " % (RTMT's default alert is 10 %).";
    c.remediation =
        "Look at the incidents of this time (`regwatch incidents --since 1h`); a "
        "drop with no burst is a failover of its phones to another node.";
    c.command = since_command("registered_phones", c.first_evidence_us);
    out.push_back(std::move(c));
  }
}

void agent_drops(const ConditionRule& rule, const BySubject& by_agent, int64_t now,
                 std::vector<ActiveCondition>& out) {
  per_subject(rule, by_agent, now, "agent", out,
              [&](const std::string& agent, const std::vector<Evidence>& run, ActiveCondition& c) {
                uint64_t dropped = 0;
                for (const auto& e : run) dropped += e.event->agent_drops().dropped();
                const auto& last = run.back().event->agent_drops();
                c.summary = "Agent " + agent + " dropped " + std::to_string(dropped) + " events (" +
                            last.reason() + ", " + last.policy() + ")";
                c.description =
                    std::to_string(last.dropped_total()) +
                    " dropped since its spool was created. Events it dropped are lost to "
                    "correlation and history.";
                c.remediation =
                    "Its spool is full: the collector was unreachable for long, or ingest is "
                    "slower than its inputs. Fix the path to the collector or raise the spool's "
                    "size; `regwatch status` shows what arrived.";
                c.command = "regwatch status";
                return true;
              });
}

// Per incident that quieted at least threshold seconds ago (and within window_s): its phones
// that have not registered again since, which NOCs ask for after every storm.
void phones_still_down(const ConditionRule& rule, const ConditionInputs& in,
                       std::vector<ActiveCondition>& out) {
  constexpr size_t kListed = 20;
  for (const auto& incident : in.quiet_incidents) {
    const int64_t quiet_for = in.now_us - incident.quieted_us;
    if (incident.still_down.empty() || quiet_for < static_cast<int64_t>(rule.threshold * kSecond) ||
        quiet_for > rule.window_s * kSecond)
      continue;
    auto c = make(rule, {{"incident", incident.key},
                         {"scope_type", incident.scope_type},
                         {"scope", incident.scope_name}});
    c.first_evidence_us = c.last_evidence_us = incident.end_us;
    const size_t n = incident.still_down.size();
    c.summary = std::to_string(n) + " phone(s) of the burst on " + incident.scope_type + " " +
                incident.scope_name + " still not registered, " + minutes(quiet_for) +
                " after it quieted";
    std::string list;
    for (size_t i = 0; i < n && i < kListed; ++i) list += "- " + incident.still_down[i] + "\n";
    if (n > kListed) list += "- and " + std::to_string(n - kListed) + " more\n";
    c.description = "Incident " + incident.key + " ended (last drop " +
                    format_rfc3339_ms(incident.end_us) +
                    "); these phones have not registered since:\n" + list;
    c.remediation =
        "A phone that stays down after the storm is stuck on its own: powered off or moved, "
        "its switch port down or err-disabled, PoE lost, or it keeps failing registration "
        "(check `regwatch explain DEVICE` for each). It resolves as they come back.";
    c.command = "regwatch incident '" + incident.key + "'";
    out.push_back(std::move(c));
  }
}

void silences(const ConditionRule* agent_rule, const ConditionRule* source_rule,
              const ConditionInputs& in, std::vector<ActiveCondition>& out) {
  std::map<std::string, int64_t> agent_last;
  for (const auto& s : in.sources) {
    agent_last[s.agent_id] = std::max(agent_last[s.agent_id], s.last_us);
  }
  std::map<std::string, bool> agent_up;
  for (const auto& [agent, last] : agent_last) {
    const bool connected = in.agent_connected && in.agent_connected(agent);
    agent_up[agent] = connected;
    if (!agent_rule || connected) continue;
    const int64_t closed = in.agent_closed_at ? in.agent_closed_at(agent) : 0;
    const int64_t silent_since = std::max(last, closed);
    const int64_t limit = static_cast<int64_t>(agent_rule->threshold * kSecond);
    if (in.now_us - silent_since < limit) continue;
    auto c = make(*agent_rule, {{"agent", agent}});
    c.first_evidence_us = c.last_evidence_us = silent_since;
    c.summary = "Agent " + agent + " silent for " + minutes(in.now_us - silent_since);
    c.description = "No ingest stream from it and no live event since " +
                    format_rfc3339_ms(silent_since) +
                    ". Bursts behind it go unseen until it is back.";
    c.remediation =
        "Check the agent's host and service (`systemctl status regwatch-agent`, its "
        "log) and its path to the collector; its spool keeps events until it "
        "reconnects.";
    c.command = "regwatch status";
    out.push_back(std::move(c));
  }
  if (!source_rule) return;
  for (const auto& s : in.sources) {
    if (s.origin.empty() || s.source == "agent" || s.events < kMinSourceEvents) continue;
    if (!agent_up[s.agent_id]) continue;  // the agent's own silence says it
    const int64_t usual_gap = (s.last_us - s.first_us) / std::max<int64_t>(s.events - 1, 1);
    const int64_t limit =
        std::max(static_cast<int64_t>(source_rule->threshold * kSecond), kUsualGaps * usual_gap);
    if (in.now_us - s.last_us < limit) continue;
    auto c = make(*source_rule, {{"source", s.origin}, {"input", s.source}, {"agent", s.agent_id}});
    c.first_evidence_us = c.last_evidence_us = s.last_us;
    c.summary = s.origin + " sent no " + s.source + " events for " + minutes(in.now_us - s.last_us);
    c.description = "Its last live event reached agent " + s.agent_id + " at " +
                    format_rfc3339_ms(s.last_us) + ", after " + std::to_string(s.events) +
                    " since " + format_rfc3339_ms(s.first_us) + ".";
    c.remediation = "Check that " + s.origin +
                    " is up and still sends to the agent: its logging host or SNMP "
                    "configuration, ACLs on the path (`regwatch events --origin " +
                    s.origin + "`).";
    c.command = "regwatch events --origin " + s.origin + " --since 24h";
    out.push_back(std::move(c));
  }
}

}  // namespace

const std::vector<std::string>& condition_event_kinds() {
  static const std::vector<std::string> kinds = {"heartbeat_low",
                                                 "cpu_pegging",
                                                 "code_yellow",
                                                 "cpu_high",
                                                 "cpu_normal",
                                                 "cm_failed",
                                                 "phone_registration_failed",
                                                 "phone_auth_failed",
                                                 "registered_phones",
                                                 "agent_drops"};
  return kinds;
}

uint32_t condition_lookback_s(const std::vector<ConditionRule>& rules) {
  uint32_t longest = 0;
  for (const auto& r : rules) {
    if (r.condition != "phones_still_down") longest = std::max(longest, r.window_s);
  }
  return longest;
}

std::vector<ActiveCondition> evaluate_conditions(const ConditionInputs& in,
                                                 const std::vector<ConditionRule>& rules) {
  BySubject heartbeat, cpu, failed, failures, registered, drops;
  std::map<std::string, int64_t> cpu_normal_at;
  for (const auto& [id, e] : in.events) {
    const Evidence evidence{e.event_time_us(), id, &e};
    const std::string node = short_host(e.origin());
    switch (e.kind()) {
      case regwatch::v1::HEARTBEAT_LOW:
        heartbeat[short_host(e.heartbeat().node().empty() ? e.origin() : e.heartbeat().node())]
            .push_back(evidence);
        break;
      case regwatch::v1::CPU_PEGGING:
      case regwatch::v1::CODE_YELLOW:
        cpu[short_host(e.rtmt_alert().node().empty() ? e.origin() : e.rtmt_alert().node())]
            .push_back(evidence);
        break;
      case regwatch::v1::CPU_HIGH:
        if (e.cpu().role() == "cucm") cpu[node].push_back(evidence);
        break;
      case regwatch::v1::CPU_NORMAL:
        if (e.cpu().role() == "cucm")
          cpu_normal_at[node] = std::max(cpu_normal_at[node], e.event_time_us());
        break;
      case regwatch::v1::CM_FAILED: failed[node].push_back(evidence); break;
      case regwatch::v1::REGISTERED_PHONES: registered[node].push_back(evidence); break;
      case regwatch::v1::AGENT_DROPS: drops[e.agent_id()].push_back(evidence); break;
      default:
        // Registration failures and phone-side authentication failures (by name: the kind
        // is newer than some stores).
        if ((e.kind() == regwatch::v1::PHONE_REGISTRATION_FAILED ||
             kind_name(e.kind()) == "phone_auth_failed") &&
            e.has_phone() && !e.phone().device_name().empty())
          failures[e.phone().device_name()].push_back(evidence);
        break;
    }
  }
  std::vector<ActiveCondition> out;
  const ConditionRule* agent_rule = nullptr;
  const ConditionRule* source_rule = nullptr;
  for (const auto& rule : rules) {
    if (rule.condition == "heartbeat_low") heartbeat_low(rule, heartbeat, in.now_us, out);
    if (rule.condition == "cm_cpu") cm_cpu(rule, cpu, cpu_normal_at, in.now_us, out);
    if (rule.condition == "cm_down") cm_down(rule, failed, in.now_us, out);
    if (rule.condition == "phone_stuck") phone_stuck(rule, failures, in, out);
    if (rule.condition == "registered_drop") registered_drop(rule, registered, in.now_us, out);
    if (rule.condition == "agent_drops") agent_drops(rule, drops, in.now_us, out);
    if (rule.condition == "phones_still_down") phones_still_down(rule, in, out);
    if (rule.condition == "agent_silent") agent_rule = &rule;
    if (rule.condition == "source_silent") source_rule = &rule;
  }
  if (agent_rule || source_rule) silences(agent_rule, source_rule, in, out);
  return out;
}

v1::Alert condition_record(const ActiveCondition& c, const std::string& key, v1::AlertStatus status,
                           int64_t starts_us, int64_t ends_us) {
  v1::Alert a;
  a.set_id(key);
  a.set_alertname(c.alert);
  a.set_condition(c.condition);
  a.set_status(status);
  a.set_severity(c.severity);
  a.set_notify(c.notify);
  a.mutable_labels()->insert(c.labels.begin(), c.labels.end());
  a.set_summary(c.summary);
  a.set_description(c.description);
  a.set_remediation(c.remediation);
  a.set_command(c.command);
  a.set_start_us(starts_us);
  a.set_end_us(ends_us);
  a.mutable_evidence()->Assign(c.evidence.begin(), c.evidence.end());
  return a;
}

}  // namespace regwatch::alerts
