#pragma once
// Internal to the event store (not for the services): how an event becomes a row of the events
// table. The writer and the benchmarks' bare baselines (bench/ingest/bare_insert,
// postgres_baselines) both use it, so the baselines store the very rows, by the very statement,
// columns and connection settings the collector commits with.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "collector/store/database.h"
#include "collector/store/postgres_copy_rows.h"
#include "common/result.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::collector::store {

// Exactly once: the key is (agent, spool incarnation, seq) (schema/007). bind_event() fills
// its parameters.
inline constexpr char kInsertEventSql[] =
    "INSERT INTO events (agent_id, spool_incarnation, seq, event_time_us, receive_time_us,"
    " store_time_us, origin, source, kind, device, reason_code, payload, spoofed)"
    " VALUES (?1, ?12, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13)"
    " ON CONFLICT (agent_id, spool_incarnation, seq) DO NOTHING";

// The columns an event is stored under besides its payload.
struct EventColumns {
  std::string device;  // "" = NULL
  bool has_reason = false;
  int32_t reason_code = 0;
};
EventColumns columns_of(const regwatch::v1::Event& event);

// The same statement for many rows at once (multi_row_statement.h), for PostgreSQL, where
// each statement is a round trip: every row takes kInsertEventSql's parameters in its order,
// and the statement returns the key of each row it stored (a duplicate returns nothing).
inline constexpr char kInsertEventsHead[] =
    "INSERT INTO events (agent_id, spool_incarnation, seq, event_time_us, receive_time_us,"
    " store_time_us, origin, source, kind, device, reason_code, payload, spoofed) VALUES";
inline constexpr char kInsertEventsTail[] =
    "ON CONFLICT (agent_id, spool_incarnation, seq) DO NOTHING RETURNING agent_id, seq";
inline constexpr int kEventParameters = 13;
// kInsertEventSql's parameter numbers in the column order above.
inline constexpr std::array<int, kEventParameters> kEventParameterOrder = {1, 12, 2, 3,  4,  5, 6,
                                                                           7, 8,  9, 10, 11, 13};

// PostgreSQL's fast path for a batch (event_writer.cpp): the same columns by COPY's binary
// format, one row per event (append_event_copy_row). COPY has no ON CONFLICT: a batch holding a
// key already stored fails as a whole with a unique violation, and the writer stores it again
// with the multi-row statement above, which skips duplicates.
inline constexpr char kCopyEventsSql[] =
    "COPY events (agent_id, spool_incarnation, seq, event_time_us, receive_time_us,"
    " store_time_us, origin, source, kind, device, reason_code, payload, spoofed)"
    " FROM STDIN (FORMAT binary)";
// stored_payload: the event's payload column, encode_stored_payload(event) (stored_payload.h);
// made by the caller, so that it can be made on another thread (the ingest streams make each
// batch's before the commit queue: collector/ingest/arena_batch.h).
void append_event_copy_row(PostgresCopyRows& rows, const regwatch::v1::Event& event,
                           int64_t store_time_us, std::string_view spool_incarnation,
                           std::string_view stored_payload);

// Binds one event to a statement prepared from kInsertEventSql, or (first_parameter > 0) to
// one row of the multi-row statement whose parameters start after first_parameter.
// stored_payload as for append_event_copy_row (both drivers copy what is bound).
void bind_event(Statement& insert, const regwatch::v1::Event& event, int64_t store_time_us,
                std::string_view spool_incarnation, std::string_view stored_payload,
                int first_parameter = 0);

// How a store commits: durable (the collector's: synchronous=FULL) or not (NORMAL,
// for the benchmark to show what durability costs).
enum class Durability { kDurable, kNotDurable };

// The writer's connection settings (see event_writer.h): WAL, commits synced (or not, for the
// benchmark's comparison), the WAL file bounded after checkpoints, 64 MiB of cache (index
// pages hot).
Status set_writer_pragmas(Database* db, Durability durability);

}  // namespace regwatch::collector::store
