#include "collector/correlate/incident_record.h"

namespace regwatch::collector::correlate {
namespace {

void set_scope(v1::IncidentScope& out, const Scope& scope) {
  out.set_type(scope.type);
  out.set_name(scope.name);
}

}  // namespace

v1::Incident incident_record(const Incident& i) {
  v1::Incident r;
  r.set_id(i.id);
  r.set_state(i.state);
  r.set_incident_class(i.incident_class);
  set_scope(*r.mutable_scope(), i.scope);
  for (const auto& s : i.also_scopes) set_scope(*r.add_also_scopes(), s);
  r.set_start_us(i.start_us);
  r.set_end_us(i.end_us);
  r.mutable_phones()->Assign(i.phones.begin(), i.phones.end());
  r.mutable_phones_by_cm()->insert(i.phones_by_cm.begin(), i.phones_by_cm.end());
  r.mutable_phones_by_switch()->insert(i.phones_by_switch.begin(), i.phones_by_switch.end());
  r.mutable_phones_by_cluster()->insert(i.phones_by_cluster.begin(), i.phones_by_cluster.end());
  for (const auto& [code, n] : i.reasons) {
    auto* reason = r.add_reasons();
    reason->set_code(code);
    reason->set_phones(n);
  }
  for (const auto& [code, n] : i.rejection_reasons) {
    auto* reason = r.add_rejection_reasons();
    reason->set_code(code);
    reason->set_phones(n);
  }
  r.set_phone_auth_failures(i.phone_auth_failures);
  r.set_recovered(i.recovered);
  r.mutable_still_down()->Assign(i.still_down.begin(), i.still_down.end());
  for (const auto& c : i.causes) {
    auto* cause = r.add_causes();
    cause->set_kind(c.kind);
    cause->set_subject(c.subject);
    cause->set_score(c.score);
    cause->set_explanation(c.explanation);
    cause->set_remediation(c.remediation);
    cause->mutable_evidence()->Assign(c.evidence.begin(), c.evidence.end());
  }
  r.mutable_flapping()->Assign(i.flapping.begin(), i.flapping.end());
  r.mutable_drop_evidence()->Assign(i.drop_evidence.begin(), i.drop_evidence.end());
  return r;
}

}  // namespace regwatch::collector::correlate
