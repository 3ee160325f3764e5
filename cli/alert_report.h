#pragma once
// `regwatch alerts`: the condition alerts firing now (and, with --all, those
// resolved recently): what, about what, since when, the summary and what to
// check first. Table, JSON, JSON lines or CSV.
#include <ostream>

#include "cli/output_format.h"
#include "cli/time_zone.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

void write_alerts(std::ostream& out, const regwatch::v1::AlertList& list, Format format,
                  const TimeZone& zone = TimeZone::utc());

}  // namespace regwatch::cli
