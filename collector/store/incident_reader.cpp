#include "collector/store/incident_reader.h"

#include <algorithm>
#include <set>

#include "collector/store/reader_database.h"
#include "common/host_name.h"
#include "common/incident_state.h"
#include "common/record_bytes.h"

namespace regwatch::collector::store {

Result<std::unique_ptr<IncidentReader>> IncidentReader::open(const std::string& path,
                                                             const StoreOptions& options) {
  auto db = open_reader_database(path, options);
  if (!db.ok()) return db.error();
  std::unique_ptr<IncidentReader> reader(new IncidentReader());
  reader->db_ = std::move(db).value();
  return reader;
}

Result<ScopeFilter> parse_scope_filter(const std::string& text) {
  static const std::set<std::string> kTypes = {"cluster", "cm_node", "switch",     "module",
                                               "vlan",    "subnet",  "tftp_server"};
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

Result<regwatch::v1::IncidentList> IncidentReader::incidents(const regwatch::v1::IncidentQuery& q) {
  std::string sql = "SELECT record, first_id FROM incidents WHERE 1 = 1";
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
  while ((rc = statement->step()) == kStepRow) {
    if (static_cast<uint32_t>(list.incidents_size()) == limit) {
      list.set_truncated(q.id().empty());
      break;
    }
    if (!parse_record(statement->column_blob(0), *list.add_incidents()))
      return make_error("store", "an incident record does not parse");
    if (list.first_id().empty()) list.set_first_id(std::string(statement->column_text(1)));
  }
  if (rc != kStepRow && rc != kStepDone) return database_error(db_.get(), rc, "querying incidents");
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
  while ((rc = updates->step()) == kStepRow) {
    auto* u = list.add_updates();
    u->set_at_us(updates->column_int(0));
    u->set_id(std::string(updates->column_text(1)));
    u->set_state(
        parse_incident_state(updates->column_text(2)).value_or(v1::INCIDENT_STATE_UNSPECIFIED));
    u->set_incident_class(std::string(updates->column_text(3)));
    u->set_scope_type(std::string(updates->column_text(4)));
    u->set_scope_name(std::string(updates->column_text(5)));
    u->set_phone_count(static_cast<uint32_t>(updates->column_int(6)));
    u->set_top_cause(std::string(updates->column_text(7)));
    u->set_change(std::string(updates->column_text(8)));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading incident updates");
  return list;
}

}  // namespace regwatch::collector::store
