#pragma once
// Incidents as `regwatch incidents` and `regwatch incident ID` show them and the HTTP API answers
// with: JSON for scripts, and the postmortem view of one incident as markdown (to paste into a
// postmortem document; also the terminal view). They render the collector's answer
// (Query.Incidents, Query.IncidentView) and decide nothing. Pure.
#include <string>

#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::reports {

// The array of incidents, each as common/record_json.h's incident_json, in the list's order.
nlohmann::ordered_json incidents_json(const v1::IncidentList& list);

// One incident's view as an object: incident (incident_json), first_id, updates [{at, id, state,
// class, scope {type, name}, phone_count, top_cause, change}], timeline (event_object of each
// evidence event, oldest first) and, only when the evidence was cut, timeline_truncated: true.
nlohmann::ordered_json incident_view_json(const v1::IncidentView& view);

// The markdown report: what, where, when, recovery, the phones still down, reasons; the ranked
// causes with their explanation and what to check first; affected phones by CM node and by
// switch; the updates; the timeline of the evidence (and a note when it was cut). Ends in "\n".
std::string incident_markdown(const v1::IncidentView& view);

}  // namespace regwatch::reports
