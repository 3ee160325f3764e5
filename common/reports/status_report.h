#pragma once
// What the collector holds (Query.Status) as JSON: what `regwatch status --format json` prints
// and the HTTP API answers with. Pure.
#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::reports {

// {version, schema_version, total_events, agents [{agent_id, last_seq, events, spoofed,
// last_store_time}], receivers [{receiver, pending, delivered, given_up, failed_attempts,
// last_error}]}.
nlohmann::ordered_json status_json(const v1::StatusReply& status);

}  // namespace regwatch::reports
