// EventReader's reads of the summaries (schema/013) for the dashboard: inputs, phone search,
// the CM nodes' latest counts. Beside event_reader.cpp so each file keeps to one job.
#include <string>
#include <vector>

#include "collector/store/event_reader.h"
#include "collector/store/stored_payload.h"
#include "common/device_name.h"

namespace regwatch::collector::store {
namespace {

constexpr char kPhoneColumns[] = "SELECT device, mac, ip, description, last_seen_us FROM phones ";

// Above every character a device name holds: the end of a prefix range.
constexpr std::string_view kAfterEverything = "\xF4\x8F\xBF\xBF";  // U+10FFFF

}  // namespace

Result<regwatch::v1::InputList> EventReader::inputs(size_t max_rows) {
  auto statement = Statement::prepare(
      db_.get(),
      "SELECT agent_id, source, origin, last_store_us, last_event_us, events FROM inputs "
      "ORDER BY agent_id, source, origin LIMIT ?1");
  if (!statement.ok()) return statement.error();
  statement->bind(1, static_cast<int64_t>(max_rows) + 1);
  regwatch::v1::InputList list;
  int rc = 0;
  while ((rc = statement->step()) == kStepRow) {
    if (static_cast<size_t>(list.inputs_size()) == max_rows) {
      list.set_truncated(true);
      break;
    }
    auto* input = list.add_inputs();
    input->set_agent_id(std::string(statement->column_text(0)));
    input->set_source(std::string(statement->column_text(1)));
    input->set_origin(std::string(statement->column_text(2)));
    input->set_last_store_time_us(statement->column_int(3));
    input->set_last_event_time_us(statement->column_int(4));
    input->set_events(static_cast<uint64_t>(statement->column_int(5)));
  }
  if (rc != kStepRow && rc != kStepDone) return database_error(db_.get(), rc, "reading inputs");
  return list;
}

Result<std::vector<regwatch::v1::PhoneSummary>> EventReader::find_phones(PhoneMatch how,
                                                                         std::string_view value,
                                                                         size_t max_rows) {
  // Each form has its index (the folded key, phones_mac, phones_ip) but the piece of text,
  // which scans the phones table: one row per phone, not per event. A name is looked up in the
  // form the summary keys on (schema/016), so any spelling of its case finds it.
  const bool by_name = how == PhoneMatch::kDevice || how == PhoneMatch::kDevicePrefix;
  const std::string key = by_name ? folded_device_name(value) : std::string(value);
  const std::vector<std::string> names_with_mac =
      how == PhoneMatch::kMac ? device_names_with_mac(value) : std::vector<std::string>{};
  std::string sql = kPhoneColumns;
  switch (how) {
    case PhoneMatch::kDevice: sql += "WHERE device = ?1"; break;
    case PhoneMatch::kDevicePrefix: sql += "WHERE device >= ?1 AND device < ?2"; break;
    // A MAC is stored only when the name does not carry it (summary_writer.h): by the
    // phones_mac index, or by the key under each name that carries it (?4..).
    case PhoneMatch::kMac:
      sql += "WHERE (mac = ?1 AND mac <> '')";
      for (size_t i = 0; i < names_with_mac.size(); ++i)
        sql += (i == 0 ? " OR device IN (?" : ", ?") + std::to_string(4 + i);
      if (!names_with_mac.empty()) sql += ")";
      break;
    case PhoneMatch::kIp: sql += "WHERE ip = ?1 AND ip <> ''"; break;
    case PhoneMatch::kText:
      sql +=
          "WHERE strpos(lower(device), lower(?1)) > 0 OR strpos(lower(description), lower(?1)) > 0 "
          "OR strpos(ip, ?1) > 0";
      break;
  }
  sql += " ORDER BY device LIMIT ?3";
  auto statement = Statement::prepare(db_.get(), sql);
  if (!statement.ok()) return statement.error();
  statement->bind(1, key);
  if (how == PhoneMatch::kDevicePrefix) statement->bind(2, key + std::string(kAfterEverything));
  int parameter = 4;
  for (const auto& name : names_with_mac) statement->bind(parameter++, name);
  statement->bind(3, static_cast<int64_t>(max_rows));
  std::vector<regwatch::v1::PhoneSummary> phones;
  int rc = 0;
  while ((rc = statement->step()) == kStepRow) {
    auto& phone = phones.emplace_back();
    phone.set_device(std::string(statement->column_text(0)));
    const std::string_view mac = statement->column_text(1);
    phone.set_mac(mac.empty() ? mac_from_device_name(phone.device()) : std::string(mac));
    phone.set_ip(std::string(statement->column_text(2)));
    phone.set_description(std::string(statement->column_text(3)));
    phone.set_last_seen_us(statement->column_int(4));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "searching phones");
  return phones;
}

Result<std::vector<regwatch::v1::StoredEvent>> EventReader::latest_registered_phones(
    int64_t at_us, size_t max_nodes) {
  // The nodes: the SNMP targets among the inputs (a few rows), then each one's latest count
  // through the partial index events_registered_phones, a seek per node. A target that is a
  // switch has no such rows and adds nothing.
  auto nodes = Statement::prepare(
      db_.get(), "SELECT DISTINCT origin FROM inputs WHERE source = 'snmp_poll' ORDER BY origin");
  if (!nodes.ok()) return nodes.error();
  auto latest = Statement::prepare(
      db_.get(),
      "SELECT id, store_time_us, payload FROM events WHERE kind = 'registered_phones' AND "
      "origin = ?1 AND event_time_us <= ?2 AND spoofed = 0 "
      "ORDER BY event_time_us DESC, id DESC LIMIT 1");
  if (!latest.ok()) return latest.error();
  std::vector<regwatch::v1::StoredEvent> found;
  int rc = 0;
  while (found.size() < max_nodes && (rc = nodes->step()) == kStepRow) {
    latest->bind(1, nodes->column_text(0));
    latest->bind(2, at_us);
    const int row = latest->step();
    if (row == kStepRow) {
      auto& stored = found.emplace_back();
      stored.set_id(latest->column_int(0));
      stored.set_store_time_us(latest->column_int(1));
      const auto payload = latest->column_blob(2);
      if (!decode_stored_payload(payload, *stored.mutable_event()))
        found.pop_back();  // undecodable: skipped, as the scans skip it
    }
    latest->reset();
    if (row != kStepRow && row != kStepDone)
      return database_error(db_.get(), row, "reading a CM node's counts");
  }
  if (rc != kStepRow && rc != kStepDone && rc != 0)
    return database_error(db_.get(), rc, "listing CM nodes");
  return found;
}

}  // namespace regwatch::collector::store
