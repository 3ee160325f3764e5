// Incidents to alerts: which rule matches, the severity, labels that route,
// and each receiver's payload format (the limits and fields receivers rely on).
#include <gtest/gtest.h>

#include <algorithm>

#include "alerts/alert_payloads.h"
#include "alerts/alerting_config.h"
#include "alerts/incident_alert.h"
#include "tests/alerts/incident_fixture.h"

namespace regwatch::alerts {
namespace {

using Json = nlohmann::ordered_json;

Json incident_doc(const std::string& incident_class, int phones, const std::string& scope_type) {
  return {{"id", scope_type + ":x@1"},
          {"state", "open"},
          {"class", incident_class},
          {"scope", {{"type", scope_type}, {"name", "x"}}},
          {"start_time", "2026-11-20T09:14:20.431Z"},
          {"end_time", "2026-11-20T09:14:29.851Z"},
          {"phone_count", phones},
          {"phones_by_cm", {{"ucm-sub1", phones}}},
          {"phones_by_switch", {{"unknown", phones}}},
          {"causes",
           {{{"kind", "link_down"},
             {"subject", "sw-3f Gi1/0/48"},
             {"score", 0.9},
             {"explanation", "uplink down 2 s before"},
             {"remediation", "check the uplink"},
             {"evidence", {7}}}}}};
}

v1::Incident incident(const std::string& incident_class, int phones,
                      const std::string& scope_type) {
  return record_of(incident_doc(incident_class, phones, scope_type));
}

TEST(IncidentAlert, DefaultRulesPageBurstsButNotPlannedWork) {
  const auto rules = default_alert_rules();
  auto burst = alert_for_incident(incident("infrastructure", 31, "module"), rules);
  ASSERT_TRUE(burst.has_value());
  EXPECT_TRUE(burst->notify);
  EXPECT_EQ(burst->labels.at("alertname"), "RegistrationBurst");
  EXPECT_EQ(burst->labels.at("severity"), "warning");  // 31 phones on one module
  EXPECT_EQ(burst->labels.at("cause"), "link_down");
  EXPECT_EQ(burst->labels.at("cm_node"), "ucm-sub1");
  EXPECT_EQ(burst->labels.count("switch"), 0u);  // "unknown" is no switch
  EXPECT_EQ(burst->annotations.at("summary"),
            "31 phones unregistered on module x: link_down on sw-3f Gi1/0/48");
  EXPECT_EQ(
      alert_for_incident(incident("infrastructure", 60, "module"), rules)->labels.at("severity"),
      "critical");
  EXPECT_EQ(alert_for_incident(incident("security", 12, "cm_node"), rules)->labels.at("severity"),
            "critical");
  auto planned = alert_for_incident(incident("planned", 200, "cluster"), rules);
  ASSERT_TRUE(planned.has_value());
  EXPECT_FALSE(planned->notify);
}

TEST(IncidentAlert, ThePageSaysWhichOtherScopesWentDownWhole) {
  // A stack member whose phones are exactly one /24 (collector/correlate/scope_choice.h).
  Json member = incident_doc("infrastructure", 26, "module");
  member["scope"]["name"] = "sw-4f/3";
  member["also_scopes"] = Json::array({{{"type", "subnet"}, {"name", "10.88.3.0/24"}}});
  const auto alert = alert_for_incident(record_of(member), default_alert_rules());
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->labels.at("scope"), "sw-4f/3");  // the page is routed by the one scope chosen
  EXPECT_EQ(alert->annotations.at("summary"),
            "26 phones unregistered on module sw-4f/3 (also all of subnet 10.88.3.0/24): "
            "link_down on sw-3f Gi1/0/48");
  EXPECT_EQ(alert->annotations.at("also_scopes"), "also all of subnet 10.88.3.0/24");
  EXPECT_EQ(alert->annotations.at("description")
                .rfind("26 phones on module sw-4f/3, also all of subnet 10.88.3.0/24\n", 0),
            0u)
      << alert->annotations.at("description");
  // Without it, nothing is said.
  EXPECT_EQ(alert_for_incident(incident("infrastructure", 26, "module"), default_alert_rules())
                ->annotations.count("also_scopes"),
            0u);
}

TEST(IncidentAlert, ReceiversTakeWhatTheirMatchLabelsSay) {
  auto alert = *alert_for_incident(incident("infrastructure", 60, "module"), default_alert_rules());
  AlertingConfig config;
  config.receivers.resize(2);
  config.receivers[0].name = "mail";
  config.receivers[1].name = "pager";
  config.receivers[1].match = {{"severity", "critical"}};
  EXPECT_EQ(receivers_for(config, alert.labels), (std::vector<std::string>{"mail", "pager"}));
  config.receivers[1].match = {{"severity", "critical"}, {"class", "security"}};
  EXPECT_EQ(receivers_for(config, alert.labels), std::vector<std::string>{"mail"});
}

TEST(AlertRouting, TheTreeSendsToTheFirstMatchingRouteOrItsOwnReceiver) {
  AlertingConfig config;
  for (const char* name : {"mail", "pager", "chatops", "voice-team"}) {
    ReceiverConfig r;
    r.name = name;
    config.receivers.push_back(r);
  }
  Route root;
  root.receiver = "mail";
  Route critical;
  critical.match = {{"severity", "critical"}};
  critical.receiver = "pager";
  critical.continue_matching = true;  // and also the routes after it
  Route voice;
  voice.match = {{"class", "security"}};
  voice.receiver = "voice-team";
  Route agents;
  agents.match = {{"alertname", "AgentSilent"}};
  agents.receiver = "chatops";
  Route cucm_critical;  // under critical: CM node alerts page and go to the voice team
  cucm_critical.match = {{"alertname", "CallManagerDown"}};
  cucm_critical.receiver = "voice-team";
  critical.routes = {cucm_critical};
  root.routes = {critical, voice, agents};
  config.route = root;
  using Labels = std::map<std::string, std::string>;
  using Names = std::vector<std::string>;
  EXPECT_EQ(receivers_for(config, Labels{{"severity", "warning"}}), Names{"mail"});
  EXPECT_EQ(receivers_for(config, Labels{{"severity", "critical"}}), Names{"pager"});
  EXPECT_EQ(receivers_for(config, Labels{{"severity", "critical"}, {"class", "security"}}),
            (Names{"pager", "voice-team"}));
  EXPECT_EQ(
      receivers_for(config, Labels{{"severity", "critical"}, {"alertname", "CallManagerDown"}}),
      Names{"voice-team"});
  EXPECT_EQ(receivers_for(config, Labels{{"severity", "warning"}, {"alertname", "AgentSilent"}}),
            Names{"chatops"});
  config.receivers[1].match = {{"severity", "critical"}};
  config.route->routes[0].receiver = "nobody";
  const std::string problems = alerting_config_problems(config);
  EXPECT_NE(problems.find("alerting.route.routes[0]: no receiver named 'nobody'"),
            std::string::npos)
      << problems;
  EXPECT_NE(problems.find("alerting.receivers[1]: match and a route tree together"),
            std::string::npos)
      << problems;
}

TEST(AlertPayloads, PagerDutySummaryIsCutAt1024AndResolveIsMinimal) {
  auto alert = *alert_for_incident(incident("infrastructure", 31, "module"), default_alert_rules());
  alert.annotations["summary"] = std::string(3000, 'x');
  const auto trigger = Json::parse(pagerduty_body(alert, "key"));
  EXPECT_EQ(trigger["event_action"], "trigger");
  EXPECT_EQ(trigger["dedup_key"], "module:x@1");
  EXPECT_EQ(trigger["payload"]["summary"].get<std::string>().size(), 1024u);
  EXPECT_EQ(trigger["payload"]["severity"], "warning");
  alert.resolved = true;
  EXPECT_EQ(
      Json::parse(pagerduty_body(alert, "key")),
      Json({{"routing_key", "key"}, {"event_action", "resolve"}, {"dedup_key", "module:x@1"}}));
}

TEST(AlertPayloads, AlertmanagerAlertsEndAheadWhileFiring) {
  auto alert = *alert_for_incident(incident("infrastructure", 31, "module"), default_alert_rules());
  const int64_t now = 1'795'166'100'000'000;
  const int64_t four_minutes = 240'000'000;
  const auto body = Json::parse(alertmanager_body(alert, now, four_minutes));
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0]["startsAt"], "2026-11-20T09:14:20.431Z");
  // Valid for the given time only: a collector that stops re-sending lets it expire.
  EXPECT_EQ(body[0]["endsAt"], "2026-11-20T09:19:00.000Z");
  alert.resolved = true;
  EXPECT_EQ(Json::parse(alertmanager_body(alert, now, four_minutes))[0]["endsAt"],
            "2026-11-20T09:14:29.851Z");
}

TEST(AlertPayloads, PushesLinkToTheIncidentsPageUnderTheExternalUrl) {
  auto alert = *alert_for_incident(incident("infrastructure", 31, "module"), default_alert_rules());
  alert.key = "module:sw-3f/2@1795166060395000";
  const std::string page =
      "https://regwatch.example.net/#/incident/module%3Asw-3f%2F2%401795166060395000";
  EXPECT_EQ(alert_page_url("https://regwatch.example.net", alert), page);
  EXPECT_EQ(alert_page_url("https://regwatch.example.net/", alert), page);
  EXPECT_EQ(alert_page_url("", alert), "");
  const auto pushed = Json::parse(alertmanager_body(alert, 0, 1, "https://regwatch.example.net/"));
  EXPECT_EQ(pushed[0]["generatorURL"], page);
  const auto hook = Json::parse(webhook_body(alert, "noc", "https://regwatch.example.net/"));
  EXPECT_EQ(hook["externalURL"], "https://regwatch.example.net/");
  EXPECT_EQ(hook["alerts"][0]["generatorURL"], page);
  EXPECT_EQ(Json::parse(webhook_body(alert, "noc"))["alerts"][0]["generatorURL"], "");
  alert.kind = "condition";
  EXPECT_EQ(alert_page_url("https://regwatch.example.net/", alert),
            "https://regwatch.example.net/#/");
}

TEST(AlertPayloads, MailPartsAreBase64SoNoLineIsTooLongAndHeadersStayOneLine) {
  auto alert = *alert_for_incident(incident("infrastructure", 31, "module"), default_alert_rules());
  auto mail = email_for(alert);
  mail.text += std::string(5000, 'x') + "\n.\n";   // a huge line, and one that would end DATA
  mail.subject += "\r\nBcc: someone@example.net";  // a device name must not add headers
  const auto message =
      mime_message(mail, "a@example.net", {"b@example.net"}, 1'795'166'100'000'000, "1");
  EXPECT_NE(message.find("Subject: [regwatch] WARNING: 31 phones unregistered"), std::string::npos);
  EXPECT_EQ(message.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(message.find("Date: Fri, 20 Nov 2026 09:15:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(message.find("Content-Transfer-Encoding: base64"), std::string::npos);
  size_t longest = 0, start = 0;
  for (size_t end; (end = message.find("\r\n", start)) != std::string::npos; start = end + 2) {
    longest = std::max(longest, end - start);
    EXPECT_NE(message[start], '.');
  }
  EXPECT_LE(longest, 998u);
  EXPECT_EQ(message.find("\n\n"), std::string::npos);  // every line ends in CRLF
  mail.subject = "Störung";
  EXPECT_NE(mime_message(mail, "a@example.net", {"b@example.net"}, 0, "2")
                .find("Subject: =?utf-8?b?U3TDtnJ1bmc=?="),
            std::string::npos);
}

TEST(AlertingConfig, ProblemsAreNamedByTheirPlace) {
  AlertingConfig config;
  ReceiverConfig mail;
  mail.name = "mail";
  mail.type = "email";
  mail.smtp_url = "mail.example.net";
  config.receivers = {mail};
  const auto problems = alerting_config_problems(config);
  EXPECT_NE(problems.find("alerting.receivers[0]: smtp_url must be"), std::string::npos)
      << problems;
  EXPECT_NE(problems.find("email needs from"), std::string::npos);
  EXPECT_NE(problems.find("at least one address in to"), std::string::npos);
  EXPECT_TRUE(alerting_config_problems(AlertingConfig{}).empty());
}

// The config takes Alertmanager's matchers beside its map form, in routes, receivers and
// inhibit rules; a bad one is reported at its line.
TEST(AlertingConfig, MatchersInTheConfigAreAlertmanagers) {
  const char* yaml = R"yaml(external_labels: {site: lab-1}
receivers:
  - {name: pager, type: webhook, url: "http://127.0.0.1:9/pd",
     matchers: ['severity=~"critical|warning"', 'class!=planned', 'site=lab-1']}
  - {name: mail, type: webhook, url: "http://127.0.0.1:9/mail", match: {severity: info}}
inhibit_rules:
  - source_matchers: ['alertname=~"CallManager(Down|CpuPegging)"']
    target: {alertname: RegistrationBurst}
    equal: [cm_node]
)yaml";
  config::ConfigErrors errors;
  config::YamlMap alerting(YAML::Load(yaml), "alerting", errors);
  AlertingConfig config;
  read_alerting_config(alerting, config);
  alerting.finish();
  ASSERT_TRUE(errors.empty()) << errors.format("test.yaml");
  using Labels = std::map<std::string, std::string>;
  using Names = std::vector<std::string>;
  EXPECT_EQ(receivers_for(config,
                          Labels{{"severity", "critical"}, {"class", "storm"}, {"site", "lab-1"}}),
            Names{"pager"});
  EXPECT_EQ(receivers_for(config, Labels{{"severity", "warning"}, {"site", "lab-1"}}),
            Names{"pager"});
  EXPECT_EQ(receivers_for(
                config, Labels{{"severity", "critical"}, {"class", "planned"}, {"site", "lab-1"}}),
            Names{});
  EXPECT_EQ(receivers_for(config, Labels{{"severity", "info"}}), Names{"mail"});
  ASSERT_EQ(config.inhibit_rules.size(), 1u);
  EXPECT_TRUE(
      matches_all(config.inhibit_rules[0].source, {{"alertname", "CallManagerCpuPegging"}}));
  EXPECT_FALSE(
      matches_all(config.inhibit_rules[0].source, {{"alertname", "CallManagerDownAgain"}}));
  EXPECT_TRUE(matches_all(config.inhibit_rules[0].target, {{"alertname", "RegistrationBurst"}}));

  const char* bad = R"yaml(receivers:
  - name: pager
    type: webhook
    url: "http://127.0.0.1:9/pd"
    matchers: ['severity=~"(critical"', 'sevrity=critical', 'scope']
)yaml";
  config::ConfigErrors bad_errors;
  config::YamlMap bad_alerting(YAML::Load(bad), "alerting", bad_errors);
  AlertingConfig bad_config;
  read_alerting_config(bad_alerting, bad_config);
  const std::string text = bad_errors.format("test.yaml");
  EXPECT_EQ(bad_errors.size(), 3u) << text;
  EXPECT_NE(text.find("test.yaml:5: alerting.receivers[0].matchers: severity=~\"(critical\": not a "
                      "regular expression"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("did you mean 'severity'?"), std::string::npos) << text;
  EXPECT_NE(text.find("'scope' is not a matcher"), std::string::npos) << text;
}

}  // namespace
}  // namespace regwatch::alerts
