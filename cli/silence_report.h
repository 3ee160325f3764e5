#pragma once
// `regwatch silence list / add / expire`: silences as a table (with their
// state: active, pending, expired), JSON or CSV.
#include <cstdint>
#include <ostream>

#include "cli/output_format.h"
#include "cli/time_zone.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

void write_silences(std::ostream& out, const regwatch::v1::SilenceList& list, Format format,
                    int64_t now_us, const TimeZone& zone = TimeZone::utc());

}  // namespace regwatch::cli
