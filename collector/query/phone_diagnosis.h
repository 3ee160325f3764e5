#pragma once
// `regwatch explain DEVICE`, on the server: why one phone is (or was, at a given time) not
// registered, from what the collector stored about it: its state and since when, the reason
// code in words and its class, the CM it was on, the switch port it hangs off, the incident its
// drop was part of, and what an experienced voice engineer would check next. Pure: the caller
// (explain_query.h) reads the events and incidents; diagnose() only reads them. Its drops are
// the drop rule's (collector/correlate/drop_rule.h), the same as `top`'s and `incidents`'.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collector/correlate/drop_rule.h"
#include "regwatch/v1/incident.pb.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

// An incident the phone's last drop may have been part of: what the diagnosis reads of it.
struct IncidentCandidate {
  regwatch::v1::ExplainIncident summary;  // what the reply names of it
  std::vector<std::string> phones;
  int64_t start_us = 0;
  int64_t end_us = 0;
};

// What the diagnosis reads of a stored incident.
IncidentCandidate incident_candidate(const regwatch::v1::Incident& incident);

// timeline: the device's events up to at_us, oldest first (copied into the reply); topology:
// its latest topology event (or none); incidents: candidates around its last drop.
regwatch::v1::ExplainReply diagnose(const std::string& device, int64_t at_us,
                                    const regwatch::v1::EventList& timeline,
                                    const regwatch::v1::EventList& topology,
                                    const std::vector<IncidentCandidate>& incidents,
                                    const correlate::DropRule& rule);

}  // namespace regwatch::collector::query
