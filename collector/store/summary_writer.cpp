#include "collector/store/summary_writer.h"

#include <algorithm>

#include "collector/store/event_rows.h"
#include "collector/store/multi_row_statement.h"
#include "common/device_name.h"
#include "common/event_kind.h"
#include "common/provenance.h"

namespace regwatch::collector::store {
namespace {

// Upserts of many rows at once on PostgreSQL (multi_row_statement.h); the maps hold each key
// once, as ON CONFLICT DO UPDATE needs.
constexpr char kUpsertInputHead[] =
    "INSERT INTO inputs (agent_id, source, origin, last_store_us, last_event_us, events) VALUES";
constexpr int kInputColumns = 6;
constexpr char kUpsertInputTail[] =
    "ON CONFLICT (agent_id, source, origin) DO UPDATE SET "
    "last_store_us = greatest(inputs.last_store_us, excluded.last_store_us), "
    "last_event_us = greatest(inputs.last_event_us, excluded.last_event_us), "
    "events = inputs.events + excluded.events";

// Columns 3/4: the IP and its event time, 5/6 the description and its; '' = the batch gave
// none.
constexpr char kUpsertPhoneHead[] =
    "INSERT INTO phones (device, mac, ip, ip_us, description, description_us, last_seen_us) "
    "VALUES";
constexpr int kPhoneColumns = 7;
constexpr char kUpsertPhoneTail[] =
    "ON CONFLICT (device) DO UPDATE SET "
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

// Upserts every entry of rows, a chunk per statement; bind_row(statement, first parameter,
// entry) binds one.
template <typename Map, typename BindRow>
Status upsert_all(Database* db, MultiRowStatement& upsert, const Map& rows, const char* doing,
                  BindRow bind_row) {
  auto entry = rows.begin();
  for (const size_t chunk : upsert.chunks(rows.size())) {
    auto statement = upsert.for_rows(db, chunk);
    if (!statement.ok()) return statement.error();
    for (size_t row = 0; row < chunk; ++row, ++entry) {
      bind_row(**statement, MultiRowStatement::parameter(row, 0, upsert.columns()), *entry);
    }
    if (auto done = step_once(db, **statement, doing); !done.ok()) return done;
  }
  return Ok{};
}

}  // namespace

Result<SummaryWriter> SummaryWriter::prepare(Database* db) {
  SummaryWriter writer;
  writer.upsert_input_ =
      MultiRowStatement(db->dialect(), kUpsertInputHead, kInputColumns, kUpsertInputTail);
  writer.upsert_phone_ =
      MultiRowStatement(db->dialect(), kUpsertPhoneHead, kPhoneColumns, kUpsertPhoneTail);
  // Prepared now, so that a statement the database refuses fails the opening, not a batch.
  if (auto input = writer.upsert_input_.for_rows(db, 1); !input.ok()) return input.error();
  if (auto phone = writer.upsert_phone_.for_rows(db, 1); !phone.ok()) return phone.error();
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
  // Folded here, so that two spellings in one batch are one row of one upsert (PostgreSQL
  // refuses a statement that would update a row twice).
  std::string device = folded_device_name(columns.device);
  auto [entry, added] = phones_.try_emplace(std::move(device));
  PhoneTally& phone = entry->second;
  // A MAC the name carries is not stored: the reads derive it (summary_reads.cpp), and every
  // new phone then adds nothing to the phones_mac index, which is a third of its upsert's cost.
  if (added) phone.mac_in_name = !mac_from_device_name(entry->first).empty();
  phone.last_seen_us = std::max(phone.last_seen_us, time_us);
  if (event.has_phone()) {
    const auto& p = event.phone();
    if (phone.mac.empty() && !phone.mac_in_name) phone.mac = p.mac();
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
  auto inputs = upsert_all(db, upsert_input_, inputs_, "noting an input",
                           [](Statement& upsert, int first, const auto& entry) {
                             const auto& [key, tally] = entry;
                             upsert.bind(first + 1, std::get<0>(key));
                             upsert.bind(first + 2, std::get<1>(key));
                             upsert.bind(first + 3, std::get<2>(key));
                             upsert.bind(first + 4, tally.last_store_us);
                             upsert.bind(first + 5, tally.last_event_us);
                             upsert.bind(first + 6, tally.events);
                           });
  if (!inputs.ok()) return inputs;
  auto phones = upsert_all(
      db, upsert_phone_, phones_, "noting a phone",
      [](Statement& upsert, int first, const auto& entry) {
        const auto& [device, tally] = entry;
        upsert.bind(first + 1, device);
        upsert.bind(first + 2, tally.mac);
        upsert.bind(first + 3, tally.ip.value);
        upsert.bind(first + 4, tally.ip.value.empty() ? 0 : tally.ip.at_us);
        upsert.bind(first + 5, tally.description.value);
        upsert.bind(first + 6, tally.description.value.empty() ? 0 : tally.description.at_us);
        upsert.bind(first + 7, tally.last_seen_us);
      });
  if (!phones.ok()) return phones;
  begin_batch();
  return Ok{};
}

}  // namespace regwatch::collector::store
