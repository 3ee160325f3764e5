#pragma once
// `regwatch top` on the server: reads the period's phone reports and the phones' sightings from
// the store and ranks the offenders (offenders.h) by the drop rule. Runs on a query worker's
// own read connection; an error of the store is returned, never thrown.
#include "collector/correlate/drop_rule.h"
#include "collector/store/event_source.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

Result<regwatch::v1::TopReply> read_top(store::EventSource& reader,
                                        const regwatch::v1::TopQuery& query,
                                        const correlate::DropRule& rule);

}  // namespace regwatch::collector::query
