#pragma once
// Diagnosis accuracy over the labelled corpus (issue 16): loads the scenarios of
// tests/data/accuracy/corpus.jsonl.gz (written by make_corpus.py there), turns each one's inputs
// into stored events through the agent's real parsers (syslog lines through parse_syslog_line,
// CDP polls through snmp::TopologyTracker, IF-MIB polls through snmp::InterfaceAnalyzer; SCCP
// capture events as the phone tracker emits them), correlates them and scores the incidents
// against the scenario's truth. Shared by bench/diagnosis_accuracy (prints the report) and
// tests/correlate/diagnosis_accuracy_test (the same report, with floors).
//
// Scoring, per expected incident: the reported incident sharing the most phones with it is its
// match (none: missed). Top-1: the match's first cause has the expected kind and names the
// expected device (its subject's host; a cause that is the reason mix itself, planned_change,
// security or config, names the incident's scope, so only its kind is compared); top-3: so does
// one of its first three. Exact scope: same
// type and name; a scope tie: a scope holding exactly the expected scope's phones was named
// instead (the phones cannot decide; counted apart). Exact phone count: as many phones as expected.
// Reported incidents that match nothing expected are extra: "from churn" in scenarios that expect
// none.
//
// Single-threaded, no globals. A corpus that cannot be read or parsed is an error string, not an
// exception.
#include <cstddef>
#include <string>
#include <vector>

#include "collector/correlate/correlator.h"
#include "collector/correlate/incident.h"

namespace regwatch::accuracy {

struct ExpectedIncident {
  collector::correlate::Scope scope;
  std::string cause_kind;
  std::string cause_subject;        // a host: a CM node or a switch
  std::vector<std::string> phones;  // sorted
  // Scopes holding exactly the expected scope's phones (a switch of one member and its module
  // 1, a CM node whose phones are all one switch's): naming one of them is a scope tie.
  std::vector<collector::correlate::Scope> same_phones_as;
};

struct Scenario {
  std::string id;
  std::string family;
  std::string variations;  // JSON, for reading a miss
  std::vector<collector::correlate::StoredEvent> events;
  std::vector<ExpectedIncident> expected;  // empty: nothing should be reported
  size_t unrecognised_lines = 0;           // syslog lines the parser kept as SYSLOG_OTHER
};

struct Corpus {
  std::vector<Scenario> scenarios;
  std::string error;  // set when the file could not be read or a line was not a scenario
};

Corpus load_corpus(const std::string& path);

struct Miss {
  std::string scenario;
  std::string what;  // missed, extra, top1, top3, scope, count
  std::string expected;
  std::string got;
  bool scope_tie = false;  // the scope differs but holds exactly the expected scope's phones
};

struct Report {
  size_t scenarios = 0;
  size_t expected = 0;         // incidents in the truth
  size_t detected = 0;         // of them, matched by a reported incident
  size_t top1 = 0, top3 = 0;   // cause right first / in the first three
  size_t exact_scope = 0;      // scope type and name right
  size_t scope_ties = 0;       // a scope holding exactly the same phones named instead
  size_t exact_count = 0;      // phone count right
  size_t exact_phones = 0;     // phone set right
  size_t churn_scenarios = 0;  // scenarios that expect no incident
  size_t churn_incidents = 0;  // incidents reported in them
  size_t extra_incidents = 0;  // incidents beside the expected ones, in the others
  size_t events = 0;           // stored events correlated, all scenarios
  std::vector<Miss> misses;
};

Report score(const std::vector<Scenario>& scenarios,
             const collector::correlate::CorrelationSettings& settings = {});

// The figures, then one line per miss.
std::string format_report(const Report& report);

}  // namespace regwatch::accuracy
