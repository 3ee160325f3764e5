#pragma once
// `regwatch explain` on the server (Query.Explain): reads what the store holds about one phone
// up to the query's time (its last events, its latest CDP/LLDP sighting, the incidents around
// its last drop) and diagnoses it (phone_diagnosis.h). Runs on a query worker's own read
// connection; an error of the store is returned, never thrown; an empty device name is a
// bad_query.
#include <cstdint>

#include "collector/correlate/drop_rule.h"
#include "collector/store/event_source.h"
#include "collector/store/incident_reader.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

// The last this many events of the phone make its timeline when the query does not say.
inline constexpr uint32_t kExplainTimelineEvents = 200;

// now_us: the collector's clock, the time explained when the query gives none.
Result<regwatch::v1::ExplainReply> explain_phone(store::EventSource& reader,
                                                 store::IncidentReader& incident_reader,
                                                 const regwatch::v1::ExplainQuery& query,
                                                 const correlate::DropRule& rule, int64_t now_us);

}  // namespace regwatch::collector::query
