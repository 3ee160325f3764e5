#include "alerts/alerting_config.h"

#include <algorithm>
#include <set>

#include "alerts/notifiers/notifier_registry.h"

namespace regwatch::alerts {

std::vector<AlertRule> default_alert_rules() {
  AlertRule burst;
  burst.alert = "RegistrationBurst";
  burst.classes = {"infrastructure", "security", "config", "storm"};
  AlertRule planned;
  planned.alert = "PlannedRegistrationBurst";
  planned.classes = {"planned"};
  planned.severity = "info";
  planned.critical_min_phones = 0;
  planned.critical_scopes = {};
  planned.notify = false;  // an administrator's restart or apply-config must not page
  return {burst, planned};
}

const std::map<std::string, std::string>& condition_kinds() {
  static const std::map<std::string, std::string> kinds = {
      {"heartbeat_low", "a CM node reports LowCallManagerHeartbeatRate (per node)"},
      {"cm_cpu",
       "a CM node's CPU is pegged: CpuPegging / CodeYellow alerts, or SNMP CPU high "
       "on a host polled as role cucm (per node)"},
      {"cm_down", "ccmCallManagerFailed trap: a CM service failed (per node)"},
      {"phone_stuck",
       "a phone failed registration or its config's authentication threshold "
       "times within window_s and has not registered since (one alert, all "
       "such phones)"},
      {"registered_drop",
       "a CM node's registered-phone count (SNMP) fell threshold percent "
       "below its highest within window_s (per node)"},
      {"agent_silent", "an agent that was sending live events sent none for threshold seconds"},
      {"phones_still_down",
       "phones of a burst that have not registered again threshold seconds after the "
       "incident quieted (watched for window_s after it; per incident; resolves as they "
       "come back)"},
      {"agent_drops", "an agent reported dropping events (spool full) within window_s"},
      {"source_silent",
       "a device that was sending live events (syslog, SNMP) sent none for "
       "threshold seconds (per device and input)"}};
  return kinds;
}

std::vector<ConditionRule> default_condition_rules() {
  auto rule = [](const char* alert, const char* condition, const char* severity, uint32_t window_s,
                 double threshold) {
    ConditionRule r;
    r.alert = alert;
    r.condition = condition;
    r.severity = severity;
    r.window_s = window_s;
    r.threshold = threshold;
    return r;
  };
  return {rule("CallManagerHeartbeatLow", "heartbeat_low", "critical", 600, 0),
          rule("CallManagerCpuPegging", "cm_cpu", "critical", 600, 0),
          rule("CallManagerDown", "cm_down", "critical", 900, 0),
          rule("PhoneStuckInRegistrationFailure", "phone_stuck", "warning", 900, 3),
          rule("RegisteredPhonesDropped", "registered_drop", "critical", 300, 10),
          rule("AgentSilent", "agent_silent", "warning", 600, 600),
          rule("AgentDroppingEvents", "agent_drops", "warning", 900, 0),
          rule("SourceSilent", "source_silent", "warning", 600, 1800),
          rule("PhonesStillDown", "phones_still_down", "warning", 86400, 1800)};
}

std::vector<InhibitRule> default_inhibit_rules() {
  return {{{{"alertname", "CallManagerDown"}}, {{"alertname", "RegistrationBurst"}}, {"cm_node"}},
          {{{"alertname", "CallManagerDown"}},
           {{"alertname", "CallManagerHeartbeatLow"}},
           {"cm_node"}}};
}

namespace {

// `map_key: {label: value}` (equality, the original form) and `list_key: ['label=~"re"']`
// (Alertmanager's) into out; every matcher checked (syntax, regex, a label alerts carry).
void read_matchers(config::YamlMap& node, const char* map_key, const char* list_key,
                   const std::vector<std::string>& label_names, Matchers& out) {
  std::map<std::string, std::string> equal;
  node.read(map_key, equal);
  std::vector<std::string> texts;
  node.read(list_key, texts);
  if (!node.has(map_key) && !node.has(list_key)) return;
  out.clear();
  for (const auto& [name, value] : equal) {
    auto m = LabelMatcher::make(name, MatchType::kEqual, value);
    if (!m.ok()) {
      node.error(map_key, m.error().message);
    } else if (auto known = check_label_name(name, label_names); !known.ok()) {
      node.error(map_key, known.error().message);
    } else {
      out.push_back(std::move(m).value());
    }
  }
  for (const auto& text : texts) {
    auto m = LabelMatcher::parse(text);
    if (!m.ok()) {
      node.error(list_key, m.error().message);
    } else if (auto known = check_label_name(m->name(), label_names); !known.ok()) {
      node.error(list_key, m->to_string() + ": " + known.error().message);
    } else {
      out.push_back(std::move(m).value());
    }
  }
}

void read_route(config::YamlMap& node, const std::vector<std::string>& label_names, Route& route) {
  read_matchers(node, "match", "matchers", label_names, route.match);
  node.read("receiver", route.receiver);
  node.read("continue", route.continue_matching);
  for (auto& child : node.list("routes")) {
    Route r;
    read_route(child, label_names, r);
    child.finish();
    route.routes.push_back(std::move(r));
  }
}

// Walks the route's children; true when one took the alert (its receivers added to out).
bool walk(const Route& route, const std::string& inherited,
          const std::map<std::string, std::string>& labels, std::vector<std::string>& out) {
  const std::string receiver = route.receiver.empty() ? inherited : route.receiver;
  bool taken = false;
  for (const auto& child : route.routes) {
    if (!matches_all(child.match, labels)) continue;
    if (!walk(child, receiver, labels, out)) {
      const std::string& to = child.receiver.empty() ? receiver : child.receiver;
      if (std::find(out.begin(), out.end(), to) == out.end()) out.push_back(to);
    }
    taken = true;
    if (!child.continue_matching) break;
  }
  return taken;
}

void check_route(const Route& route, const std::string& at, const std::set<std::string>& names,
                 config::ConfigErrors& errors) {
  if (!route.receiver.empty() && !names.count(route.receiver))
    errors.add_at(at, "no receiver named '" + route.receiver + "'", at + ".receiver");
  for (size_t i = 0; i < route.routes.size(); ++i)
    check_route(route.routes[i], at + ".routes[" + std::to_string(i) + "]", names, errors);
}

}  // namespace

std::vector<std::string> receivers_for(const AlertingConfig& config,
                                       const std::map<std::string, std::string>& labels) {
  std::vector<std::string> out;
  if (!config.route) {
    for (const auto& r : config.receivers) {
      if (matches_all(r.match, labels)) out.push_back(r.name);
    }
    return out;
  }
  if (!walk(*config.route, config.route->receiver, labels, out) && !config.route->receiver.empty())
    out.push_back(config.route->receiver);
  return out;
}

void read_alerting_config(config::YamlMap& alerting, AlertingConfig& config) {
  alerting.read("group_wait_s", config.group_wait_s);
  alerting.read("max_incident_age_s", config.max_incident_age_s);
  alerting.read("repeat_interval_s", config.repeat_interval_s);
  alerting.read("resend_interval_s", config.resend_interval_s);
  alerting.read("group_interval_s", config.group_interval_s);
  alerting.read("external_labels", config.external_labels);
  alerting.read("retry_min_s", config.retry_min_s);
  alerting.read("retry_max_s", config.retry_max_s);
  alerting.read("give_up_after_s", config.give_up_after_s);
  alerting.read("evaluate_every_s", config.evaluate_every_s);
  alerting.read("flap_hold_s", config.flap_hold_s);
  alerting.read("flap_max_pages", config.flap_max_pages);
  alerting.read("flap_window_s", config.flap_window_s);
  const auto label_names = alert_label_names(config.external_labels);
  if (alerting.has("route")) {
    auto route = alerting.child("route");
    config.route.emplace();
    read_route(route, label_names, *config.route);
    route.finish();
  }
  auto conditions = alerting.list("conditions");
  if (alerting.has("conditions")) config.conditions.clear();  // replaces the shipped set; [] = none
  for (auto& item : conditions) {
    ConditionRule rule;
    item.read("alert", rule.alert);
    item.read("condition", rule.condition);
    item.read("severity", rule.severity);
    item.read("window_s", rule.window_s);
    item.read("threshold", rule.threshold);
    item.read("notify", rule.notify);
    item.finish();
    config.conditions.push_back(std::move(rule));
  }
  auto inhibit = alerting.list("inhibit_rules");
  if (alerting.has("inhibit_rules")) config.inhibit_rules.clear();
  for (auto& item : inhibit) {
    InhibitRule rule;
    read_matchers(item, "source", "source_matchers", label_names, rule.source);
    read_matchers(item, "target", "target_matchers", label_names, rule.target);
    item.read("equal", rule.equal);
    item.finish();
    config.inhibit_rules.push_back(std::move(rule));
  }
  for (auto& item : alerting.list("receivers")) {
    ReceiverConfig r;
    item.read("name", r.name);
    item.read("type", r.type);
    item.read("url", r.url);
    item.read("smtp_url", r.smtp_url);
    item.read("starttls", r.starttls);
    item.read("from", r.from);
    item.read("to", r.to);
    item.read("username", r.username);
    item.read("password_env", r.password_env);
    item.read("ca_file", r.ca_file);
    item.read("routing_key_env", r.routing_key_env);
    read_matchers(item, "match", "matchers", label_names, r.match);
    item.read("group_by", r.group_by);
    item.read("timeout_s", r.timeout_s);
    item.finish();
    config.receivers.push_back(std::move(r));
  }
  auto rules = alerting.list("rules");
  if (!rules.empty()) config.rules.clear();  // a rules list replaces the shipped set
  for (auto& item : rules) {
    AlertRule rule;
    item.read("alert", rule.alert);
    item.read("classes", rule.classes);
    item.read("min_phones", rule.min_phones);
    item.read("severity", rule.severity);
    item.read("critical_min_phones", rule.critical_min_phones);
    item.read("critical_scopes", rule.critical_scopes);
    item.read("notify", rule.notify);
    item.finish();
    config.rules.push_back(std::move(rule));
  }
}

void check_alerting_config(const AlertingConfig& config, config::ConfigErrors& errors) {
  std::set<std::string> names;
  const NotifierRegistry& types = builtin_notifiers();
  for (size_t i = 0; i < config.receivers.size(); ++i) {
    const auto& r = config.receivers[i];
    const std::string at = "alerting.receivers[" + std::to_string(i) + "]";
    const auto problem = [&](const char* key, const std::string& message) {
      errors.add_at(at, message, at + "." + key);
    };
    if (r.name.empty()) problem("name", "needs a name");
    if (!names.insert(r.name).second) problem("name", "the name '" + r.name + "' is taken");
    const NotifierType* type = types.find(r.type);
    if (!type) {
      problem("type", "type must be " + types.names_in_words());
      continue;
    }
    type->check(r, at, errors);  // the type's own keys (alerts/notifiers/<type>/)
    config::check_env_set(r.routing_key_env, at + ".routing_key_env", errors);
    config::check_readable_file(r.ca_file, at + ".ca_file", errors);
    if (r.timeout_s == 0) problem("timeout_s", "timeout_s must be >= 1");
  }
  const std::set<std::string> severities = {"critical", "warning", "info"};
  for (size_t i = 0; i < config.rules.size(); ++i) {
    const auto& rule = config.rules[i];
    const std::string at = "alerting.rules[" + std::to_string(i) + "]";
    if (rule.alert.empty()) errors.add_at(at, "needs an alert name");
    if (!severities.count(rule.severity))
      errors.add_at(at, "severity must be critical, warning or info", at + ".severity");
    for (const auto& c : rule.classes) {
      static const std::set<std::string> classes = {"infrastructure", "planned", "security",
                                                    "config", "storm"};
      if (!classes.count(c))
        errors.add_at(
            at, "unknown class '" + c + "' (infrastructure, planned, security, config, storm)",
            at + ".classes");
    }
  }
  for (size_t i = 0; i < config.conditions.size(); ++i) {
    const auto& rule = config.conditions[i];
    const std::string at = "alerting.conditions[" + std::to_string(i) + "]";
    if (rule.alert.empty()) errors.add_at(at, "needs an alert name");
    if (!condition_kinds().count(rule.condition)) {
      std::string message = "unknown condition '" + rule.condition + "' (";
      for (const auto& [name, meaning] : condition_kinds())
        message += name + (name == condition_kinds().rbegin()->first ? ")" : ", ");
      errors.add_at(at, message, at + ".condition");
    }
    if (!severities.count(rule.severity))
      errors.add_at(at, "severity must be critical, warning or info", at + ".severity");
    if (rule.window_s == 0) errors.add_at(at, "window_s must be >= 1", at + ".window_s");
    const bool needs_threshold =
        rule.condition == "phone_stuck" || rule.condition == "registered_drop" ||
        rule.condition == "agent_silent" || rule.condition == "source_silent" ||
        rule.condition == "phones_still_down";
    if (needs_threshold && rule.threshold <= 0)
      errors.add_at(at, rule.condition + " needs a threshold > 0", at + ".threshold");
    if (rule.condition == "registered_drop" && rule.threshold >= 100)
      errors.add_at(at, "registered_drop's threshold is a percent below 100", at + ".threshold");
  }
  for (size_t i = 0; i < config.inhibit_rules.size(); ++i) {
    const auto& rule = config.inhibit_rules[i];
    const std::string at = "alerting.inhibit_rules[" + std::to_string(i) + "]";
    if (rule.source.empty() || rule.target.empty())
      errors.add_at(at, "needs source and target label matchers");
  }
  if (config.route) {
    if (config.route->receiver.empty())
      errors.add_at("alerting.route", "needs a receiver (where alerts no route takes go)");
    check_route(*config.route, "alerting.route", names, errors);
    for (size_t i = 0; i < config.receivers.size(); ++i) {
      if (!config.receivers[i].match.empty()) {
        const std::string at = "alerting.receivers[" + std::to_string(i) + "]";
        errors.add_at(at, "match and a route tree together; put the match on a route",
                      at + ".match");
      }
    }
  }
  for (auto [key, value] : {std::pair{"evaluate_every_s", config.evaluate_every_s},
                            std::pair{"flap_max_pages", config.flap_max_pages},
                            std::pair{"repeat_interval_s", config.repeat_interval_s},
                            std::pair{"resend_interval_s", config.resend_interval_s}}) {
    if (value == 0)
      errors.add_at("alerting", std::string(key) + " must be >= 1", std::string("alerting.") + key);
  }
  if (config.retry_min_s == 0 || config.retry_max_s < config.retry_min_s)
    errors.add_at("alerting", "retry_min_s must be >= 1 and <= retry_max_s",
                  "alerting.retry_min_s");
}

std::string alerting_config_problems(const AlertingConfig& config) {
  config::ConfigErrors errors;
  check_alerting_config(config, errors);
  return errors.format("");
}

}  // namespace regwatch::alerts
