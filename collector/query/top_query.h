#pragma once
// `regwatch top` on the server: reads the period's phone reports and the phones' sightings from
// the store and ranks the offenders (offenders.h) by the drop rule. Runs on a query worker's
// own read connection; an error of the store is returned, never thrown.
#include <cstdint>
#include <vector>

#include "collector/correlate/drop_rule.h"
#include "collector/query/offenders.h"
#include "collector/store/event_source.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

// The phone reports (offender_report_kinds()) of [since_us, until_us), at most `limit`, sorted by
// (device, time) as the store gives them; true when there were more. The drop series reads
// through it too, so both count the same reports.
Result<bool> read_drop_reports(store::EventSource& reader, int64_t since_us, int64_t until_us,
                               size_t limit, std::vector<DropReport>& reports);

Result<regwatch::v1::TopReply> read_top(store::EventSource& reader,
                                        const regwatch::v1::TopQuery& query,
                                        const correlate::DropRule& rule);

}  // namespace regwatch::collector::query
