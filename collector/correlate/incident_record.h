#pragma once
// An incident (the correlator's in-memory form, incident.h) as the record the collector stores
// and sends: regwatch.v1.Incident (proto/regwatch/v1/incident.proto). The one converter; JSON is
// rendered from the record at the edges only (common/record_json.h). Pure. Cause::scopes and
// Incident::drop_evidence_by_class stay behind: they serve correlation, not its readers.
#include "collector/correlate/incident.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::correlate {

v1::Incident incident_record(const Incident& incident);

}  // namespace regwatch::collector::correlate
