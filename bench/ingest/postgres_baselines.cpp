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

// COPY's text format: backslash, tab, newline and carriage return escaped.
void append_copy_text(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

// bytea's hex input, "\x" then two digits a byte, its backslash escaped for COPY.
void append_copy_bytea(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\\\x";
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
}

// One events row in the writer's columns (kInsertEventsHead's order), store time 0 as the
// SQLite baseline's.
void append_copy_row(std::string& out, const regwatch::v1::Event& event,
                     std::string_view spool_incarnation, std::string& payload) {
  const store::EventColumns columns = store::columns_of(event);
  append_copy_text(out, event.agent_id());
  out += '\t';
  append_copy_text(out, spool_incarnation);
  out += '\t' + std::to_string(event.seq()) + '\t' + std::to_string(event.event_time_us()) + '\t' +
         std::to_string(event.receive_time_us()) + "\t0\t";
  append_copy_text(out, event.origin());
  out += '\t';
  append_copy_text(out, source_name(event.source()));
  out += '\t';
  append_copy_text(out, kind_name(event.kind()));
  out += '\t';
  if (columns.device.empty()) {
    out += "\\N";
  } else {
    append_copy_text(out, columns.device);
  }
  out += '\t';
  out += columns.has_reason ? std::to_string(columns.reason_code) : "\\N";
  out += '\t';
  payload.clear();
  event.SerializeToString(&payload);
  append_copy_bytea(out, payload);
  out += event.provenance().spoofed() ? "\t1\n" : "\t0\n";
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
    buffer.clear();
    for (size_t i = start; i < end; ++i)
      append_copy_row(buffer, events[i], spool_incarnation, payload);
    // A COPY outside a transaction block is one transaction: a batch per commit.
    PgResultPtr begun(PQexec(conn.get(),
                             "COPY events (agent_id, spool_incarnation, seq, event_time_us, "
                             "receive_time_us, store_time_us, origin, source, kind, device, "
                             "reason_code, payload, spoofed) FROM STDIN"));
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
