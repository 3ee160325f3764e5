#pragma once
// The collector's diagnosis of one phone (Query.Explain, collector/query/phone_diagnosis.h) as
// JSON: what `regwatch explain DEVICE --format json` prints and the HTTP API answers with.
// Rendering only: the phone's state, reason and next steps are the collector's answer. Pure.
#include <string>

#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::reports {

// The state as the reports word it: "registered", "unregistered", "rejected", "unknown".
std::string phone_state_word(v1::PhoneState state);

// {device, at, state, since, last_drop (null when none), reason (null, {text}, or {[code], name,
// meaning, class, text}), reported_by, cm_node, attachment (null or {switch, port, module,
// voice_vlan, removed, seen}), incident (null or {id, class, scope, also_scopes, phone_count}),
// next_steps, boot_chain (null, or {stage, stage_since, registered, registered_at, summary, rule,
// explanation, remediation, tftp_server, lease (null or {ip, server, tftp_servers, at}), files
// [{file, file_kind, server, fetched, failed, last_failure, last}], problems}), protocol ("SCCP",
// "SIP", ""), sip (null, or {registered_at, expires_s, transport, user_agent, via_proxy, line,
// load_name, last_loss (null or {words, name, class, meaning, cisco_alarm, at, cucm_reason (null
// or a reason as above)}), firmware_history [{from, to, at}]}), timeline (event_object of each
// event, oldest first)}.
nlohmann::ordered_json diagnosis_json(const v1::ExplainReply& diagnosis);

// {type, name} of a scope, as the diagnosis and its text say it.
nlohmann::ordered_json scope_ref_json(const v1::ScopeRef& scope);
// The incident's also_scopes as [{type, name}].
nlohmann::ordered_json also_scopes_json(const v1::ExplainIncident& incident);

}  // namespace regwatch::reports
