#pragma once
// EventReader: the SQLite EventSource (event_source.h). One per reading thread, on a
// read-only connection of its own; sees what the writer committed.
//
// It reads the events table only. Status is what the events say about the agents (last seq,
// counts); the agents' live sources are the condition runner's business (ConditionStore), the
// receivers' delivery counts the outbox's (OutboxStatusReader). Incidents are read by
// IncidentReader, condition alerts by ConditionAlertReader: each table is read beside the
// store that writes it.
#include <memory>
#include <string>

#include "collector/store/database.h"
#include "collector/store/event_source.h"
#include "collector/store/store_options.h"
#include "common/result.h"

namespace regwatch::collector::store {

class EventReader final : public EventSource {
 public:
  static Result<std::unique_ptr<EventReader>> open(const std::string& path,
                                                   const StoreOptions& = {});
  Result<regwatch::v1::EventList> query(const regwatch::v1::EventQuery& query) override;
  Result<regwatch::v1::StatusReply> status() override;
  Result<bool> scan_events(int64_t since_us, int64_t until_us,
                           const std::vector<std::string>& kinds, size_t max_rows,
                           const StoredEventFn& fn) override;
  Result<WindowScan> scan_window(int64_t since_us, const std::vector<std::string>& kinds,
                                 size_t max_rows, const StoredEventFn& fn) override;
  Result<RowsAfter> rows_after(int64_t after_id) override;
  Result<int64_t> newest_id() override;
  Result<WindowScan> scan_after(int64_t after_id, const std::vector<std::string>& kinds,
                                size_t max_rows, const StoredEventFn& fn) override;
  Result<bool> scan_phone_reports(int64_t since_us, int64_t until_us,
                                  const std::vector<std::string>& kinds, size_t max_rows,
                                  const PhoneReportFn& fn) override;
  Result<bool> scan_sightings(int64_t until_us, size_t max_rows, const SightingFn& fn) override;
  // The dashboard's reads: summary_reads.cpp.
  Result<regwatch::v1::InputList> inputs(size_t max_rows) override;
  Result<std::vector<regwatch::v1::PhoneSummary>> find_phones(PhoneMatch how,
                                                              std::string_view value,
                                                              size_t max_rows) override;
  Result<std::vector<regwatch::v1::StoredEvent>> latest_registered_phones(
      int64_t at_us, size_t max_nodes) override;

 private:
  EventReader() = default;
  // Each agent's SNMP targets whose latest snmp_data_missing report is not resolved.
  Status add_incomplete_targets(regwatch::v1::StatusReply& reply);
  DatabasePtr db_;
};

}  // namespace regwatch::collector::store
