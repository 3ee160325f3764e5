#pragma once
// SummaryWriter: keeps the summary tables of schema/013 (inputs, phones) as the event writer
// stores batches, inside the batch's transaction, so that a summary never tells of an event
// the store does not hold (or misses one it does). Internal to the SQLite event store.
//
// Per batch: add() each event actually stored (not a duplicate), then write() before the
// commit; it upserts one row per input and per device the batch named, not one per event.
// Spoofed events (Provenance.spoofed) are left out, as the migration's backfill leaves them.
//
// What it keeps:
//   inputs (agent, source, origin): the latest store time, the latest event time, the count.
//   phones (device, folded to one case: folded_device_name): its MAC when the name carries
//     none (the event's; '' when the name does, which the reads derive), the latest IP and
//     description
//     the events gave (each with its event time, so a replayed older event never overwrites a
//     newer value), and the latest event time naming it.
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "collector/store/database.h"
#include "collector/store/multi_row_statement.h"
#include "common/result.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::collector::store {

class SummaryWriter {
 public:
  SummaryWriter() = default;
  static Result<SummaryWriter> prepare(Database* db);

  // Forgets what an earlier batch left unwritten (one that failed and was rolled back).
  void begin_batch();
  void add(const regwatch::v1::Event& event, int64_t store_time_us);
  // Upserts what the batch's events said; the caller's transaction commits it.
  Status write(Database* db);

 private:
  struct InputTally {
    int64_t last_store_us = 0;
    int64_t last_event_us = INT64_MIN;
    int64_t events = 0;
  };
  // A value with the event time that gave it.
  struct Dated {
    std::string value;
    int64_t at_us = INT64_MIN;
    void offer(const std::string& candidate, int64_t time_us) {
      if (!candidate.empty() && time_us >= at_us) {
        value = candidate;
        at_us = time_us;
      }
    }
  };
  struct PhoneTally {
    bool mac_in_name = false;  // the name is SEP<MAC> or alike: mac stays ''
    std::string mac;
    Dated ip;
    Dated description;
    int64_t last_seen_us = INT64_MIN;
  };

  MultiRowStatement upsert_input_;  // one row per statement on SQLite, many on PostgreSQL
  MultiRowStatement upsert_phone_;
  std::map<std::tuple<std::string, std::string, std::string>, InputTally> inputs_;
  std::map<std::string, PhoneTally> phones_;
};

}  // namespace regwatch::collector::store
