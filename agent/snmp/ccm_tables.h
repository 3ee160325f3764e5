#pragma once
// CISCO-CCM-MIB's phone status-update and failed-phone tables, read
// incrementally: the traps only carry counts, the tables carry the phones
// (CISCO-CCM-MIB, cisco/cisco-mibs v2/CISCO-CCM-MIB.my). Pure: the poller fetches, these decide
// what is new and turn rows into events with CUCM's own time (DateAndTime) as event time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::snmp {

// SNMPv2-TC DateAndTime: 8 octets (local time) or 11 (with the UTC offset).
// Without an offset, `assumed_offset_minutes` applies. nullopt if malformed.
std::optional<int64_t> date_and_time_to_unix_us(std::string_view octets,
                                                int assumed_offset_minutes = 0);

// Which rows of a table are new since the last poll, from its LastAddedIndex.
// The first poll only takes a baseline (no backfill of rows from before the
// agent started); an index that went back means CUCM's SNMP service
// restarted, and every row up to it is new.
class TableCursor {
 public:
  struct Range {
    uint32_t after = 0;    // fetch rows with index > after ...
    uint32_t through = 0;  // ... up to and including this one
    bool reset = false;
  };
  // nullopt: nothing new.
  std::optional<Range> advance(uint32_t last_added_index, uint32_t max_rows);

 private:
  std::optional<uint32_t> seen_;
};

struct StatusUpdateRow {
  uint32_t index = 0;
  uint32_t phone_index = 0;
  std::string update_time;      // DateAndTime octets
  uint32_t update_type = 0;     // 2 registered, 3 unregistered, 4 partially registered
  int32_t unreg_reason = 0;     // CcmDevUnregCauseCode
  int32_t reg_fail_reason = 0;  // CcmDevRegFailCauseCode
  std::string device_name;      // from ccmPhoneTable, when known
  std::string ip;
};

struct FailedRow {
  uint32_t index = 0;
  std::string failed_time;  // DateAndTime octets
  std::string name;         // obsolete column; often empty
  std::string mac;          // 6 raw octets
  std::string ip;           // dotted
  int32_t reg_fail_reason = 0;
};

// nullopt for rows that are neither a registration nor an unregistration.
std::optional<regwatch::v1::Event> status_update_event(const StatusUpdateRow& row,
                                                       const std::string& cm_node,
                                                       int64_t poll_time_us);
regwatch::v1::Event failed_phone_event(const FailedRow& row, const std::string& cm_node,
                                       int64_t poll_time_us);

}  // namespace regwatch::agent::snmp
