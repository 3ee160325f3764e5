#pragma once
// The chronic offenders of a period (Query.Top) as JSON: what `regwatch top --format json` prints
// and the HTTP API answers with. Pure.
#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::reports {

// One object: drops, phones_dropped, drops_without_port, truncated, reasons [{code (null for a
// drop without one), name, drops}], then phones (each with "port"), ports (each with "switch")
// and switches, each offender {name, drops, phones, last_drop, [where key], reasons}.
nlohmann::ordered_json top_json(const v1::TopReply& top);

}  // namespace regwatch::reports
