#pragma once
// `regwatch incident ID`: the postmortem view of one incident: what dropped
// where, the ranked causes with their explanation and what to check first,
// and the timeline of the evidence from every source. Markdown (to paste
// into a postmortem document; also the terminal view), JSON, or the
// timeline as CSV. `found` is the collector's answer (Query.IncidentView): the
// incident's first id and its updates (how it evolved as the collector saw it);
// `timeline` its evidence events, oldest first. They only render what it gathered.
#include <ostream>

#include "regwatch/v1/incident.pb.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

void write_incident_markdown(std::ostream& out, const regwatch::v1::Incident& incident,
                             const regwatch::v1::IncidentView& found,
                             const regwatch::v1::EventList& timeline);
void write_incident_json(std::ostream& out, const regwatch::v1::Incident& incident,
                         const regwatch::v1::IncidentView& found,
                         const regwatch::v1::EventList& timeline);

}  // namespace regwatch::cli
