#pragma once
// Chronic offenders for `regwatch top`: from every drop report of a period
// (any input, any agent) and the phones' CDP/LLDP sightings, the phones,
// access ports and switches that dropped most, each with its reason mix.
// Which reports are one drop is the drop rule's (collector/correlate/drop_rule.h,
// the same as correlation's and explain's): the same drop seen by syslog, the
// CCM-MIB and the wire counts once, and a registration in between makes the next
// report a drop of its own. A drop is placed on the port of the phone's latest
// sighting at or before its first report. Pure; the store reads the rows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collector/correlate/drop_rule.h"
#include "common/function_ref.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

// A phone's drop report, or its registration (which ends its current drop).
struct DropReport {
  std::string device;
  int64_t time_us = 0;
  // The code the input gave: EndPointUnregistered's, or for phone_registration_failed
  // EndPointRegistrationFailed's.
  std::optional<int32_t> reason;
  regwatch::v1::EventKind kind = regwatch::v1::PHONE_UNREGISTERED;  // a drop kind or registered
};

// Each drop in `reports` (sorted by device, time), by the drop rule: on_drop(first, reasoned)
// with its first report and the first of its reports that gave a reason code (nullptr: none).
// `top` and the drop series both count through it.
void for_each_drop(const std::vector<DropReport>& reports, const correlate::DropRule& rule,
                   FunctionRef<void(const DropReport& first, const DropReport* reasoned)> on_drop);

// What `top` reads from the store: the drop kinds and phone_registered.
const std::vector<std::string>& offender_report_kinds();

struct Sighting {
  std::string device;
  int64_t time_us = 0;
  std::string switch_name;
  std::string port;
};

// reports and sightings sorted by (device, time).
regwatch::v1::TopReply rank_offenders(const std::vector<DropReport>& reports,
                                      const std::vector<Sighting>& sightings, uint32_t limit,
                                      const correlate::DropRule& rule);

}  // namespace regwatch::collector::query
