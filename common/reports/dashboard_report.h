#pragma once
// The dashboard's own questions rendered as the API's JSON (docs/http-api.md): drops per step by
// reason class, registered phones per CM node, inputs and whether they went silent, the phone
// search. No CLI command prints these yet; they live beside the CLI's reports so a command that
// does will print the same. Times RFC 3339 UTC with milliseconds. Pure.
#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::reports {

// {"step_s", "since", "until", "classes": [...], "points": [{"time", "drops", "counts": {class:
// n}}], "truncated"}
nlohmann::ordered_json drop_series_json(const v1::DropSeries& series);
// {"at", "cm_nodes": [{"cm_node", "registered", "unregistered", "rejected",
// "partially_registered", "change_from_previous", "time", "agent"}]}
nlohmann::ordered_json cm_nodes_json(const v1::CmNodeList& list);
// {"silent_after_s", "inputs": [{"agent", "source", "origin", "last_event", "last_stored",
// "events", "silent"}], "truncated"}
nlohmann::ordered_json inputs_json(const v1::InputList& list);
// {"matched_as", "phones": [{"device", "mac", "ip", "description", "last_seen"}], "truncated"}
nlohmann::ordered_json phones_json(const v1::PhoneList& list);

}  // namespace regwatch::reports
