#include "collector/store/phone_summary_backfill.h"

#include <string>
#include <vector>

#include "collector/store/database.h"
#include "collector/store/stored_payload.h"
#include "common/device_name.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::collector::store {
namespace {

// Events read per device at most: the newest ones are the ones that count, and a device whose
// last 200 events gave no IP is unlikely to have one further back worth showing.
constexpr int64_t kEventsPerDevice = 200;

struct Found {
  std::string mac, ip, description;
  int64_t ip_us = 0, description_us = 0;
};

}  // namespace

Status backfill_phone_summaries(Database* db) {
  auto devices = Statement::prepare(db, "SELECT device FROM phones");
  if (!devices.ok()) return devices.error();
  std::vector<std::string> names;
  int rc = 0;
  while ((rc = devices->step()) == kStepRow) names.emplace_back(devices->column_text(0));
  if (rc != kStepDone) return database_error(db, rc, "listing devices");

  // An exact (binary) match, so the events_device_time index serves it: a name stored under
  // two spellings of case is one phones row, filled from the spelling it kept.
  auto newest = Statement::prepare(
      db,
      "SELECT event_time_us, payload FROM events WHERE device = ?1 AND spoofed = 0 "
      "ORDER BY event_time_us DESC LIMIT ?2");
  if (!newest.ok()) return newest.error();
  auto update = Statement::prepare(
      db,
      "UPDATE phones SET mac = ?2, ip = ?3, ip_us = ?4, description = ?5, description_us = ?6 "
      "WHERE device = ?1");
  if (!update.ok()) return update.error();
  regwatch::v1::Event event;
  for (const auto& device : names) {
    Found found;
    found.mac = mac_from_device_name(device);
    newest->bind(1, device);
    newest->bind(2, kEventsPerDevice);
    while ((found.ip.empty() || found.description.empty()) && (rc = newest->step()) == kStepRow) {
      const int64_t time_us = newest->column_int(0);
      const auto payload = newest->column_blob(1);
      if (!decode_stored_payload(payload, event)) continue;
      std::string ip;
      if (event.has_phone()) {
        const auto& p = event.phone();
        if (found.mac.empty()) found.mac = p.mac();
        ip = p.ip().empty() ? p.source_ip() : p.ip();
        if (found.description.empty() && !p.description().empty()) {
          found.description = p.description();
          found.description_us = time_us;
        }
      } else if (event.has_topology() && !event.topology().removed()) {
        ip = event.topology().address();
      }
      if (found.ip.empty() && !ip.empty()) {
        found.ip = ip;
        found.ip_us = time_us;
      }
    }
    newest->reset();
    update->bind(1, device);
    update->bind(2, found.mac);
    update->bind(3, found.ip);
    update->bind(4, found.ip_us);
    update->bind(5, found.description);
    update->bind(6, found.description_us);
    rc = update->step();
    update->reset();
    if (rc != kStepDone) return database_error(db, rc, "filling a phone's summary");
  }
  return Ok{};
}

}  // namespace regwatch::collector::store
