#pragma once
// `regwatch incident ID` on the server (Query.IncidentView): one incident, as the incidents
// reader finds it by its id or any id it had before (with its updates and first id), and the
// stored events its causes and its drop cite, oldest first. The CLI only renders it, and any
// other client gets the same answer from this code.
//
// Runs on a query worker's own read connections; an error of the store is returned, never
// thrown. An empty id is a "bad_query"; no incident under that id is a "not_found".
#include <cstddef>

#include "collector/store/event_source.h"
#include "collector/store/incident_reader.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

// The events one query reads by id (EventQuery.ids); an incident citing more has its evidence
// cut to the lowest (oldest stored) this many ids, and says so (IncidentView.evidence_cut).
inline constexpr size_t kMaxEvidenceEvents = 1000;

Result<regwatch::v1::IncidentView> incident_view(store::EventSource& reader,
                                                 store::IncidentReader& incident_reader,
                                                 const regwatch::v1::IncidentViewQuery& query);

}  // namespace regwatch::collector::query
