#include "bench/ingest/postgres_baselines.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include "collector/store/database.h"
#include "collector/store/event_rows.h"
#include "collector/store/migrations.h"
#include "collector/store/multi_row_statement.h"
#include "collector/store/stored_payload.h"
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
        store::encode_stored_payload(events[at], scratch);
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
  store::PostgresCopyRows copy_rows;
  std::string payload;
  uint64_t rows = 0;
  for (size_t start = 0; start < events.size(); start += batch) {
    const size_t end = std::min(events.size(), start + batch);
    copy_rows.clear();
    // Store time 0, as the SQLite baseline's.
    for (size_t i = start; i < end; ++i) {
      store::encode_stored_payload(events[i], payload);
      store::append_event_copy_row(copy_rows, events[i], 0, spool_incarnation, payload);
    }
    const std::string_view buffer = copy_rows.finish();
    // A COPY outside a transaction block is one transaction: a batch per commit. Plain libpq,
    // blocking: the baseline has nothing of the driver around it.
    PgResultPtr begun(PQexec(conn.get(), store::kCopyEventsSql));
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
