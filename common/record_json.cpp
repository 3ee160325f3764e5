#include "common/record_json.h"

#include <cmath>
#include <map>
#include <vector>

#include "common/alert_status.h"
#include "common/domain_tables.h"
#include "common/incident_state.h"
#include "common/time_format.h"

namespace regwatch {
namespace {

using Json = nlohmann::ordered_json;

// Proto maps have no order: the JSON lists them in key order, as std::map did before.
template <typename Value>
Json ordered(const google::protobuf::Map<std::string, Value>& map) {
  return std::map<std::string, Value>(map.begin(), map.end());
}

template <typename T>
std::vector<T> list(const google::protobuf::RepeatedField<T>& field) {
  return {field.begin(), field.end()};
}

std::vector<std::string> list(const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

double rounded_score(double score) {
  return std::round(score * 1000) / 1000;
}

Json scope_json(const v1::IncidentScope& s) {
  return {{"type", s.type()}, {"name", s.name()}};
}

template <typename Name>
Json reasons_json(const google::protobuf::RepeatedPtrField<v1::ReasonPhones>& reasons,
                  Name name_of) {
  Json out = Json::array();
  for (const auto& r : reasons)
    out.push_back(
        {{"code", r.code()}, {"name", std::string(name_of(r.code()))}, {"phones", r.phones()}});
  return out;
}

}  // namespace

Json incident_json(const v1::Incident& i) {
  Json j;
  j["id"] = i.id();
  j["state"] = std::string(incident_state_name(i.state()));
  j["class"] = i.incident_class();
  j["scope"] = scope_json(i.scope());
  Json also = Json::array();
  for (const auto& s : i.also_scopes()) also.push_back(scope_json(s));
  j["also_scopes"] = also;
  j["start_time"] = format_rfc3339_ms(i.start_us());
  j["end_time"] = format_rfc3339_ms(i.end_us());
  j["phone_count"] = static_cast<size_t>(i.phones_size());
  j["recovered"] = i.recovered();
  j["still_down"] = list(i.still_down());
  j["phones_by_cm"] = ordered(i.phones_by_cm());
  j["phones_by_switch"] = ordered(i.phones_by_switch());
  j["phones_by_cluster"] = ordered(i.phones_by_cluster());
  j["reasons"] = reasons_json(i.reasons(), domain::unregistration_reason_name);
  j["rejection_reasons"] =
      reasons_json(i.rejection_reasons(), domain::registration_failure_reason_name);
  j["phone_auth_failures"] = i.phone_auth_failures();
  Json causes = Json::array();
  for (const auto& c : i.causes()) {
    causes.push_back({{"kind", c.kind()},
                      {"subject", c.subject()},
                      {"score", rounded_score(c.score())},
                      {"explanation", c.explanation()},
                      {"remediation", c.remediation()},
                      {"evidence", list(c.evidence())}});
  }
  j["causes"] = causes;
  j["phones"] = list(i.phones());
  j["flapping"] = list(i.flapping());
  j["drop_evidence"] = list(i.drop_evidence());
  return j;
}

Json alert_json(const v1::Alert& a) {
  Json j;
  j["kind"] = "condition";
  j["id"] = a.id();
  j["alertname"] = a.alertname();
  j["condition"] = a.condition();
  j["state"] = std::string(alert_status_name(a.status()));
  j["severity"] = a.severity();
  j["notify"] = a.notify();
  j["labels"] = ordered(a.labels());
  j["summary"] = a.summary();
  j["description"] = a.description();
  j["remediation"] = a.remediation();
  j["command"] = a.command();
  j["start_time"] = format_rfc3339_ms(a.start_us());
  j["end_time"] = a.end_us() ? format_rfc3339_ms(a.end_us()) : "";
  j["evidence"] = list(a.evidence());
  return j;
}

std::string score_text(double score) {
  return Json(rounded_score(score)).dump();
}

std::string also_scopes_words(const v1::Incident& incident) {
  std::string out;
  for (const auto& s : incident.also_scopes()) {
    out += out.empty() ? "also all of " : ", ";
    out += s.type() + " " + s.name();
  }
  return out;
}

}  // namespace regwatch
