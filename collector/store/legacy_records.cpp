#include "collector/store/legacy_records.h"

#include <string>

#include <nlohmann/json.hpp>

#include "collector/store/database.h"
#include "common/alert_status.h"
#include "common/incident_state.h"
#include "common/record_bytes.h"
#include "common/time_format.h"

namespace regwatch::collector::store {
namespace {

using Json = nlohmann::json;

// Every reader is lenient: a missing or mistyped field reads as empty, as the JSON readers
// before typed records did.
std::string text(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <typename T>
T number(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<T>() : T{};
}

int64_t time_of(const Json& j, const char* key) {
  const std::string value = text(j, key);
  if (value.empty()) return 0;
  auto t = parse_time_arg(value, 0);
  return t.ok() ? *t : 0;
}

const Json& member(const Json& j, const char* key) {
  static const Json kNull;
  const auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

template <typename Field>
void strings(const Json& j, const char* key, Field& out) {
  for (const auto& v : member(j, key))
    if (v.is_string()) out.Add(v.get<std::string>());
}

template <typename Field>
void ids(const Json& j, const char* key, Field& out) {
  for (const auto& v : member(j, key))
    if (v.is_number_integer()) out.Add(v.get<int64_t>());
}

void counts(const Json& j, const char* key, google::protobuf::Map<std::string, uint32_t>& out) {
  const Json& m = member(j, key);
  if (!m.is_object()) return;
  for (const auto& [name, n] : m.items())
    if (n.is_number()) out[name] = n.get<uint32_t>();
}

template <typename Field>
void reasons(const Json& j, const char* key, Field& out) {
  for (const auto& r : member(j, key)) {
    if (!r.is_object()) continue;
    auto* reason = out.Add();
    reason->set_code(number<int32_t>(r, "code"));
    reason->set_phones(number<uint32_t>(r, "phones"));
  }
}

void scope(const Json& j, v1::IncidentScope& out) {
  if (!j.is_object()) return;
  out.set_type(text(j, "type"));
  out.set_name(text(j, "name"));
}

}  // namespace

std::optional<v1::Incident> incident_from_legacy_json(std::string_view body) {
  const Json j = Json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  v1::Incident r;
  r.set_id(text(j, "id"));
  r.set_state(parse_incident_state(text(j, "state")).value_or(v1::INCIDENT_STATE_UNSPECIFIED));
  r.set_incident_class(text(j, "class"));
  scope(member(j, "scope"), *r.mutable_scope());
  for (const auto& s : member(j, "also_scopes")) scope(s, *r.add_also_scopes());
  r.set_start_us(time_of(j, "start_time"));
  r.set_end_us(time_of(j, "end_time"));
  strings(j, "phones", *r.mutable_phones());
  counts(j, "phones_by_cm", *r.mutable_phones_by_cm());
  counts(j, "phones_by_switch", *r.mutable_phones_by_switch());
  counts(j, "phones_by_cluster", *r.mutable_phones_by_cluster());
  reasons(j, "reasons", *r.mutable_reasons());
  reasons(j, "rejection_reasons", *r.mutable_rejection_reasons());
  r.set_phone_auth_failures(number<uint32_t>(j, "phone_auth_failures"));
  r.set_recovered(number<uint32_t>(j, "recovered"));
  strings(j, "still_down", *r.mutable_still_down());
  for (const auto& c : member(j, "causes")) {
    if (!c.is_object()) continue;
    auto* cause = r.add_causes();
    cause->set_kind(text(c, "kind"));
    cause->set_subject(text(c, "subject"));
    cause->set_score(number<double>(c, "score"));
    cause->set_explanation(text(c, "explanation"));
    cause->set_remediation(text(c, "remediation"));
    ids(c, "evidence", *cause->mutable_evidence());
  }
  strings(j, "flapping", *r.mutable_flapping());
  ids(j, "drop_evidence", *r.mutable_drop_evidence());
  return r;
}

std::optional<v1::Alert> alert_from_legacy_json(std::string_view body) {
  const Json j = Json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  v1::Alert a;
  a.set_id(text(j, "id"));
  a.set_alertname(text(j, "alertname"));
  a.set_condition(text(j, "condition"));
  a.set_status(parse_alert_status(text(j, "state")).value_or(v1::ALERT_STATUS_UNSPECIFIED));
  a.set_severity(text(j, "severity"));
  const auto notify = j.find("notify");
  a.set_notify(notify == j.end() || !notify->is_boolean() || notify->get<bool>());
  const Json& labels = member(j, "labels");
  if (labels.is_object()) {
    for (const auto& [name, value] : labels.items())
      if (value.is_string()) (*a.mutable_labels())[name] = value.get<std::string>();
  }
  a.set_summary(text(j, "summary"));
  a.set_description(text(j, "description"));
  a.set_remediation(text(j, "remediation"));
  a.set_command(text(j, "command"));
  a.set_start_us(time_of(j, "start_time"));
  a.set_end_us(time_of(j, "end_time"));
  ids(j, "evidence", *a.mutable_evidence());
  return a;
}

Result<LegacyConversion> convert_legacy_records(Database* db) {
  LegacyConversion done;
  auto incidents = Statement::prepare(db,
                                      "SELECT id, state, class, scope_type, scope_name, "
                                      "start_time_us, end_time_us, body FROM incidents");
  if (!incidents.ok()) return incidents.error();
  auto set_incident = Statement::prepare(db, "UPDATE incidents SET record = ?2 WHERE id = ?1");
  if (!set_incident.ok()) return set_incident.error();
  int rc = 0;
  while ((rc = incidents->step()) == kStepRow) {
    auto record = incident_from_legacy_json(incidents->column_text(7));
    if (!record) {
      ++done.unreadable;
      record.emplace();
      record->set_id(std::string(incidents->column_text(0)));
      record->set_incident_class(std::string(incidents->column_text(2)));
      record->mutable_scope()->set_type(std::string(incidents->column_text(3)));
      record->mutable_scope()->set_name(std::string(incidents->column_text(4)));
      record->set_start_us(incidents->column_int(5));
      record->set_end_us(incidents->column_int(6));
    }
    // The columns are what the collector filtered by: the record agrees with them.
    record->set_state(
        parse_incident_state(incidents->column_text(1)).value_or(v1::INCIDENT_STATE_UNSPECIFIED));
    set_incident->reset();
    set_incident->bind(1, incidents->column_text(0));
    set_incident->bind_blob(2, deterministic_bytes(*record));
    if (int set_rc = set_incident->step(); set_rc != kStepDone)
      return database_error(db, set_rc, "converting an incident");
    ++done.incidents;
  }
  if (rc != kStepDone) return database_error(db, rc, "reading incidents to convert");

  auto alerts = Statement::prepare(db,
                                   "SELECT key, state, starts_us, ends_us, body FROM "
                                   "condition_alerts");
  if (!alerts.ok()) return alerts.error();
  auto set_alert = Statement::prepare(db, "UPDATE condition_alerts SET record = ?2 WHERE key = ?1");
  if (!set_alert.ok()) return set_alert.error();
  while ((rc = alerts->step()) == kStepRow) {
    auto record = alert_from_legacy_json(alerts->column_text(4));
    if (!record) {
      ++done.unreadable;
      record.emplace();
      record->set_id(std::string(alerts->column_text(0)));
      record->set_status(
          parse_alert_status(alerts->column_text(1)).value_or(v1::ALERT_STATUS_UNSPECIFIED));
      record->set_start_us(alerts->column_int(2));
      record->set_end_us(alerts->column_int(3));
    }
    set_alert->reset();
    set_alert->bind(1, alerts->column_text(0));
    set_alert->bind_blob(2, deterministic_bytes(*record));
    if (int set_rc = set_alert->step(); set_rc != kStepDone)
      return database_error(db, set_rc, "converting a condition alert");
    ++done.alerts;
  }
  if (rc != kStepDone) return database_error(db, rc, "reading condition alerts to convert");
  return done;
}

}  // namespace regwatch::collector::store
