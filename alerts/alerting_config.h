#pragma once
// The collector's `alerting:` section: which incidents become alerts (rules),
// where alerts go (receivers), and how delivery behaves. Member initialisers
// are the defaults; default_alert_rules() is the shipped rule set.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alerts/label_matcher.h"
#include "common/yaml_config.h"

namespace regwatch::alerts {

// An incident rule: the first rule whose classes and size match an incident
// makes its alert. notify: false records the match and never sends (planned work).
struct AlertRule {
  std::string alert;                 // the alert's name (label alertname)
  std::vector<std::string> classes;  // incident classes; empty = any
  uint32_t min_phones = 0;
  std::string severity = "warning";  // critical, warning, info
  // Raised to critical from this many phones, or for a burst over a whole CM node or cluster.
  uint32_t critical_min_phones = 50;
  std::vector<std::string> critical_scopes = {"cluster", "cm_node"};
  bool notify = true;
  bool operator==(const AlertRule&) const = default;
};

std::vector<AlertRule> default_alert_rules();

// A condition rule: a state of the voice network, or of regwatch itself, worth a page of its
// own (alerts/condition_rules.h evaluates them). It fires while its evidence is recent and
// resolves once there has been none for window_s (and flap_hold_s more: see AlertingConfig).
struct ConditionRule {
  std::string alert;      // the alert's name (label alertname)
  std::string condition;  // one of condition_kinds()
  std::string severity = "warning";
  uint32_t window_s = 600;
  // phone_stuck: failures of one phone within window_s; registered_drop: percent below the
  // window's highest count; agent_silent / source_silent: seconds without an event.
  double threshold = 0;
  bool notify = true;
  bool operator==(const ConditionRule&) const = default;
};

// What each condition means, by name: heartbeat_low, cm_cpu, cm_down, phone_stuck,
// registered_drop, agent_silent, agent_drops, source_silent.
const std::map<std::string, std::string>& condition_kinds();
std::vector<ConditionRule> default_condition_rules();

// While an alert matching `source` fires, alerts matching `target` that carry the same values
// for every `equal` label are held (a CM node down inhibits the bursts it explains).
// In the file: `source: {label: value}` (equality) and/or Alertmanager's
// `source_matchers: ['alertname=~"CallManager.*"']`; the same for target.
struct InhibitRule {
  Matchers source;
  Matchers target;
  std::vector<std::string> equal;
  bool operator==(const InhibitRule&) const = default;
};

std::vector<InhibitRule> default_inhibit_rules();

struct ReceiverConfig {
  std::string name;
  std::string type;  // webhook (Alertmanager v4 JSON), email, pagerduty, alertmanager (API v2)
  std::string url;   // webhook / pagerduty events endpoint / alertmanager base URL
  // email
  std::string smtp_url;  // smtp://host:port (STARTTLS when starttls) or smtps://host:port
  bool starttls = true;
  std::string from;
  std::vector<std::string> to;
  std::string username;
  std::string password_env;  // the SMTP password's environment variable
  // TLS (smtps, STARTTLS, https): the CA that signed the server's certificate, when it is not
  // one the system trusts (a private CA).
  std::string ca_file;
  // pagerduty
  std::string routing_key_env;  // the integration key's environment variable
  // Only alerts these match: `match: {severity: critical}` (equality) and/or Alertmanager's
  // `matchers: ['severity=~"critical|warning"', 'class!=planned']`.
  Matchers match;
  // Alerts with the same values for these labels go out together, one notification for the
  // group (webhook, alertmanager, email; PagerDuty takes each alert apart). Empty: each alert
  // alone.
  std::vector<std::string> group_by;
  uint32_t timeout_s = 10;
  bool operator==(const ReceiverConfig&) const = default;
};

// A routing tree, Alertmanager's way: an alert enters at the root and walks its routes in
// order; the first whose matchers all match it takes it (and walks that route's own
// routes), unless continue is set, when the walk goes on to the next sibling too. A route
// whose children took nothing sends the alert to its own receiver. Its matchers: `match`
// (equality map) and/or `matchers` (Alertmanager's list), as for a receiver.
struct Route {
  Matchers match;
  std::string receiver;  // empty: the parent's
  bool continue_matching = false;
  std::vector<Route> routes;
  bool operator==(const Route&) const = default;
};

struct AlertingConfig {
  std::vector<ReceiverConfig> receivers;  // none: alerting is off
  std::vector<AlertRule> rules = default_alert_rules();
  // The first notification of an incident waits this long, so it carries the causes that
  // arrive with the burst.
  uint32_t group_wait_s = 10;
  // After a group's notification, the next one for that group (alerts added, resolved) waits
  // this long, so a growing outage is a few notifications rather than one per alert.
  uint32_t group_interval_s = 300;
  // An incident still open is notified again this long after its last notification.
  uint32_t repeat_interval_s = 14400;
  // Alertmanager receivers: alerts still firing are re-sent this often, each valid for four
  // of these (endsAt), as Prometheus does, so the alerts of a collector that died expire on
  // their own instead of staying active.
  uint32_t resend_interval_s = 60;
  // Where people reach the dashboard (the collector's http.external_url, not a key of its own
  // here): payloads link each alert to its page under it. "" = no links.
  std::string external_url;
  // Incidents that ended longer ago (a replayed archive, a postmortem) never notify.
  uint32_t max_incident_age_s = 3600;
  uint32_t retry_min_s = 5;    // backoff doubles from here...
  uint32_t retry_max_s = 300;  // ... up to here
  uint32_t give_up_after_s = 86400;
  std::vector<ConditionRule> conditions = default_condition_rules();
  uint32_t evaluate_every_s = 15;  // conditions are evaluated this often
  // A condition no longer met is resolved only after this long, so one that comes and goes
  // stays one alert instead of a page per swing.
  uint32_t flap_hold_s = 300;
  // Incidents: at most this many pages per alert name and scope within flap_window_s; a scope
  // that keeps bursting is not paged again until it has been quiet that long.
  uint32_t flap_max_pages = 3;
  uint32_t flap_window_s = 3600;
  std::vector<InhibitRule> inhibit_rules = default_inhibit_rules();
  // Added to every alert's labels (an alert's own label of the same name wins): which
  // regwatch, site or region it comes from, for routing in a shared Alertmanager.
  std::map<std::string, std::string> external_labels;
  // When set, it decides who gets each alert (receivers' match must then be empty); without
  // it every receiver whose match labels an alert carries gets it.
  std::optional<Route> route;
  // A reload (SIGHUP) re-applies alerting only when something in it changed.
  bool operator==(const AlertingConfig&) const = default;
};

// The receivers that get an alert with these labels.
std::vector<std::string> receivers_for(const AlertingConfig& config,
                                       const std::map<std::string, std::string>& labels);

// Reads `alerting:` (node may be absent: the defaults). Errors go to the map's ConfigErrors,
// each at its key's line: syntax, a bad matcher or regex, a label no alert carries (with
// the name meant).
void read_alerting_config(config::YamlMap& alerting, AlertingConfig& config);
// Everything start-up relies on beyond syntax (receivers complete, URLs well formed, secrets'
// environment variables set, CA files readable, ranges), each at its key's line when the
// file set it (config::ConfigErrors::add_at).
void check_alerting_config(const AlertingConfig& config, config::ConfigErrors& errors);
// check_alerting_config without a file: empty when valid, otherwise one line per problem.
std::string alerting_config_problems(const AlertingConfig& config);

}  // namespace regwatch::alerts
