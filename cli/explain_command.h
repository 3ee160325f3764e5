#pragma once
// `regwatch explain DEVICE [--at TIME]`: fetches what the collector knows
// about one phone up to TIME (its last events, its latest CDP/LLDP sighting,
// the incidents around its last drop) and prints the diagnosis
// (cli/phone_diagnosis.h): text by default, json, or the timeline as csv.
#include <cstdint>
#include <ostream>
#include <string>

#include "cli/collector_client.h"
#include "cli/output_format.h"

namespace regwatch::cli {

// The last this many events of the phone make its timeline.
inline constexpr uint32_t kExplainTimelineEvents = 200;

// known: false when nothing at all is stored about the device (the report says so).
bool run_explain(CollectorClient& client, const std::string& device, int64_t at_us, Format format,
                 std::ostream& out, bool& known, CallError& error);

}  // namespace regwatch::cli
