#include "collector/store/event_reader.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "collector/store/event_cursor.h"
#include "collector/store/migrations.h"
#include "collector/store/postgres_database.h"
#include "collector/store/reader_database.h"
#include "collector/store/stored_payload.h"
#include "common/clock.h"
#include "common/event_kind.h"

namespace regwatch::collector::store {

Result<std::unique_ptr<EventReader>> EventReader::open(const std::string& path,
                                                       const StoreOptions& options) {
  auto db = open_reader_database(path, options);
  if (!db.ok()) return db.error();
  std::unique_ptr<EventReader> reader(new EventReader());
  reader->db_ = std::move(db).value();
  return reader;
}

Result<regwatch::v1::EventList> EventReader::query(const regwatch::v1::EventQuery& q) {
  // The SQL is assembled from fixed fragments only; every value is bound.
  std::string sql = "SELECT id, store_time_us, payload FROM events WHERE 1 = 1";
  std::vector<std::string> texts;
  std::vector<int64_t> numbers;
  struct Param {
    bool is_text;
    size_t index;
  };
  std::vector<Param> params;
  auto add_number = [&](const char* clause, int64_t value) {
    sql += clause;
    numbers.push_back(value);
    params.push_back({false, numbers.size() - 1});
  };
  auto add_text = [&](const char* clause, std::string value) {
    sql += clause;
    texts.push_back(std::move(value));
    params.push_back({true, texts.size() - 1});
  };
  if (q.since_us() != 0) add_number(" AND event_time_us >= ?", q.since_us());
  if (q.until_us() != 0) add_number(" AND event_time_us < ?", q.until_us());
  if (!q.device().empty()) add_text(" AND device = ?", q.device());
  if (!q.origin().empty()) add_text(" AND origin = ?", q.origin());
  if (q.has_reason_code()) add_number(" AND reason_code = ?", q.reason_code());
  if (q.spoofed_only()) sql += " AND spoofed = 1";
  if (q.ids_size() > 1000) return make_error("too_many_ids", "at most 1000 event ids per query");
  if (q.ids_size() > 0) {
    sql += " AND id IN (";
    for (int i = 0; i < q.ids_size(); ++i) {
      sql += i ? ",?" : "?";
      numbers.push_back(q.ids(i));
      params.push_back({false, numbers.size() - 1});
    }
    sql += ")";
  }
  if (q.kinds_size() > 0) {
    sql += " AND kind IN (";
    for (int i = 0; i < q.kinds_size(); ++i) {
      if (!parse_kind(q.kinds(i))) {
        std::string valid;
        for (const auto& name : all_kind_names()) valid += (valid.empty() ? "" : ", ") + name;
        return make_error("unknown_kind", "unknown kind '" + q.kinds(i) + "'; kinds are: " + valid);
      }
      sql += i ? ",?" : "?";
      texts.push_back(q.kinds(i));
      params.push_back({true, texts.size() - 1});
    }
    sql += ")";
  }
  if (q.sources_size() > 0) {
    sql += " AND source IN (";
    for (int i = 0; i < q.sources_size(); ++i) {
      const auto source = parse_source(q.sources(i));
      if (!source) {
        std::string valid;
        for (const auto& name : all_source_names()) valid += (valid.empty() ? "" : ", ") + name;
        return make_error("bad_query",
                          "unknown source '" + q.sources(i) + "'; sources are: " + valid);
      }
      sql += i ? ",?" : "?";
      texts.push_back(source_name(*source));  // as stored: lower case
      params.push_back({true, texts.size() - 1});
    }
    sql += ")";
  }
  if (!q.cursor().empty()) {
    const auto cursor = decode_cursor(q.cursor());
    if (!cursor) {
      return make_error("bad_query", "malformed cursor '" + q.cursor().substr(0, 64) +
                                         "': pass back a next_cursor exactly as it was given");
    }
    if (cursor->oldest_first != q.oldest_first()) {
      return make_error("bad_query", std::string("the cursor continues a ") +
                                         (cursor->oldest_first ? "oldest" : "newest") +
                                         "-first listing; ask in that order");
    }
    // After the cursor's (time, id) in the query's order. The first term is a plain range on
    // event_time_us, so the time index still bounds the scan.
    add_number(q.oldest_first() ? " AND event_time_us >= ?" : " AND event_time_us <= ?",
               cursor->event_time_us);
    add_number(q.oldest_first() ? " AND (event_time_us > ?" : " AND (event_time_us < ?",
               cursor->event_time_us);
    add_number(q.oldest_first() ? " OR id > ?)" : " OR id < ?)", cursor->id);
  }
  const uint32_t limit = std::min(q.limit() == 0 ? kDefaultQueryLimit : q.limit(), kMaxQueryLimit);
  sql += q.oldest_first() ? " ORDER BY event_time_us ASC, id ASC"
                          : " ORDER BY event_time_us DESC, id DESC";
  sql += " LIMIT ?";
  numbers.push_back(int64_t{limit} + 1);  // one more tells us whether it was truncated
  params.push_back({false, numbers.size() - 1});

  auto statement = Statement::prepare(db_.get(), sql);
  if (!statement.ok()) return statement.error();
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    if (params[i].is_text) {
      statement->bind(index, texts[params[i].index]);
    } else {
      statement->bind(index, numbers[params[i].index]);
    }
  }
  regwatch::v1::EventList list;
  int rc = 0;
  while ((rc = statement->step()) == kStepRow) {
    if (static_cast<uint32_t>(list.events_size()) == limit) {
      list.set_truncated(true);
      break;
    }
    auto* stored = list.add_events();
    stored->set_id(statement->column_int(0));
    stored->set_store_time_us(statement->column_int(1));
    const auto blob = statement->column_blob(2);
    if (!decode_stored_payload(blob, *stored->mutable_event())) {
      return make_error("database_corrupt",
                        "event " + std::to_string(stored->id()) + " cannot be decoded");
    }
  }
  if (rc != kStepRow && rc != kStepDone) return database_error(db_.get(), rc, "querying events");
  if (list.truncated() && list.events_size() > 0) {
    const auto& last = list.events(list.events_size() - 1);
    list.set_next_cursor(
        encode_cursor({q.oldest_first(), last.event().event_time_us(), last.id()}));
  }
  return list;
}

namespace {

// "(?3,?4,...)": one parameter per kind from first_parameter on; bind_kinds() fills them.
std::string kind_list(const std::vector<std::string>& kinds, int first_parameter) {
  std::string list = "(";
  for (size_t i = 0; i < kinds.size(); ++i)
    list += (i ? ",?" : "?") + std::to_string(static_cast<size_t>(first_parameter) + i);
  return list + ")";
}

void bind_kinds(Statement& statement, const std::vector<std::string>& kinds, int first_parameter) {
  for (size_t i = 0; i < kinds.size(); ++i)
    statement.bind(first_parameter + static_cast<int>(i), kinds[i]);
}

// Reads rows of (id, payload) until done or max_rows, handing each parsed event to fn.
Result<EventReader::WindowScan> read_rows(Database* db, Statement& statement, size_t max_rows,
                                          const EventReader::StoredEventFn& fn) {
  EventReader::WindowScan scan;
  size_t rows = 0;
  int rc = 0;
  while ((rc = statement.step()) == kStepRow) {
    if (++rows > max_rows) {
      scan.cut = true;
      return scan;
    }
    const int64_t id = statement.column_int(0);
    scan.last_id = std::max(scan.last_id, id);
    regwatch::v1::Event event;
    const auto payload = statement.column_blob(1);
    if (!decode_stored_payload(payload, event)) continue;
    fn(id, std::move(event));
  }
  if (rc != kStepDone) return database_error(db, rc, "reading events for correlation");
  return scan;
}

}  // namespace

Result<bool> EventReader::scan_events(int64_t since_us, int64_t until_us,
                                      const std::vector<std::string>& kinds, size_t max_rows,
                                      const StoredEventFn& fn) {
  auto statement = Statement::prepare(
      db_.get(),
      "SELECT id, payload FROM events WHERE event_time_us >= ?1 AND event_time_us < ?2 "
      "AND kind IN " +
          kind_list(kinds, 4) + " ORDER BY event_time_us DESC, id DESC LIMIT ?3");
  if (!statement.ok()) return statement.error();
  statement->bind(1, since_us);
  statement->bind(2, until_us);
  statement->bind(3, static_cast<int64_t>(max_rows) + 1);
  bind_kinds(*statement, kinds, 4);
  auto read = read_rows(db_.get(), *statement, max_rows, fn);
  if (!read.ok()) return read.error();
  return read->cut;
}

Result<EventReader::WindowScan> EventReader::scan_window(int64_t since_us,
                                                         const std::vector<std::string>& kinds,
                                                         size_t max_rows, const StoredEventFn& fn) {
  // One read transaction: the newest id and the rows are of the same snapshot.
  if (auto begin = begin_snapshot(db_.get()); !begin.ok()) return begin.error();
  auto scan = [&]() -> Result<WindowScan> {
    auto newest = Statement::prepare(db_.get(), "SELECT coalesce(max(id), 0) FROM events");
    if (!newest.ok()) return newest.error();
    if (const int rc = newest->step(); rc != kStepRow)
      return database_error(db_.get(), rc, "reading the newest event id");
    const int64_t last_id = newest->column_int(0);
    auto statement = Statement::prepare(
        db_.get(), "SELECT id, payload FROM events WHERE event_time_us >= ?1 AND kind IN " +
                       kind_list(kinds, 3) + " ORDER BY event_time_us DESC, id DESC LIMIT ?2");
    if (!statement.ok()) return statement.error();
    statement->bind(1, since_us);
    statement->bind(2, static_cast<int64_t>(max_rows) + 1);
    bind_kinds(*statement, kinds, 3);
    auto read = read_rows(db_.get(), *statement, max_rows, fn);
    if (read.ok()) read->last_id = last_id;
    return read;
  }();
  if (!scan.ok()) {
    rollback(db_.get());
    return scan;
  }
  if (auto end = commit(db_.get()); !end.ok()) {
    rollback(db_.get());  // never left inside a read transaction, on a frozen snapshot
    return end.error();
  }
  return scan;
}

Result<EventReader::WindowScan> EventReader::scan_after(int64_t after_id,
                                                        const std::vector<std::string>& kinds,
                                                        size_t max_rows, const StoredEventFn& fn) {
  auto statement =
      Statement::prepare(db_.get(), "SELECT id, payload FROM events WHERE id > ?1 AND kind IN " +
                                        kind_list(kinds, 3) + " ORDER BY id LIMIT ?2");
  if (!statement.ok()) return statement.error();
  statement->bind(1, after_id);
  statement->bind(2, static_cast<int64_t>(max_rows) + 1);
  bind_kinds(*statement, kinds, 3);
  auto read = read_rows(db_.get(), *statement, max_rows, fn);
  if (read.ok()) read->last_id = std::max(read->last_id, after_id);
  return read;
}

Result<bool> EventReader::scan_phone_reports(int64_t since_us, int64_t until_us,
                                             const std::vector<std::string>& kinds, size_t max_rows,
                                             const PhoneReportFn& fn) {
  // spoofed = 0: common/provenance.h's rule, in SQL (a forged report never drives a diagnosis).
  auto statement = Statement::prepare(
      db_.get(),
      "SELECT device, event_time_us, kind, reason_code FROM events WHERE device IS NOT NULL AND "
      "kind IN " +
          kind_list(kinds, 4) +
          " AND spoofed = 0 AND event_time_us >= ?1 AND event_time_us < ?2 "
          "ORDER BY device, event_time_us, agent_id, seq, id LIMIT ?3");
  if (!statement.ok()) return statement.error();
  statement->bind(1, since_us);
  statement->bind(2, until_us == 0 ? INT64_MAX : until_us);
  statement->bind(3, static_cast<int64_t>(max_rows) + 1);
  bind_kinds(*statement, kinds, 4);
  size_t rows = 0;
  int rc = 0;
  while ((rc = statement->step()) == kStepRow) {
    if (++rows > max_rows) return true;
    const bool has_reason = !statement->column_is_null(3);
    fn(statement->column_text(0), statement->column_int(1), statement->column_text(2),
       has_reason ? static_cast<int32_t>(statement->column_int(3)) : -1);
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading phone reports");
  return false;
}

Result<bool> EventReader::scan_sightings(int64_t until_us, size_t max_rows, const SightingFn& fn) {
  auto statement = Statement::prepare(
      db_.get(),
      "SELECT payload FROM events WHERE kind = 'topology' AND device IS NOT NULL AND "
      "event_time_us < ?1 ORDER BY device, event_time_us LIMIT ?2");
  if (!statement.ok()) return statement.error();
  statement->bind(1, until_us == 0 ? INT64_MAX : until_us);
  statement->bind(2, static_cast<int64_t>(max_rows) + 1);
  size_t rows = 0;
  int rc = 0;
  regwatch::v1::Event event;
  while ((rc = statement->step()) == kStepRow) {
    if (++rows > max_rows) return true;
    const auto payload = statement->column_blob(0);
    if (!decode_stored_payload(payload, event)) continue;
    fn(event);
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading sightings");
  return false;
}

Result<regwatch::v1::StatusReply> EventReader::status() {
  regwatch::v1::StatusReply reply;
  // One row, under a short deadline: a store cut off shows here within seconds (reader_database.h).
  set_postgres_reply_timeout(*db_, kProbeReplyTimeout);
  auto version = read_user_version(db_.get());
  set_postgres_reply_timeout(*db_, kReaderReplyTimeout);
  if (!version.ok()) return version.error();
  reply.set_schema_version(*version);
  auto agents = Statement::prepare(db_.get(),
                                   "SELECT agent_id, max(seq), max(store_time_us), count(*), "
                                   "sum(spoofed) FROM events GROUP BY agent_id ORDER BY agent_id");
  if (!agents.ok()) return agents.error();
  uint64_t total = 0;
  int rc = 0;
  while ((rc = agents->step()) == kStepRow) {
    auto* agent = reply.add_agents();
    agent->set_agent_id(std::string(agents->column_text(0)));
    agent->set_last_seq(static_cast<uint64_t>(agents->column_int(1)));
    agent->set_last_store_time_us(agents->column_int(2));
    agent->set_events(static_cast<uint64_t>(agents->column_int(3)));
    agent->set_spoofed(static_cast<uint64_t>(agents->column_int(4)));
    total += agent->events();
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading status");
  reply.set_total_events(total);
  if (auto added = add_incomplete_targets(reply); !added.ok()) return added.error();
  return reply;
}

Status EventReader::add_incomplete_targets(regwatch::v1::StatusReply& reply) {
  // The latest snmp_data_missing event per agent, target and missing part says whether it
  // still lacks it (a reminder renews it, resolved = true ends it). Agents remind every 6 h
  // while it lasts, so only the last 13 h are read: through
  // the events_time index, not a second scan of the whole table; a gap nobody reminded of
  // for that long (its agent or target gone) is no longer shown.
  constexpr int64_t kWindowUs = int64_t{13} * 3600 * 1'000'000;
  auto reports = Statement::prepare(
      db_.get(),
      "SELECT agent_id, payload FROM events WHERE event_time_us >= ? AND kind = ? "
      "ORDER BY event_time_us, id");
  if (!reports.ok()) return reports.error();
  reports->bind(1, SystemClock::instance().now_us() - kWindowUs);
  reports->bind(2, kind_name(regwatch::v1::SNMP_DATA_MISSING));
  std::map<std::tuple<std::string, std::string, std::string>, regwatch::v1::Event> latest;
  int rc = 0;
  while ((rc = reports->step()) == kStepRow) {
    const auto payload = reports->column_blob(1);
    regwatch::v1::Event event;
    if (!decode_stored_payload(payload, event)) continue;
    const auto& m = event.snmp_data_missing();
    latest[{std::string(reports->column_text(0)), m.target(), m.missing()}] = std::move(event);
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading snmp_data_missing events");
  for (const auto& [key, event] : latest) {
    const auto& m = event.snmp_data_missing();
    if (m.resolved()) continue;
    const std::string& agent_id = std::get<0>(key);
    auto agent = std::find_if(reply.mutable_agents()->begin(), reply.mutable_agents()->end(),
                              [&](const auto& a) { return a.agent_id() == agent_id; });
    if (agent == reply.mutable_agents()->end()) continue;  // (an agent with events is listed)
    auto* target = agent->add_incomplete_targets();
    target->set_target(m.target());
    target->set_role(m.role());
    target->set_missing(m.missing());
    target->set_fix(m.fix());
    target->set_since_us(m.missing_since_us());
    target->set_last_reported_us(event.event_time_us());
  }
  return Ok{};
}

Result<EventSource::RowsAfter> EventReader::rows_after(int64_t after_id) {
  auto select = Statement::prepare(
      db_.get(),
      "SELECT count(*), coalesce(min(event_time_us), 0), coalesce(max(event_time_us), 0), "
      "coalesce(max(id), 0) FROM events WHERE id > ?1");
  if (!select.ok()) return select.error();
  select->bind(1, after_id);
  const int rc = select->step();
  if (rc != kStepRow) return database_error(db_.get(), rc, "reading the rows stored since");
  RowsAfter after;
  after.rows = static_cast<uint64_t>(select->column_int(0));
  after.min_event_us = select->column_int(1);
  after.max_event_us = select->column_int(2);
  after.last_id = after.rows == 0 ? after_id : select->column_int(3);
  return after;
}

Result<int64_t> EventReader::newest_id() {
  auto select = Statement::prepare(db_.get(), "SELECT coalesce(max(id), 0) FROM events");
  if (!select.ok()) return select.error();
  const int rc = select->step();
  if (rc != kStepRow) return database_error(db_.get(), rc, "reading the newest row id");
  return select->column_int(0);
}

}  // namespace regwatch::collector::store
