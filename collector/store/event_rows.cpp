#include "collector/store/event_rows.h"

#include "common/event_kind.h"

namespace regwatch::collector::store {

Status set_writer_pragmas(Database* db, Durability durability) {
  // PostgreSQL: its server's settings (synchronous_commit on by default) make a commit durable.
  if (db->dialect() != Dialect::kSqlite) return Ok{};
  for (const char* pragma :
       {"PRAGMA journal_mode = WAL",
        durability == Durability::kDurable ? "PRAGMA synchronous = FULL"
                                           : "PRAGMA synchronous = NORMAL",
        "PRAGMA journal_size_limit = 67108864", "PRAGMA cache_size = -65536"}) {
    if (auto ok = exec(db, pragma); !ok.ok()) return ok.error();
  }
  return Ok{};
}

EventColumns columns_of(const regwatch::v1::Event& event) {
  EventColumns columns;
  if (event.has_phone()) {
    columns.device = event.phone().device_name();
    if (event.phone().has_reason_code()) {
      columns.has_reason = true;
      columns.reason_code = event.phone().reason_code();
    }
  } else if (event.has_topology()) {
    columns.device = event.topology().device();
  } else if (event.has_dhcp()) {  // the boot chain's: `explain` reads them by device
    columns.device = event.dhcp().device_name();
  } else if (event.has_boot_file()) {
    columns.device = event.boot_file().device_name();
  }
  return columns;
}

void bind_event(Statement& insert, const regwatch::v1::Event& event, int64_t store_time_us,
                std::string_view spool_incarnation, std::string_view stored_payload,
                int first_parameter) {
  const EventColumns columns = columns_of(event);
  insert.bind(first_parameter + 12, spool_incarnation);
  insert.bind(first_parameter + 13, int64_t{event.provenance().spoofed() ? 1 : 0});
  insert.bind(first_parameter + 1, event.agent_id());
  insert.bind(first_parameter + 2, static_cast<int64_t>(event.seq()));
  insert.bind(first_parameter + 3, event.event_time_us());
  insert.bind(first_parameter + 4, event.receive_time_us());
  insert.bind(first_parameter + 5, store_time_us);
  insert.bind(first_parameter + 6, event.origin());
  insert.bind(first_parameter + 7, source_name(event.source()));
  insert.bind(first_parameter + 8, kind_name(event.kind()));
  if (columns.device.empty()) {
    insert.bind_null(first_parameter + 9);
  } else {
    insert.bind(first_parameter + 9, columns.device);
  }
  if (columns.has_reason) {
    insert.bind(first_parameter + 10, int64_t{columns.reason_code});
  } else {
    insert.bind_null(first_parameter + 10);
  }
  insert.bind_blob(first_parameter + 11, stored_payload);
}

void append_event_copy_row(PostgresCopyRows& rows, const regwatch::v1::Event& event,
                           int64_t store_time_us, std::string_view spool_incarnation,
                           std::string_view stored_payload) {
  const EventColumns columns = columns_of(event);
  rows.begin_row(kEventParameters);
  rows.bytes(event.agent_id());
  rows.bytes(spool_incarnation);
  rows.bigint(static_cast<int64_t>(event.seq()));
  rows.bigint(event.event_time_us());
  rows.bigint(event.receive_time_us());
  rows.bigint(store_time_us);
  rows.bytes(event.origin());
  rows.bytes(source_name(event.source()));
  rows.bytes(kind_name(event.kind()));
  if (columns.device.empty()) {
    rows.null();
  } else {
    rows.bytes(columns.device);
  }
  if (columns.has_reason) {
    rows.bigint(columns.reason_code);
  } else {
    rows.null();
  }
  rows.bytes(stored_payload);
  rows.bigint(event.provenance().spoofed() ? 1 : 0);
}

}  // namespace regwatch::collector::store
