#include "bench/accuracy/diagnosis_accuracy.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "agent/snmp/poll_analyzers.h"
#include "agent/snmp/topology.h"
#include "agent/syslog/syslog_parser.h"
#include "common/host_name.h"

namespace regwatch::accuracy {
namespace {

using collector::correlate::Incident;
using collector::correlate::StoredEvent;
using nlohmann::json;

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};

bool read_gzip(const std::string& path, std::string& out) {
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) return false;
  char buffer[1 << 16];
  int n = 0;
  while ((n = gzread(file.get(), buffer, sizeof buffer)) > 0)
    out.append(buffer, static_cast<size_t>(n));
  return n == 0;
}

// Turns one scenario's inputs into stored events, in arrival order: each agent numbers what it
// sends, the store numbers rows as they come. SNMP polls are analysed first, in poll order per
// target, as the agent does when it polls (a counter delta needs the previous poll); only the
// events they made arrive late or out of order.
class EventBuilder {
 public:
  explicit EventBuilder(Scenario& scenario) : scenario_(scenario) {}

  void add_all(const json& inputs) {
    std::vector<size_t> polls;
    for (size_t k = 0; k < inputs.size(); ++k) {
      const std::string type = inputs[k].at("t").get<std::string>();
      if (type == "cdp" || type == "if_poll") polls.push_back(k);
    }
    std::stable_sort(polls.begin(), polls.end(), [&](size_t a, size_t b) {
      return inputs[a].at("time_us").get<int64_t>() < inputs[b].at("time_us").get<int64_t>();
    });
    std::map<size_t, std::vector<v1::Event>> polled;
    for (const size_t k : polls) polled[k] = analyse_poll(inputs[k]);
    for (size_t k = 0; k < inputs.size(); ++k) {
      const auto it = polled.find(k);
      const std::string agent = inputs[k].at("agent").get<std::string>();
      if (it == polled.end()) {
        add(inputs[k]);
      } else {
        for (auto& e : it->second) store(agent, std::move(e));
      }
    }
  }

 private:
  std::vector<v1::Event> analyse_poll(const json& input) {
    const std::string type = input.at("t").get<std::string>();
    const std::string agent = input.at("agent").get<std::string>();
    if (type == "cdp") {
      const std::string name = input.at("switch").get<std::string>();
      auto [it, added] = topology_.try_emplace(agent + "|" + name, name);
      std::vector<agent::snmp::Neighbour> neighbours;
      for (const auto& row : input.at("neighbours")) {
        agent::snmp::Neighbour n;
        n.device = row.at(0).get<std::string>();
        n.if_index = row.at(1).get<uint32_t>();
        n.port = row.at(2).get<std::string>();
        n.address = row.at(3).get<std::string>();
        n.voice_vlan = row.at(4).get<uint32_t>();
        n.platform = "Cisco IP Phone";
        neighbours.push_back(std::move(n));
      }
      return it->second.on_snapshot(input.at("time_us").get<int64_t>(), neighbours);
    }
    agent::snmp::PollContext poll;
    poll.origin = input.at("target").get<std::string>();
    poll.time_us = input.at("time_us").get<int64_t>();
    poll.sys_uptime_ticks = input.at("uptime").get<uint32_t>();
    auto [it, added] =
        interfaces_.try_emplace(agent + "|" + poll.origin, agent::snmp::InterfaceSettings{});
    std::vector<agent::snmp::InterfaceRow> rows;
    for (const auto& r : input.at("rows")) {
      agent::snmp::InterfaceRow row;
      row.if_index = r.at(0).get<uint32_t>();
      row.name = r.at(1).get<std::string>();
      row.in_errors = r.at(2).get<uint64_t>();
      row.out_errors = r.at(3).get<uint64_t>();
      row.oper_status = r.at(4).get<uint32_t>();
      rows.push_back(std::move(row));
    }
    return it->second.on_poll(poll, rows);
  }

  // A syslog line or a capture event, as it arrives.
  void add(const json& input) {
    const std::string type = input.at("t").get<std::string>();
    const std::string agent = input.at("agent").get<std::string>();
    if (type == "syslog") {
      agent::syslog::LineContext context;
      context.receive_time_us = input.at("recv_us").get<int64_t>();
      context.reference_time_us = context.receive_time_us;
      auto parsed = agent::syslog::parse_syslog_line(input.at("line").get<std::string>(), context);
      if (!parsed.recognised || parsed.event.kind() == v1::SYSLOG_OTHER)
        ++scenario_.unrecognised_lines;
      store(agent, std::move(parsed.event));
    } else if (type == "sccp") {
      // What agent/sccp's phone tracker emits for a connection reset or missed KeepAlives.
      v1::Event e;
      const std::string kind = input.at("kind").get<std::string>();
      e.set_kind(kind == "connection_lost" ? v1::CONNECTION_LOST : v1::KEEPALIVE_MISSED);
      e.set_event_time_us(input.at("time_us").get<int64_t>());
      e.set_receive_time_us(e.event_time_us());
      e.set_origin(input.at("cm").get<std::string>());
      e.set_source(v1::SOURCE_SCCP);
      auto* phone = e.mutable_phone();
      phone->set_device_name(input.at("device").get<std::string>());
      phone->set_ip(input.at("ip").get<std::string>());
      phone->set_cm_node(e.origin());
      phone->set_protocol("SCCP");
      if (kind == "connection_lost") phone->set_closed_by(input.at("closed_by").get<std::string>());
      store(agent, std::move(e));
    } else {
      throw std::runtime_error("unknown input type " + type);
    }
  }

  void store(const std::string& agent, v1::Event event) {
    StoredEvent s;
    s.id = static_cast<int64_t>(scenario_.events.size()) + 1;
    event.set_agent_id(agent);
    event.set_seq(++seq_[agent]);
    s.event = std::move(event);
    scenario_.events.push_back(std::move(s));
  }

  Scenario& scenario_;
  std::map<std::string, uint64_t> seq_;
  std::map<std::string, agent::snmp::TopologyTracker> topology_;
  std::map<std::string, agent::snmp::InterfaceAnalyzer> interfaces_;
};

Scenario scenario_of(const json& j) {
  Scenario s;
  s.id = j.at("id").get<std::string>();
  s.family = j.at("family").get<std::string>();
  s.variations = j.at("variations").dump();
  EventBuilder builder(s);
  builder.add_all(j.at("inputs"));
  for (const auto& i : j.at("truth").at("incidents")) {
    ExpectedIncident e;
    e.scope = {i.at("scope").at(0).get<std::string>(), i.at("scope").at(1).get<std::string>()};
    e.cause_kind = i.at("cause").at(0).get<std::string>();
    e.cause_subject = i.at("cause").at(1).get<std::string>();
    e.phones = i.at("phones").get<std::vector<std::string>>();
    for (const auto& same : i.at("same_phones_as"))
      e.same_phones_as.push_back({same.at(0).get<std::string>(), same.at(1).get<std::string>()});
    std::sort(e.phones.begin(), e.phones.end());
    s.expected.push_back(std::move(e));
  }
  return s;
}

// "sw-3f member 2", "ucm-sub1", "sw-3f Gi2/0/5" -> the host it names.
std::string subject_host(const std::string& subject) {
  return short_host(subject.substr(0, subject.find(' ')));
}

bool cause_is(const collector::correlate::Cause& c, const ExpectedIncident& e) {
  if (c.kind != e.cause_kind) return false;
  // The reason mix as the cause names the incident's own scope, right or wrong: the scope is
  // scored apart, so here only the kind counts.
  if (c.kind == "planned_change" || c.kind == "security" || c.kind == "config") return true;
  return subject_host(c.subject) == short_host(e.cause_subject);
}

size_t shared_phones(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  return both.size();
}

std::string describe(const Incident& i) {
  std::ostringstream out;
  out << i.scope.type << " " << i.scope.name << ", " << i.phones.size() << " phones, causes";
  for (size_t k = 0; k < i.causes.size() && k < 3; ++k) {
    char score[16];
    std::snprintf(score, sizeof score, "%.2f", i.causes[k].score);
    out << (k ? "; " : " ") << i.causes[k].kind << " " << i.causes[k].subject << " " << score;
  }
  return out.str();
}

std::string describe(const ExpectedIncident& e) {
  return e.scope.type + " " + e.scope.name + ", " + std::to_string(e.phones.size()) +
         " phones, cause " + e.cause_kind + " " + e.cause_subject;
}

}  // namespace

Corpus load_corpus(const std::string& path) {
  Corpus corpus;
  std::string text;
  if (!read_gzip(path, text)) {
    corpus.error = "cannot read " + path;
    return corpus;
  }
  size_t line_number = 0;
  for (size_t begin = 0; begin < text.size();) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    ++line_number;
    const std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    try {
      corpus.scenarios.push_back(scenario_of(json::parse(line)));
    } catch (const std::exception& e) {  // test data, read at start: not the data path
      corpus.error = path + ":" + std::to_string(line_number) + ": " + e.what();
      return corpus;
    }
  }
  return corpus;
}

Report score(const std::vector<Scenario>& scenarios,
             const collector::correlate::CorrelationSettings& settings) {
  Report r;
  for (const Scenario& s : scenarios) {
    ++r.scenarios;
    r.events += s.events.size();
    const std::vector<Incident> got = collector::correlate::correlate(s.events, settings);
    std::vector<bool> used(got.size(), false);
    if (s.expected.empty()) ++r.churn_scenarios;
    for (const ExpectedIncident& e : s.expected) {
      ++r.expected;
      size_t best = got.size(), best_shared = 0;
      for (size_t k = 0; k < got.size(); ++k) {
        const size_t shared = shared_phones(got[k].phones, e.phones);
        if (shared > best_shared && !used[k]) {
          best = k;
          best_shared = shared;
        }
      }
      if (best == got.size()) {
        r.misses.push_back({s.id, "missed", describe(e), "no incident with its phones"});
        continue;
      }
      used[best] = true;
      ++r.detected;
      const Incident& i = got[best];
      const bool top1 = !i.causes.empty() && cause_is(i.causes[0], e);
      bool top3 = false;
      for (size_t k = 0; k < i.causes.size() && k < 3; ++k) top3 = top3 || cause_is(i.causes[k], e);
      const bool scope = i.scope == e.scope;
      const bool tie = !scope && std::find(e.same_phones_as.begin(), e.same_phones_as.end(),
                                           i.scope) != e.same_phones_as.end();
      const bool count = i.phones.size() == e.phones.size();
      const bool phones = i.phones == e.phones;
      r.top1 += top1;
      r.top3 += top3;
      r.exact_scope += scope;
      r.scope_ties += tie;
      r.exact_count += count;
      r.exact_phones += phones;
      const size_t both = shared_phones(i.phones, e.phones);
      const std::string difference =
          phones ? ""
                 : " (" + std::to_string(i.phones.size() - both) + " not the story's, " +
                       std::to_string(e.phones.size() - both) + " of its missing)";
      const auto miss = [&](const char* what) {
        Miss m{s.id, what, describe(e), describe(i) + difference, false};
        m.scope_tie = tie;
        r.misses.push_back(std::move(m));
      };
      if (!top1) miss(top3 ? "top1" : "top3");
      if (!scope) miss("scope");
      if (!count) miss("count");
    }
    for (size_t k = 0; k < got.size(); ++k) {
      if (used[k]) continue;
      (s.expected.empty() ? r.churn_incidents : r.extra_incidents) += 1;
      r.misses.push_back({s.id, "extra", "nothing", describe(got[k])});
    }
  }
  return r;
}

std::string format_report(const Report& r) {
  const auto pct = [](size_t n, size_t of) {
    char text[64];
    std::snprintf(text, sizeof text, "%zu/%zu (%.1f %%)", n, of,
                  of ? 100.0 * static_cast<double>(n) / static_cast<double>(of) : 0.0);
    return std::string(text);
  };
  std::ostringstream out;
  out << "scenarios                  " << r.scenarios << " (" << r.events << " events, "
      << r.churn_scenarios << " churn only)\n"
      << "expected incidents         " << r.expected << "\n"
      << "detected                   " << pct(r.detected, r.expected) << "\n"
      << "top-1 cause                " << pct(r.top1, r.expected) << "\n"
      << "top-3 cause                " << pct(r.top3, r.expected) << "\n"
      << "exact scope                " << pct(r.exact_scope, r.expected) << "\n"
      << "  or a scope tie           " << pct(r.exact_scope + r.scope_ties, r.expected) << "\n"
      << "exact phone count          " << pct(r.exact_count, r.expected) << "\n"
      << "exact phone set            " << pct(r.exact_phones, r.expected) << "\n"
      << "incidents from churn       " << r.churn_incidents << " in " << r.churn_scenarios
      << " churn-only scenarios\n"
      << "extra incidents elsewhere  " << r.extra_incidents << "\n"
      << "misses                     " << r.misses.size() << "\n";
  for (const Miss& m : r.misses) {
    out << "MISS " << m.scenario << " " << m.what
        << (m.scope_tie ? " (scope tie: same phones in both scopes)" : "") << ": expected "
        << m.expected << "; got " << m.got << "\n";
  }
  return out.str();
}

}  // namespace regwatch::accuracy
