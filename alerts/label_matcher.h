#pragma once
// Label matchers as Alertmanager and amtool write them, the one definition used by
// silences (store, query service, CLI) and the alerting config (routes, receivers,
// inhibit rules):
//
//   name=value   name!=value   name=~regex   name!~regex
//
// The value may be double-quoted (`scope=~"ucm-.*"`; inside quotes \" and \\ are a quote
// and a backslash, other escapes are kept for the regex); without quotes it runs to the
// end, spaces around it trimmed. Semantics are Alertmanager's:
//   - a label the alert does not carry has the empty value, so `cm_node=""` matches alerts
//     without a cm_node and `cm_node!=""` those with one;
//   - a regex is fully anchored, `^(?:regex)$`, so `scope=~"ucm"` does not match "ucm-sub1";
//   - regexes are RE2 (Go's regexp is the same syntax and also linear time): matching is
//     linear in the label's length whatever the pattern, so an operator's or a config's
//     pattern can never stall the dispatcher (docs/decisions.md).
//
// Bad input (syntax, a regex that does not compile) is an Error, never an exception.
// A LabelMatcher is immutable after parse; copies share the compiled regex, and matches()
// may be called from any thread.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace re2 {
class RE2;
}

namespace regwatch::alerts {

enum class MatchType { kEqual, kNotEqual, kRegex, kNotRegex };

using Labels = std::map<std::string, std::string>;

class LabelMatcher {
 public:
  // Equality (the config's map form, old silences): `name=value`. Implicit so that a
  // brace list `{{"severity", "critical"}}` reads as it always has.
  LabelMatcher(std::string name, std::string value);  // NOLINT(google-explicit-constructor)

  // `scope=~"ucm-.*"`, `severity!=warning`, ...
  static Result<LabelMatcher> parse(std::string_view text);
  // From parts (the proto's fields): validates the name and compiles a regex.
  static Result<LabelMatcher> make(std::string name, MatchType type, std::string value);

  // Whether the alert's labels satisfy it (absent label == "").
  bool matches(const Labels& labels) const;
  // Whether an alert without this label would match (Alertmanager refuses silences
  // all of whose matchers do: they would silence everything).
  bool matches_empty() const { return matches(Labels{}); }

  // Alertmanager's form, value always quoted: `scope=~"ucm-.*"`. parse(to_string()) == *this.
  std::string to_string() const;

  const std::string& name() const { return name_; }
  MatchType type() const { return type_; }
  const std::string& value() const { return value_; }
  bool operator==(const LabelMatcher& other) const {
    return name_ == other.name_ && type_ == other.type_ && value_ == other.value_;
  }

 private:
  LabelMatcher() = default;
  std::string name_;
  MatchType type_ = MatchType::kEqual;
  std::string value_;
  std::shared_ptr<const re2::RE2> regex_;  // kRegex / kNotRegex only
};

using Matchers = std::vector<LabelMatcher>;

// All of them hold (true for none: an empty route match takes everything).
bool matches_all(const Matchers& matchers, const Labels& labels);

// "=", "!=", "=~", "!~".
const char* operator_text(MatchType type);

// The label names regwatch's alerts carry (incident alerts: alertname, severity, class,
// scope_type, scope, incident, cause, cause_subject, cm_node, switch, cluster; condition
// alerts: condition, cm_node, agent, source, input, ...), plus the config's
// external_labels. The one list: alerts/incident_alert.cpp and alerts/condition_rules.cpp
// set only these (tests/alerts checks it).
std::vector<std::string> alert_label_names(const Labels& external_labels = {});

// Error for a name no alert carries, with the closest known name: "no alert carries the
// label 'scoep' (did you mean 'scope'?); labels: alertname, ...".
Status check_label_name(const std::string& name, const std::vector<std::string>& known);

// A silence's matchers: its label_matchers, then its legacy equality map (older CLIs).
Result<Matchers> matchers_of(const regwatch::v1::Silence& silence);
// Whether every matcher of the silence matches the labels (false for a silence without
// matchers, or one whose matchers do not parse).
bool silences(const regwatch::v1::Silence& silence, const Labels& labels);
regwatch::v1::LabelMatcher to_proto(const LabelMatcher& matcher);

}  // namespace regwatch::alerts
