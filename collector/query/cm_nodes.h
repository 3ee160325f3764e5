#pragma once
// Registered phones per CM node (the dashboard's CM panel; CmNodeList in query.proto): each
// node's latest CISCO-CCM-MIB poll at a time. The SNMP poller puts the counts in a
// registered_phones event (RegisteredPhones: registered, unregistered, rejected, partially
// registered, the change since the poll before) whose origin is the polled CM; the node is
// that origin. A node not polled at or before the time is not listed.
#include <cstdint>
#include <vector>

#include "collector/store/event_source.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

// At most this many nodes: far more than any cluster has (CUCM allows 20 call-processing nodes).
inline constexpr size_t kMaxCmNodes = 1000;

// Pure: the list from each node's latest registered_phones event, by node name.
regwatch::v1::CmNodeList cm_node_counts(const std::vector<regwatch::v1::StoredEvent>& latest,
                                        int64_t at_us);

// at_us 0 = now.
Result<regwatch::v1::CmNodeList> read_cm_nodes(store::EventSource& reader,
                                               const regwatch::v1::CmNodesQuery& query,
                                               int64_t now_us);

}  // namespace regwatch::collector::query
