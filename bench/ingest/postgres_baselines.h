#pragma once
// The PostgreSQL ingest benchmark's baselines (bench/ingest_postgres_bench): the rows the
// collector would store, put into the same table and indexes of a migrated database with
// none of the collector around them (no agent, no network, no commit queue, no summaries, no
// write-order lock), one transaction per batch, each commit durable (the server's
// synchronous_commit, as the collector's).
//   bare_multi_row_insert: the writer's own multi-row statement (event_rows.h's
//     kInsertEventsHead/Tail, ON CONFLICT DO NOTHING RETURNING), in its chunks;
//   bare_copy: COPY events FROM STDIN in binary format through libpq (PQputCopyData), a COPY
//     per batch: the fastest way into PostgreSQL, with no duplicate check at all.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::bench {

// Both migrate the (empty) database at url first and return the rows stored.
Result<uint64_t> bare_multi_row_insert(const std::string& url,
                                       std::span<const regwatch::v1::Event> events, size_t batch,
                                       std::string_view spool_incarnation);
Result<uint64_t> bare_copy(const std::string& url, std::span<const regwatch::v1::Event> events,
                           size_t batch, std::string_view spool_incarnation);

}  // namespace regwatch::bench
