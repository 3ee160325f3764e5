#include "bench/ingest/postgres_baselines.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include "collector/store/database.h"
#include "collector/store/event_rows.h"
#include "collector/store/migrations.h"
#include "collector/store/multi_row_statement.h"
#include "common/event_kind.h"

namespace regwatch::bench {
namespace {

namespace store = regwatch::collector::store;

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultClearer>;

Result<store::DatabasePtr> open_migrated(const std::string& url) {
  auto db = store::open_database(url, false, 5000);
  if (!db.ok()) return db.error();
  if (auto version = store::apply_migrations(db->get(), url); !version.ok()) return version.error();
  return std::move(db).value();
}

// COPY's binary format (the PostgreSQL manual, "COPY", Binary Format): a signature and two
// zero words, then per row a field count and each field as a big-endian length (-1: NULL) and
// its bytes in the type's binary form (text as it is, bigint big-endian, bytea raw), then -1.
constexpr char kBinarySignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its NUL

void append_big_endian(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
    out += static_cast<char>((value >> shift) & 0xff);
}

void append_field(std::string& out, std::string_view bytes) {
  append_big_endian(out, bytes.size(), 4);
  out += bytes;
}

void append_bigint(std::string& out, int64_t value) {
  append_big_endian(out, 8, 4);
  append_big_endian(out, static_cast<uint64_t>(value), 8);
}

void append_null(std::string& out) {
  append_big_endian(out, 0xffffffffu, 4);
}

// One events row in the writer's columns (kInsertEventsHead's order), store time 0 as the
// SQLite baseline's.
void append_copy_row(std::string& out, const regwatch::v1::Event& event,
                     std::string_view spool_incarnation, std::string& payload) {
  const store::EventColumns columns = store::columns_of(event);
  append_big_endian(out, store::kEventParameters, 2);
  append_field(out, event.agent_id());
  append_field(out, spool_incarnation);
  append_bigint(out, static_cast<int64_t>(event.seq()));
  append_bigint(out, event.event_time_us());
  append_bigint(out, event.receive_time_us());
  append_bigint(out, 0);
  append_field(out, event.origin());
  append_field(out, source_name(event.source()));
  append_field(out, kind_name(event.kind()));
  if (columns.device.empty()) {
    append_null(out);
  } else {
    append_field(out, columns.device);
  }
  if (columns.has_reason) {
    append_bigint(out, columns.reason_code);
  } else {
    append_null(out);
  }
  payload.clear();
  event.SerializeToString(&payload);
  append_field(out, payload);
  append_bigint(out, event.provenance().spoofed() ? 1 : 0);
}

Error copy_error(PGconn* conn, const char* doing) {
  return Error{"postgresql", std::string(doing) + ": " + PQerrorMessage(conn)};
}

}  // namespace

Result<uint64_t> bare_multi_row_insert(const std::string& url,
                                       std::span<const regwatch::v1::Event> events, size_t batch,
                                       std::string_view spool_incarnation) {
  auto db = open_migrated(url);
  if (!db.ok()) return db.error();
  store::Database* handle = db->get();
  store::MultiRowStatement insert(
      store::Dialect::kPostgresql, store::kInsertEventsHead, store::kEventParameters,
      store::kInsertEventsTail,
      std::vector<int>(store::kEventParameterOrder.begin(), store::kEventParameterOrder.end()));
  std::string scratch;
  uint64_t rows = 0;
  for (size_t start = 0; start < events.size(); start += batch) {
    const size_t end = std::min(events.size(), start + batch);
    if (auto begin = store::exec(handle, "BEGIN"); !begin.ok()) return begin.error();
    size_t at = start;
    for (const size_t chunk : insert.chunks(end - start)) {
      auto statement = insert.for_rows(handle, chunk);
      if (!statement.ok()) return statement.error();
      for (size_t row = 0; row < chunk; ++row, ++at) {
        store::bind_event(**statement, events[at], 0, spool_incarnation, scratch,
                          store::MultiRowStatement::parameter(row, 0, store::kEventParameters));
      }
      int rc = store::kStepRow;
      while ((rc = (*statement)->step()) == store::kStepRow) ++rows;
      (*statement)->reset();
      if (rc != store::kStepDone) return store::database_error(handle, rc, "bare insert");
    }
    if (auto commit = store::exec(handle, "COMMIT"); !commit.ok()) return commit.error();
  }
  return rows;
}

Result<uint64_t> bare_copy(const std::string& url, std::span<const regwatch::v1::Event> events,
                           size_t batch, std::string_view spool_incarnation) {
  if (auto db = open_migrated(url); !db.ok()) return db.error();
  PgConnPtr conn(PQconnectdb(url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) return copy_error(conn.get(), "connecting");
  std::string buffer;
  std::string payload;
  uint64_t rows = 0;
  for (size_t start = 0; start < events.size(); start += batch) {
    const size_t end = std::min(events.size(), start + batch);
    buffer.assign(kBinarySignature, sizeof kBinarySignature);
    append_big_endian(buffer, 0, 4);  // flags
    append_big_endian(buffer, 0, 4);  // header extension length
    for (size_t i = start; i < end; ++i)
      append_copy_row(buffer, events[i], spool_incarnation, payload);
    append_big_endian(buffer, 0xffff, 2);  // the trailer
    // A COPY outside a transaction block is one transaction: a batch per commit.
    PgResultPtr begun(PQexec(conn.get(),
                             "COPY events (agent_id, spool_incarnation, seq, event_time_us, "
                             "receive_time_us, store_time_us, origin, source, kind, device, "
                             "reason_code, payload, spoofed) FROM STDIN (FORMAT binary)"));
    if (PQresultStatus(begun.get()) != PGRES_COPY_IN) return copy_error(conn.get(), "COPY");
    if (PQputCopyData(conn.get(), buffer.data(), static_cast<int>(buffer.size())) != 1 ||
        PQputCopyEnd(conn.get(), nullptr) != 1)
      return copy_error(conn.get(), "sending COPY data");
    bool failed = false;
    while (PGresult* raw = PQgetResult(conn.get())) {
      const PgResultPtr result(raw);
      if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) failed = true;
    }
    if (failed) return copy_error(conn.get(), "COPY");
    rows += end - start;
  }
  return rows;
}

}  // namespace regwatch::bench
