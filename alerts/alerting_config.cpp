#include "alerts/alerting_config.h"

#include <algorithm>
#include <set>

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

void read_alerting_config(config::YamlMap& alerting, AlertingConfig& config) {
  alerting.read("group_wait_s", config.group_wait_s);
  alerting.read("max_incident_age_s", config.max_incident_age_s);
  alerting.read("repeat_interval_s", config.repeat_interval_s);
  alerting.read("retry_min_s", config.retry_min_s);
  alerting.read("retry_max_s", config.retry_max_s);
  alerting.read("give_up_after_s", config.give_up_after_s);
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
    item.read("match", r.match);
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

std::string alerting_config_problems(const AlertingConfig& config) {
  std::string problems;
  std::set<std::string> names;
  const std::set<std::string> types = {"webhook", "email", "pagerduty", "alertmanager"};
  for (size_t i = 0; i < config.receivers.size(); ++i) {
    const auto& r = config.receivers[i];
    const std::string at = "alerting.receivers[" + std::to_string(i) + "]";
    if (r.name.empty()) problems += at + ": needs a name\n";
    if (!names.insert(r.name).second) problems += at + ": the name '" + r.name + "' is taken\n";
    if (!types.count(r.type)) {
      problems += at + ": type must be webhook, email, pagerduty or alertmanager\n";
      continue;
    }
    if (r.type == "email") {
      if (r.smtp_url.rfind("smtp://", 0) != 0 && r.smtp_url.rfind("smtps://", 0) != 0)
        problems += at + ": smtp_url must be smtp://HOST:PORT or smtps://HOST:PORT\n";
      if (r.from.empty()) problems += at + ": email needs from\n";
      if (r.to.empty()) problems += at + ": email needs at least one address in to\n";
    } else {
      if (r.url.rfind("http://", 0) != 0 && r.url.rfind("https://", 0) != 0)
        problems += at + ": url must be http:// or https://\n";
      if (r.type == "pagerduty" && r.routing_key_env.empty())
        problems += at + ": pagerduty needs routing_key_env (the integration key's variable)\n";
    }
    if (r.timeout_s == 0) problems += at + ": timeout_s must be >= 1\n";
  }
  const std::set<std::string> severities = {"critical", "warning", "info"};
  for (size_t i = 0; i < config.rules.size(); ++i) {
    const auto& rule = config.rules[i];
    const std::string at = "alerting.rules[" + std::to_string(i) + "]";
    if (rule.alert.empty()) problems += at + ": needs an alert name\n";
    if (!severities.count(rule.severity))
      problems += at + ": severity must be critical, warning or info\n";
    for (const auto& c : rule.classes) {
      static const std::set<std::string> classes = {"infrastructure", "planned", "security",
                                                    "config", "storm"};
      if (!classes.count(c))
        problems +=
            at + ": unknown class '" + c + "' (infrastructure, planned, security, config, storm)\n";
    }
  }
  if (config.repeat_interval_s == 0) problems += "alerting: repeat_interval_s must be >= 1\n";
  if (config.retry_min_s == 0 || config.retry_max_s < config.retry_min_s)
    problems += "alerting: retry_min_s must be >= 1 and <= retry_max_s\n";
  return problems;
}

}  // namespace regwatch::alerts
