#pragma once
// `regwatch top`: the chronic offenders of a period (phones, access ports,
// switches that dropped most, each with its reason mix), as text tables,
// JSON (one object: phones, ports, switches, reasons, totals) or CSV (one row
// per offender, its list in the first column).
#include <ostream>

#include "cli/output_format.h"
#include "cli/time_zone.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

void write_top(std::ostream& out, const regwatch::v1::TopReply& top, Format format,
               const TimeZone& zone = TimeZone::utc());

}  // namespace regwatch::cli
