#include "collector/store/store_copy.h"

#include <chrono>

#include "collector/store/migrations.h"

namespace regwatch::collector::store {
namespace {

enum class ColumnType { kInt, kText, kBlob };
struct ColumnSpec {
  const char* name;
  ColumnType type;
};
struct TableSpec {
  const char* name;
  // An integer key: the table is copied in chunks by it, and a resumed copy starts after the
  // largest the target holds. nullptr: a small table, copied whole in one transaction.
  const char* chunk_key;
  // The column whose sequence (PostgreSQL identity) must continue after the copied ids.
  const char* identity;
  std::vector<ColumnSpec> columns;
};

constexpr ColumnType kInteger = ColumnType::kInt;
constexpr ColumnType kString = ColumnType::kText;
constexpr ColumnType kBytes = ColumnType::kBlob;

// The tables of schema version 13 (schema/*.sql, schema/postgresql/013_baseline.sql). A
// migration that changes a table changes it here too. Not copied on purpose: collector_lease
// (014: whoever leads the target takes it anew) and alert_outbox's delivery claims (015: a
// claim belongs to a running collector, never to a copied history).
const std::vector<TableSpec>& tables() {
  static const std::vector<TableSpec> kSpecs = {
      {"events",
       "id",
       "id",
       {{"id", kInteger},
        {"agent_id", kString},
        {"spool_incarnation", kString},
        {"seq", kInteger},
        {"event_time_us", kInteger},
        {"receive_time_us", kInteger},
        {"store_time_us", kInteger},
        {"origin", kString},
        {"source", kString},
        {"kind", kString},
        {"device", kString},
        {"reason_code", kInteger},
        {"payload", kBytes},
        {"spoofed", kInteger}}},
      {"incidents",
       nullptr,
       nullptr,
       {{"id", kString},
        {"state", kString},
        {"class", kString},
        {"scope_type", kString},
        {"scope_name", kString},
        {"start_time_us", kInteger},
        {"end_time_us", kInteger},
        {"phone_count", kInteger},
        {"top_cause", kString},
        {"updated_us", kInteger},
        {"first_id", kString},
        {"record", kBytes}}},
      {"incident_ids", nullptr, nullptr, {{"id", kString}, {"first_id", kString}}},
      {"incident_updates",
       "seq",
       "seq",
       {{"seq", kInteger},
        {"first_id", kString},
        {"at_us", kInteger},
        {"id", kString},
        {"state", kString},
        {"class", kString},
        {"scope_type", kString},
        {"scope_name", kString},
        {"phone_count", kInteger},
        {"top_cause", kString},
        {"change", kString}}},
      {"alert_outbox",
       "id",
       "id",
       {{"id", kInteger},
        {"receiver", kString},
        {"alert_key", kString},
        {"seq", kInteger},
        {"status", kString},
        {"reason", kString},
        {"change", kString},
        {"told", kString},
        {"flapping", kString},
        {"created_us", kInteger},
        {"due_us", kInteger},
        {"attempts", kInteger},
        {"delivered_us", kInteger},
        {"given_up", kInteger},
        {"last_error", kString}}},
      {"silences",
       nullptr,
       nullptr,
       {{"id", kString},
        {"matchers", kString},
        {"starts_us", kInteger},
        {"ends_us", kInteger},
        {"author", kString},
        {"comment", kString},
        {"created_us", kInteger}}},
      {"sources",
       nullptr,
       nullptr,
       {{"agent_id", kString},
        {"origin", kString},
        {"source", kString},
        {"first_us", kInteger},
        {"last_us", kInteger},
        {"events", kInteger}}},
      {"condition_alerts",
       nullptr,
       nullptr,
       {{"key", kString},
        {"identity", kString},
        {"state", kString},
        {"starts_us", kInteger},
        {"updated_us", kInteger},
        {"inactive_since_us", kInteger},
        {"ends_us", kInteger},
        {"record", kBytes}}},
      {"inputs",
       nullptr,
       nullptr,
       {{"agent_id", kString},
        {"source", kString},
        {"origin", kString},
        {"last_store_us", kInteger},
        {"last_event_us", kInteger},
        {"events", kInteger}}},
      {"phones",
       nullptr,
       nullptr,
       {{"device", kString},
        {"mac", kString},
        {"ip", kString},
        {"ip_us", kInteger},
        {"description", kString},
        {"description_us", kInteger},
        {"last_seen_us", kInteger}}},
  };
  return kSpecs;
}

std::string column_list(const TableSpec& spec) {
  std::string list;
  for (const auto& column : spec.columns)
    list += (list.empty() ? "" : ", ") + std::string(column.name);
  return list;
}

std::string insert_sql(const TableSpec& spec) {
  std::string values;
  for (size_t i = 0; i < spec.columns.size(); ++i)
    values += (i ? ", ?" : "?") + std::to_string(i + 1);
  return "INSERT INTO " + std::string(spec.name) + " (" + column_list(spec) + ") VALUES (" +
         values + ") ON CONFLICT DO NOTHING";
}

Result<int64_t> number(Database* db, const std::string& sql, std::string_view doing) {
  auto statement = Statement::prepare(db, sql);
  if (!statement.ok()) return statement.error();
  const int rc = statement->step();
  if (rc != kStepRow) return database_error(db, rc, doing);
  return statement->column_int(0);
}

Result<int64_t> row_count(Database* db, const TableSpec& spec) {
  return number(db, "SELECT count(*) FROM " + std::string(spec.name),
                "counting " + std::string(spec.name));
}

// Copies the rows `select` yields into `insert`; returns how many the target took.
Result<uint64_t> copy_rows(Database* to, const TableSpec& spec, Statement& select,
                           Statement& insert, Database* from, int64_t& last_key) {
  uint64_t copied = 0;
  int rc = 0;
  while ((rc = select.step()) == kStepRow) {
    for (size_t i = 0; i < spec.columns.size(); ++i) {
      const int column = static_cast<int>(i);
      const int index = column + 1;
      if (select.column_is_null(column)) {
        insert.bind_null(index);
        continue;
      }
      switch (spec.columns[i].type) {
        case ColumnType::kInt: insert.bind(index, select.column_int(column)); break;
        case ColumnType::kText: insert.bind(index, select.column_text(column)); break;
        case ColumnType::kBlob: insert.bind_blob(index, select.column_blob(column)); break;
      }
    }
    if (spec.chunk_key) last_key = select.column_int(0);
    const int inserted = insert.step();
    insert.reset();
    if (inserted != kStepDone)
      return database_error(to, inserted, "copying a row of " + std::string(spec.name));
    copied += static_cast<uint64_t>(changes(to));
  }
  if (rc != kStepDone) return database_error(from, rc, "reading " + std::string(spec.name));
  return copied;
}

Result<uint64_t> copy_table(Database* from, Database* to, const TableSpec& spec, uint64_t total,
                            const CopyProgressFn& progress, uint32_t chunk_rows) {
  auto insert = Statement::prepare(to, insert_sql(spec));
  if (!insert.ok()) return insert.error();
  uint64_t copied = 0;
  if (spec.chunk_key == nullptr) {
    auto select = Statement::prepare(from, "SELECT " + column_list(spec) + " FROM " + spec.name);
    if (!select.ok()) return select.error();
    if (auto begin = begin_write(to); !begin.ok()) return begin.error();
    int64_t unused = 0;
    auto rows = copy_rows(to, spec, *select, *insert, from, unused);
    if (rows.ok()) {
      if (auto committed = commit(to); !committed.ok()) rows = committed.error();
    }
    if (!rows.ok()) {
      rollback(to);
      return rows.error();
    }
    if (progress) progress(spec.name, total, total);
    return *rows;
  }
  // The column list starts with the chunk key (see tables()), so copy_rows can note it.
  const std::string key = spec.chunk_key;
  auto resume_from = number(to, "SELECT coalesce(max(" + key + "), 0) FROM " + spec.name,
                            "finding where the copy of " + std::string(spec.name) + " stopped");
  if (!resume_from.ok()) return resume_from.error();
  int64_t last_key = *resume_from;
  auto select =
      Statement::prepare(from, "SELECT " + column_list(spec) + " FROM " + spec.name + " WHERE " +
                                   key + " > ?1 ORDER BY " + key + " LIMIT ?2");
  if (!select.ok()) return select.error();
  for (;;) {
    const int64_t chunk_start = last_key;
    select->reset();
    select->bind(1, last_key);
    select->bind(2, int64_t{chunk_rows});
    if (auto begin = begin_write(to); !begin.ok()) return begin.error();
    auto rows = copy_rows(to, spec, *select, *insert, from, last_key);
    if (rows.ok()) {
      if (auto committed = commit(to); !committed.ok()) rows = committed.error();
    }
    if (!rows.ok()) {
      rollback(to);
      return rows.error();
    }
    copied += *rows;
    if (last_key == chunk_start) break;  // nothing after it
    if (progress) {
      auto done = number(to,
                         "SELECT count(*) FROM " + std::string(spec.name) + " WHERE " + key +
                             " <= " + std::to_string(last_key),
                         "counting the copied rows");
      progress(spec.name, done.ok() ? static_cast<uint64_t>(*done) : copied, total);
    }
  }
  return copied;
}

Status continue_identity(Database* to, const TableSpec& spec) {
  if (to->dialect() != Dialect::kPostgresql || spec.identity == nullptr) return Ok{};
  const std::string table = spec.name, column = spec.identity;
  return exec(to, "SELECT setval(pg_get_serial_sequence('" + table + "', '" + column + "'), max(" +
                      column + ")) FROM " + table + " HAVING max(" + column + ") IS NOT NULL");
}

// A new target, or one a copy from this same source started.
Status claim_target(Database* from, Database* to) {
  if (auto made = exec(to,
                       "CREATE TABLE IF NOT EXISTS regwatch_copied_from (source TEXT NOT NULL, "
                       "started_us BIGINT NOT NULL)");
      !made.ok()) {
    return made.error();
  }
  auto marked =
      Statement::prepare(to, "SELECT count(*) FROM regwatch_copied_from WHERE source = ?1");
  if (!marked.ok()) return marked.error();
  marked->bind(1, from->location());
  if (int rc = marked->step(); rc != kStepRow)
    return database_error(to, rc, "reading regwatch_copied_from");
  if (marked->column_int(0) > 0) return Ok{};  // resuming
  auto events = number(to, "SELECT count(*) FROM events", "counting the target's events");
  if (!events.ok()) return events.error();
  if (*events > 0) {
    return make_error("target_not_empty", to->location() + " already holds " +
                                              std::to_string(*events) +
                                              " events that no copy from " + from->location() +
                                              " stored: copy into a new, empty database");
  }
  auto mark = Statement::prepare(
      to, "INSERT INTO regwatch_copied_from (source, started_us) VALUES (?1, ?2)");
  if (!mark.ok()) return mark.error();
  mark->bind(1, from->location());
  mark->bind(2, static_cast<int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()));
  if (int rc = mark->step(); rc != kStepDone)
    return database_error(to, rc, "writing regwatch_copied_from");
  return Ok{};
}

}  // namespace

Result<std::vector<TableCopy>> copy_store(Database* from, Database* to,
                                          const CopyProgressFn& progress, uint32_t chunk_rows) {
  auto source_version = read_user_version(from);
  if (!source_version.ok()) return source_version.error();
  if (*source_version != latest_schema_version()) {
    return make_error("schema_version",
                      from->location() + " is at schema version " +
                          std::to_string(*source_version) +
                          "; this regwatch-collector copies "
                          "version " +
                          std::to_string(latest_schema_version()) +
                          " (start this collector on it once to upgrade it, then copy)");
  }
  if (auto migrated = apply_migrations(to, to->location()); !migrated.ok()) return migrated.error();
  if (auto claimed = claim_target(from, to); !claimed.ok()) return claimed.error();
  std::vector<TableCopy> report;
  for (const auto& spec : tables()) {
    TableCopy copy{spec.name};
    auto total = row_count(from, spec);
    if (!total.ok()) return total.error();
    copy.source_rows = static_cast<uint64_t>(*total);
    auto copied = copy_table(from, to, spec, copy.source_rows, progress, chunk_rows);
    if (!copied.ok()) return copied.error();
    copy.copied = *copied;
    if (auto continued = continue_identity(to, spec); !continued.ok()) return continued.error();
    auto target_rows = row_count(to, spec);
    if (!target_rows.ok()) return target_rows.error();
    copy.target_rows = static_cast<uint64_t>(*target_rows);
    report.push_back(copy);
  }
  std::string differ;
  for (const auto& copy : report) {
    if (copy.source_rows != copy.target_rows) {
      differ += (differ.empty() ? "" : ", ") + copy.table + " (" +
                std::to_string(copy.source_rows) + " in the source, " +
                std::to_string(copy.target_rows) + " in the target)";
    }
  }
  if (!differ.empty()) {
    return make_error("copy_mismatch", "row counts differ after the copy: " + differ +
                                           " (was a collector still writing to the source?)");
  }
  return report;
}

}  // namespace regwatch::collector::store
