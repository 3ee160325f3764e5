#pragma once
// Chronic offenders for `regwatch top`: from every drop report of a period
// (any input, any agent) and the phones' CDP/LLDP sightings, the phones,
// access ports and switches that dropped most, each with its reason mix.
// Reports of one phone within merge_us of the one before are one drop (the
// same drop seen by syslog, the CCM-MIB and the wire counts once, as in
// correlation). A drop is placed on the port of the phone's latest sighting
// at or before it. Pure; the store reads the rows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

struct DropReport {
  std::string device;
  int64_t time_us = 0;
  std::optional<int32_t> reason;  // EndPointUnregistered code, when the input gave one
};

struct Sighting {
  std::string device;
  int64_t time_us = 0;
  std::string switch_name;
  std::string port;
};

// drops and sightings sorted by (device, time).
regwatch::v1::TopReply rank_offenders(const std::vector<DropReport>& drops,
                                      const std::vector<Sighting>& sightings, uint32_t limit,
                                      int64_t merge_us = 120'000'000);

}  // namespace regwatch::collector::query
