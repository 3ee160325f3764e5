#pragma once
// The durable queue of notifications (schema/003_alerts.sql). The alert
// dispatcher (alerts/alert_dispatcher.h) owns one; it is the only writer.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collector/store/incident_store.h"
#include "collector/store/sqlite_handle.h"
#include "common/result.h"

namespace regwatch::collector::store {

struct OutboxRow {
  int64_t id = 0;
  std::string receiver;
  std::string alert_key;
  std::string status;  // firing, resolved
  int64_t created_us = 0;
  uint32_t attempts = 0;
};

class AlertOutbox {
 public:
  static Result<std::unique_ptr<AlertOutbox>> open(const std::string& path,
                                                   int busy_timeout_ms = 5000);
  // Owes (receiver, key, status) once: false when it was already owed or sent.
  Result<bool> enqueue(const std::string& receiver, const std::string& alert_key,
                       const std::string& status, int64_t now_us, int64_t due_us);
  // Where (receiver, key, status) stands: absent, pending, delivered or given_up.
  Result<std::string> state_of(const std::string& receiver, const std::string& alert_key,
                               const std::string& status);
  // Whether a firing notification (first or repeat) of (receiver, key) is still to be sent.
  Result<bool> pending_firing(const std::string& receiver, const std::string& alert_key);
  // A receiver's undelivered rows due at now_us, oldest first.
  Result<std::vector<OutboxRow>> due(const std::string& receiver, int64_t now_us, uint32_t limit);
  // The earliest due time of a receiver's undelivered rows, if any.
  Result<std::optional<int64_t>> next_due(const std::string& receiver);
  Status delivered(int64_t id, int64_t now_us);
  // An attempt failed: counted, retried at retry_at_us unless given up.
  Status failed(int64_t id, const std::string& error, int64_t retry_at_us, bool give_up);
  // Not attempted yet (it waits for another row): moved to due_us, not counted.
  Status postpone(int64_t id, int64_t due_us);
  // The latest firing notification of (receiver, key) that was delivered: how many there were
  // (1 = "firing", n = "firing#n") and when the last one was delivered.
  struct Delivered {
    uint32_t count = 0;
    int64_t last_us = 0;
  };
  Result<std::optional<Delivered>> last_firing(const std::string& receiver,
                                               const std::string& alert_key);
  // How many other alerts whose key starts with `prefix` (the same scope or condition
  // identity: the key's part before '@') had a first page queued for the receiver since since_us.
  Result<uint32_t> pages_like(const std::string& receiver, const std::string& prefix,
                              const std::string& except_key, int64_t since_us);
  // The incidents still open and the condition alerts still firing (to notify them again after
  // repeat_interval).
  Result<std::vector<KeyedIncident>> open_incidents();
  // Incidents (withdrawn ones too) that ended at or after since_us, and condition alerts
  // firing or resolved since then (to re-evaluate after a restart).
  Result<std::vector<KeyedIncident>> incidents_ending_since(int64_t since_us);
  // The current JSON body of the incident alerts know by this key (its first id): the one
  // that continues it, or its last body when it was withdrawn; else the condition alert's.
  Result<std::optional<std::string>> incident_body(const std::string& key);

 private:
  AlertOutbox() = default;
  // Incidents matching `where` (which may use ?1 = bound), oldest first.
  Result<std::vector<KeyedIncident>> incident_bodies(const char* where,
                                                     std::optional<int64_t> bound);
  Result<std::vector<KeyedIncident>> condition_bodies(const char* where,
                                                      std::optional<int64_t> bound);
  SqliteDb db_;
};

}  // namespace regwatch::collector::store
