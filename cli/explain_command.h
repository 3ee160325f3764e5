#pragma once
// `regwatch explain DEVICE [--at TIME]`: asks the collector for its diagnosis of one phone up
// to TIME (Query.Explain) and prints it (cli/explain_report.h): text by default, json, or the
// timeline as csv.
#include <cstdint>
#include <ostream>
#include <string>

#include "cli/collector_client.h"
#include "cli/output_format.h"

namespace regwatch::cli {

// known: false when nothing at all is stored about the device (the report says so).
bool run_explain(CollectorClient& client, const std::string& device, int64_t at_us, Format format,
                 std::ostream& out, bool& known, CallError& error);

}  // namespace regwatch::cli
