#pragma once
// The ingest benchmarks' baseline: the rows the collector would store, put into the same
// table and indexes with the same insert statement, columns and connection settings
// (collector/store/event_rows.h, shared with EventWriter), in batched transactions, with none
// of the collector around it (no agent, no network, no commit queue, no sources table).
// bench/ingest_bench compares the real path with it; bench/store_query_bench fills its
// database with it.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "collector/store/event_rows.h"
#include "common/result.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::bench {

using collector::store::Durability;

// Opens (creating and migrating) the database at path and inserts the events, batch rows per
// transaction, every row with spool_incarnation. Returns rows inserted.
Result<uint64_t> bare_batched_insert(const std::string& path,
                                     std::span<const regwatch::v1::Event> events, size_t batch,
                                     std::string_view spool_incarnation = {},
                                     Durability durability = Durability::kDurable);

}  // namespace regwatch::bench
