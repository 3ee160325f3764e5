#include "collector/correlate/incident_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/domain_tables.h"
#include "common/time_format.h"

namespace regwatch::collector::correlate {

std::string incident_json(const Incident& i) {
  nlohmann::ordered_json j;
  j["id"] = i.id;
  j["state"] = i.state;
  j["class"] = i.incident_class;
  j["scope"] = {{"type", i.scope.type}, {"name", i.scope.name}};
  nlohmann::ordered_json also = nlohmann::ordered_json::array();
  for (const auto& s : i.also_scopes) also.push_back({{"type", s.type}, {"name", s.name}});
  j["also_scopes"] = also;
  j["start_time"] = format_rfc3339_ms(i.start_us);
  j["end_time"] = format_rfc3339_ms(i.end_us);
  j["phone_count"] = i.phones.size();
  j["recovered"] = i.recovered;
  j["still_down"] = i.still_down;
  j["phones_by_cm"] = i.phones_by_cm;
  j["phones_by_switch"] = i.phones_by_switch;
  j["phones_by_cluster"] = i.phones_by_cluster;
  nlohmann::ordered_json reasons = nlohmann::ordered_json::array();
  for (const auto& [code, n] : i.reasons) {
    reasons.push_back({{"code", code},
                       {"name", std::string(domain::unregistration_reason_name(code))},
                       {"phones", n}});
  }
  j["reasons"] = reasons;
  nlohmann::ordered_json rejections = nlohmann::ordered_json::array();
  for (const auto& [code, n] : i.rejection_reasons) {
    rejections.push_back({{"code", code},
                          {"name", std::string(domain::registration_failure_reason_name(code))},
                          {"phones", n}});
  }
  j["rejection_reasons"] = rejections;
  j["phone_auth_failures"] = i.phone_auth_failures;
  nlohmann::ordered_json causes = nlohmann::ordered_json::array();
  for (const auto& c : i.causes) {
    causes.push_back({{"kind", c.kind},
                      {"subject", c.subject},
                      {"score", std::round(c.score * 1000) / 1000},
                      {"explanation", c.explanation},
                      {"remediation", c.remediation},
                      {"evidence", c.evidence}});
  }
  j["causes"] = causes;
  j["phones"] = i.phones;
  j["flapping"] = i.flapping;
  j["drop_evidence"] = i.drop_evidence;
  return j.dump();
}

}  // namespace regwatch::collector::correlate
