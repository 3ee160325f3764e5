#include "collector/store/summary_writer.h"

#include <algorithm>

#include "collector/store/event_rows.h"
#include "common/device_name.h"
#include "common/event_kind.h"
#include "common/provenance.h"

namespace regwatch::collector::store {
namespace {

constexpr char kUpsertInputSql[] =
    "INSERT INTO inputs (agent_id, source, origin, last_store_us, last_event_us, events) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (agent_id, source, origin) DO UPDATE SET "
    "last_store_us = greatest(inputs.last_store_us, excluded.last_store_us), "
    "last_event_us = greatest(inputs.last_event_us, excluded.last_event_us), "
    "events = inputs.events + excluded.events";

// ?3/?4: the IP and its event time, ?5/?6 the description and its; '' = the batch gave none.
constexpr char kUpsertPhoneSql[] =
    "INSERT INTO phones (device, mac, ip, ip_us, description, description_us, last_seen_us) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (device) DO UPDATE SET "
    "mac = CASE WHEN excluded.mac <> '' THEN excluded.mac ELSE phones.mac END, "
    "ip = CASE WHEN excluded.ip <> '' AND excluded.ip_us >= phones.ip_us THEN excluded.ip "
    "ELSE phones.ip END, "
    "ip_us = CASE WHEN excluded.ip <> '' THEN greatest(phones.ip_us, excluded.ip_us) "
    "ELSE phones.ip_us END, "
    "description = CASE WHEN excluded.description <> '' AND excluded.description_us >= "
    "phones.description_us THEN excluded.description ELSE phones.description END, "
    "description_us = CASE WHEN excluded.description <> '' THEN "
    "greatest(phones.description_us, excluded.description_us) ELSE phones.description_us END, "
    "last_seen_us = greatest(phones.last_seen_us, excluded.last_seen_us)";

Status step_once(Database* db, Statement& statement, const char* doing) {
  const int rc = statement.step();
  statement.reset();
  if (rc != kStepDone) return database_error(db, rc, doing);
  return Ok{};
}

}  // namespace

Result<SummaryWriter> SummaryWriter::prepare(Database* db) {
  SummaryWriter writer;
  auto input = Statement::prepare(db, kUpsertInputSql);
  if (!input.ok()) return input.error();
  writer.upsert_input_ = std::move(input).value();
  auto phone = Statement::prepare(db, kUpsertPhoneSql);
  if (!phone.ok()) return phone.error();
  writer.upsert_phone_ = std::move(phone).value();
  return writer;
}

void SummaryWriter::begin_batch() {
  inputs_.clear();
  phones_.clear();
}

void SummaryWriter::add(const regwatch::v1::Event& event, int64_t store_time_us) {
  if (!may_drive_diagnosis(event)) return;  // forged: says nothing true about who sends
  const int64_t time_us = event.event_time_us();
  auto& input = inputs_[{event.agent_id(), source_name(event.source()), event.origin()}];
  input.last_store_us = std::max(input.last_store_us, store_time_us);
  input.last_event_us = std::max(input.last_event_us, time_us);
  ++input.events;

  const EventColumns columns = columns_of(event);  // the device, as the events table has it
  if (columns.device.empty()) return;
  auto& phone = phones_[columns.device];
  phone.last_seen_us = std::max(phone.last_seen_us, time_us);
  if (phone.mac.empty()) phone.mac = mac_from_device_name(columns.device);
  if (event.has_phone()) {
    const auto& p = event.phone();
    if (phone.mac.empty()) phone.mac = p.mac();
    // CUCM's IPAddress; else the address the wire showed it at.
    phone.ip.offer(p.ip().empty() ? p.source_ip() : p.ip(), time_us);
    phone.description.offer(p.description(), time_us);
  } else if (event.has_topology() && !event.topology().removed()) {
    phone.ip.offer(event.topology().address(), time_us);
  } else if (event.kind() == regwatch::v1::DHCP_LEASE) {  // the address its DHCP server gave it
    phone.ip.offer(event.dhcp().leased_ip(), time_us);
  }
}

Status SummaryWriter::write(Database* db) {
  for (const auto& [key, tally] : inputs_) {
    upsert_input_.bind(1, std::get<0>(key));
    upsert_input_.bind(2, std::get<1>(key));
    upsert_input_.bind(3, std::get<2>(key));
    upsert_input_.bind(4, tally.last_store_us);
    upsert_input_.bind(5, tally.last_event_us);
    upsert_input_.bind(6, tally.events);
    if (auto done = step_once(db, upsert_input_, "noting an input"); !done.ok()) return done;
  }
  for (const auto& [device, tally] : phones_) {
    upsert_phone_.bind(1, device);
    upsert_phone_.bind(2, tally.mac);
    upsert_phone_.bind(3, tally.ip.value);
    upsert_phone_.bind(4, tally.ip.value.empty() ? 0 : tally.ip.at_us);
    upsert_phone_.bind(5, tally.description.value);
    upsert_phone_.bind(6, tally.description.value.empty() ? 0 : tally.description.at_us);
    upsert_phone_.bind(7, tally.last_seen_us);
    if (auto done = step_once(db, upsert_phone_, "noting a phone"); !done.ok()) return done;
  }
  begin_batch();
  return Ok{};
}

}  // namespace regwatch::collector::store
