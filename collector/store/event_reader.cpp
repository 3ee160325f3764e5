#include <algorithm>
#include <set>

#include "collector/store/event_store.h"
#include "collector/store/migrations.h"
#include "common/event_kind.h"
#include "common/host_name.h"
#include "common/record_bytes.h"

namespace regwatch::collector::store {

Result<std::unique_ptr<EventReader>> EventReader::open(const std::string& path,
                                                       const StoreOptions& options) {
  auto db = open_database(path, true, options.busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<EventReader> reader(new EventReader());
  reader->db_ = std::move(db).value();
  return reader;
}

Result<regwatch::v1::EventList> EventReader::query(const regwatch::v1::EventQuery& q) {
  // The SQL is assembled from fixed fragments only; every value is bound.
  std::string sql = "SELECT id, store_time_us, payload FROM events WHERE 1";
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
  while ((rc = statement->step()) == SQLITE_ROW) {
    if (static_cast<uint32_t>(list.events_size()) == limit) {
      list.set_truncated(true);
      break;
    }
    auto* stored = list.add_events();
    stored->set_id(statement->column_int(0));
    stored->set_store_time_us(statement->column_int(1));
    const auto blob = statement->column_blob(2);
    if (!stored->mutable_event()->ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
      return make_error("database_corrupt",
                        "event " + std::to_string(stored->id()) + " cannot be decoded");
    }
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "querying events");
  return list;
}

Result<ScopeFilter> parse_scope_filter(const std::string& text) {
  static const std::set<std::string> kTypes = {"cluster", "cm_node", "switch",
                                               "module",  "vlan",    "subnet"};
  ScopeFilter filter;
  if (text.empty()) return filter;
  const size_t colon = text.find(':');
  // An IPv6 subnet has colons too: only a known type before the first one makes it TYPE:NAME.
  if (colon != std::string::npos && kTypes.count(text.substr(0, colon))) {
    filter.type = text.substr(0, colon);
    filter.name = text.substr(colon + 1);
  } else if (kTypes.count(text)) {
    filter.type = text;
  } else {
    filter.name = text;
  }
  if (!filter.type.empty() && colon != std::string::npos && filter.name.empty())
    return make_error("query", "scope '" + text + "' has no name after the type");
  return filter;
}

Result<regwatch::v1::IncidentList> EventReader::incidents(const regwatch::v1::IncidentQuery& q) {
  std::string sql = "SELECT record, first_id FROM incidents WHERE 1";
  if (q.since_us() != 0) sql += " AND start_time_us >= ?1";
  if (q.until_us() != 0) sql += " AND start_time_us < ?2";
  if (!q.state().empty()) {
    sql += " AND state = ?3";
  } else if (q.id().empty()) {
    sql += " AND state != 'withdrawn'";  // kept only to resolve their pages
  }
  if (!q.cause().empty()) sql += " AND top_cause = ?4";
  const auto scope = parse_scope_filter(q.scope());
  if (!scope.ok()) return scope.error();
  if (!scope->type.empty()) sql += " AND scope_type = ?7";
  if (!scope->name.empty()) {
    // The name as given or as a host without its domain; a switch's modules are "switch/N".
    sql +=
        " AND (lower(scope_name) IN (lower(?8), ?9) OR (scope_type = 'module' AND "
        "lower(substr(scope_name, 1, length(?9) + 1)) = ?9 || '/'))";
  }
  if (!q.id().empty()) {
    // By its id, else the incident that now continues the one that had it: exact first.
    sql +=
        " AND (id = ?6 OR first_id = (SELECT first_id FROM incident_ids WHERE id = ?6))"
        " ORDER BY id = ?6 DESC, state = 'withdrawn', updated_us DESC LIMIT ?5";
  } else {
    sql += " ORDER BY start_time_us DESC, id DESC LIMIT ?5";
  }
  auto statement = Statement::prepare(db_.get(), sql);
  if (!statement.ok()) return statement.error();
  const uint32_t limit =
      !q.id().empty() ? 1
                      : std::min(q.limit() == 0 ? kDefaultQueryLimit : q.limit(), kMaxQueryLimit);
  if (q.since_us() != 0) statement->bind(1, q.since_us());
  if (q.until_us() != 0) statement->bind(2, q.until_us());
  if (!q.state().empty()) statement->bind(3, q.state());
  if (!q.cause().empty()) statement->bind(4, q.cause());
  if (!q.id().empty()) statement->bind(6, q.id());
  if (!scope->type.empty()) statement->bind(7, scope->type);
  if (!scope->name.empty()) {
    statement->bind(8, scope->name);
    statement->bind(9, short_host(scope->name));
  }
  statement->bind(5, int64_t{limit} + 1);
  regwatch::v1::IncidentList list;
  int rc = 0;
  while ((rc = statement->step()) == SQLITE_ROW) {
    if (static_cast<uint32_t>(list.incidents_size()) == limit) {
      list.set_truncated(q.id().empty());
      break;
    }
    if (!parse_record(statement->column_blob(0), *list.add_incidents()))
      return make_error("store", "an incident record does not parse");
    if (list.first_id().empty()) list.set_first_id(std::string(statement->column_text(1)));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sqlite_error(db_.get(), rc, "querying incidents");
  if (q.id().empty() || list.incidents().empty()) {
    list.clear_first_id();
    return list;
  }
  auto updates = Statement::prepare(db_.get(),
                                    "SELECT at_us, id, state, class, scope_type, scope_name, "
                                    "phone_count, top_cause, change FROM incident_updates WHERE "
                                    "first_id = ?1 ORDER BY seq LIMIT ?2");
  if (!updates.ok()) return updates.error();
  updates->bind(1, list.first_id());
  updates->bind(2, int64_t{1000});
  while ((rc = updates->step()) == SQLITE_ROW) {
    auto* u = list.add_updates();
    u->set_at_us(updates->column_int(0));
    u->set_id(std::string(updates->column_text(1)));
    u->set_state(std::string(updates->column_text(2)));
    u->set_incident_class(std::string(updates->column_text(3)));
    u->set_scope_type(std::string(updates->column_text(4)));
    u->set_scope_name(std::string(updates->column_text(5)));
    u->set_phone_count(static_cast<uint32_t>(updates->column_int(6)));
    u->set_top_cause(std::string(updates->column_text(7)));
    u->set_change(std::string(updates->column_text(8)));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "reading incident updates");
  return list;
}

Result<regwatch::v1::AlertList> EventReader::alerts(const regwatch::v1::AlertQuery& q) {
  auto statement = Statement::prepare(
      db_.get(),
      "SELECT record FROM condition_alerts WHERE state = 'firing' OR (?1 AND ends_us >= ?2) "
      "ORDER BY state = 'firing' DESC, starts_us DESC, key LIMIT ?3");
  if (!statement.ok()) return statement.error();
  const uint32_t limit = std::min(q.limit() == 0 ? kDefaultQueryLimit : q.limit(), kMaxQueryLimit);
  statement->bind(1, int64_t{q.resolved_too() ? 1 : 0});
  statement->bind(2, q.since_us());
  statement->bind(3, int64_t{limit} + 1);
  regwatch::v1::AlertList list;
  int rc = 0;
  while ((rc = statement->step()) == SQLITE_ROW) {
    if (static_cast<uint32_t>(list.alerts_size()) == limit) {
      list.set_truncated(true);
      break;
    }
    if (!parse_record(statement->column_blob(0), *list.add_alerts()))
      return make_error("store", "a condition alert record does not parse");
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "querying alerts");
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
Result<EventReader::WindowScan> read_rows(sqlite3* db, Statement& statement, size_t max_rows,
                                          const EventReader::StoredEventFn& fn) {
  EventReader::WindowScan scan;
  size_t rows = 0;
  int rc = 0;
  while ((rc = statement.step()) == SQLITE_ROW) {
    if (++rows > max_rows) {
      scan.cut = true;
      return scan;
    }
    const int64_t id = statement.column_int(0);
    scan.last_id = std::max(scan.last_id, id);
    regwatch::v1::Event event;
    const auto payload = statement.column_blob(1);
    if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) continue;
    fn(id, std::move(event));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db, rc, "reading events for correlation");
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
  if (auto begin = exec(db_.get(), "BEGIN"); !begin.ok()) return begin.error();
  auto scan = [&]() -> Result<WindowScan> {
    auto newest = Statement::prepare(db_.get(), "SELECT coalesce(max(id), 0) FROM events");
    if (!newest.ok()) return newest.error();
    if (const int rc = newest->step(); rc != SQLITE_ROW)
      return sqlite_error(db_.get(), rc, "reading the newest event id");
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
  if (auto end = exec(db_.get(), "COMMIT"); !end.ok()) {
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

Result<bool> EventReader::scan_drops(int64_t since_us, int64_t until_us, size_t max_rows,
                                     const DropRowFn& fn) {
  auto statement = Statement::prepare(
      db_.get(),
      "SELECT device, event_time_us, reason_code FROM events WHERE device IS NOT NULL AND kind IN "
      "('phone_unregistered', 'connection_lost', 'keepalive_missed', 'phone_auth_failed') AND "
      "spoofed = 0 AND "
      "event_time_us >= ?1 AND "
      "event_time_us < ?2 ORDER BY device, event_time_us LIMIT ?3");
  if (!statement.ok()) return statement.error();
  statement->bind(1, since_us);
  statement->bind(2, until_us == 0 ? INT64_MAX : until_us);
  statement->bind(3, static_cast<int64_t>(max_rows) + 1);
  size_t rows = 0;
  int rc = 0;
  while ((rc = statement->step()) == SQLITE_ROW) {
    if (++rows > max_rows) return true;
    const bool has_reason = sqlite3_column_type(statement->get(), 2) != SQLITE_NULL;
    fn(statement->column_text(0), statement->column_int(1),
       has_reason ? static_cast<int32_t>(statement->column_int(2)) : -1);
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "reading drops");
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
  while ((rc = statement->step()) == SQLITE_ROW) {
    if (++rows > max_rows) return true;
    const auto payload = statement->column_blob(0);
    if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) continue;
    fn(event);
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "reading sightings");
  return false;
}

Result<regwatch::v1::StatusReply> EventReader::status() {
  regwatch::v1::StatusReply reply;
  auto version = read_user_version(db_.get());
  if (!version.ok()) return version.error();
  reply.set_schema_version(*version);
  auto agents = Statement::prepare(db_.get(),
                                   "SELECT agent_id, max(seq), max(store_time_us), count(*), "
                                   "sum(spoofed) FROM events GROUP BY agent_id ORDER BY agent_id");
  if (!agents.ok()) return agents.error();
  uint64_t total = 0;
  int rc = 0;
  while ((rc = agents->step()) == SQLITE_ROW) {
    auto* agent = reply.add_agents();
    agent->set_agent_id(std::string(agents->column_text(0)));
    agent->set_last_seq(static_cast<uint64_t>(agents->column_int(1)));
    agent->set_last_store_time_us(agents->column_int(2));
    agent->set_events(static_cast<uint64_t>(agents->column_int(3)));
    agent->set_spoofed(static_cast<uint64_t>(agents->column_int(4)));
    total += agent->events();
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "reading status");
  reply.set_total_events(total);
  auto receivers = Statement::prepare(
      db_.get(),
      "SELECT receiver, coalesce(sum(delivered_us IS NULL AND given_up = 0), 0), "
      "coalesce(sum(delivered_us IS NOT NULL), 0), coalesce(sum(given_up), 0), "
      "coalesce(sum(CASE WHEN delivered_us IS NULL THEN attempts ELSE attempts - 1 END), 0), "
      "(SELECT last_error FROM alert_outbox AS latest WHERE latest.receiver = o.receiver AND "
      "last_error IS NOT NULL ORDER BY latest.id DESC LIMIT 1) FROM alert_outbox AS o GROUP BY "
      "receiver ORDER BY receiver");
  if (!receivers.ok()) return receivers.error();
  while ((rc = receivers->step()) == SQLITE_ROW) {
    auto* r = reply.add_receivers();
    r->set_receiver(std::string(receivers->column_text(0)));
    r->set_pending(static_cast<uint64_t>(receivers->column_int(1)));
    r->set_delivered(static_cast<uint64_t>(receivers->column_int(2)));
    r->set_given_up(static_cast<uint64_t>(receivers->column_int(3)));
    r->set_failed_attempts(static_cast<uint64_t>(receivers->column_int(4)));
    r->set_last_error(std::string(receivers->column_text(5)));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "reading notification status");
  return reply;
}

}  // namespace regwatch::collector::store
