#pragma once
// The durable queue of notifications (schema/003_alerts.sql, 008_notification_sequence.sql).
// Each (receiver, alert) has a sequence of notifications, firing or resolved, numbered by
// seq and sent strictly in that order: an incident that comes back after its resolve is
// paged again, and a change that matters is notified again. The alert dispatcher
// (alerts/alert_dispatcher.h) owns one per thread; its router is the only writer of new
// rows, so "read the last, owe the next" is not raced.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/store/incident_source.h"
#include "alerts/store/outbox_store.h"
#include "collector/store/database.h"
#include "collector/store/incident_store.h"
#include "collector/store/leader_lease.h"
#include "common/result.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::store {

// The value types are alerts' (alerts/store/outbox_store.h): this store implements the
// interfaces alerts declares.
using Notice = alerts::Notice;
using OutboxRow = alerts::OutboxRow;
// Why a notification is owed, and its words as the reason column spells them (the status
// column spells regwatch.v1.AlertStatus by common/alert_status.h).
using NoticeReason = alerts::NoticeReason;
using alerts::notice_reason_name;
using alerts::parse_notice_reason;

class AlertOutbox final : public alerts::OutboxStore, public alerts::IncidentSource {
 public:
  // fence: the lease its delivery claims check (collectors in pairs); empty: none.
  static Result<std::unique_ptr<AlertOutbox>> open(const std::string& path,
                                                   int busy_timeout_ms = 5000,
                                                   LeaseFence fence = {});
  // The latest notification of (receiver, key), whatever its state; none when never owed.
  Result<std::optional<OutboxRow>> last(const std::string& receiver,
                                        const std::string& alert_key) override;
  // The latest one delivered (group_interval and repeat_interval count from it).
  Result<std::optional<OutboxRow>> last_delivered(const std::string& receiver,
                                                  const std::string& alert_key) override;
  // Owes the notification after `after_seq` (the last one read; 0 for none): false when that
  // one was owed already (another pass got there first), so owing is idempotent.
  Result<bool> owe(const std::string& receiver, const std::string& alert_key, int64_t after_seq,
                   const Notice& notice, int64_t now_us, int64_t due_us) override;
  // A firing notification not sent yet renders the incident as it is when sent: it now tells
  // this (a change that came before it was sent needs no notification of its own).
  Status retell(int64_t id, const std::string& told) override;
  // Whether a notification before seq of (receiver, key) is still to be sent.
  Result<bool> earlier_pending(const std::string& receiver, const std::string& alert_key,
                               int64_t seq) override;
  // Whether a firing notification since the last resolved one before seq was delivered: a
  // resolve is sent only to a receiver that was told it fired.
  Result<bool> firing_told_before(const std::string& receiver, const std::string& alert_key,
                                  int64_t seq) override;
  // A receiver's undelivered rows due at now_us, oldest first; rows another send claimed (its
  // claim not run out) are not due.
  Result<std::vector<OutboxRow>> due(const std::string& receiver, int64_t now_us,
                                     uint32_t limit) override;
  // The earliest due time of a receiver's undelivered rows that are not claimed, if any.
  Result<std::optional<int64_t>> next_due(const std::string& receiver) override;
  // Claims in one transaction: on PostgreSQL with a fence it first locks the lease row (FOR
  // SHARE) and checks that the fence's holder and term still hold it, so a new leader cannot
  // take the lease between that check and the claim (its takeover waits for this commit).
  Result<bool> claim(const std::vector<int64_t>& ids, int64_t window_us) override;
  Status delivered(int64_t id, int64_t now_us) override;
  // An attempt failed: counted, retried at retry_at_us unless given up.
  Status failed(int64_t id, const std::string& error, int64_t retry_at_us, bool give_up) override;
  // Not attempted yet (it waits for another row): moved to due_us, not counted.
  Status postpone(int64_t id, int64_t due_us) override;
  // Pages (first and reopened firing notifications, not given up) owed to the receiver since
  // since_us for alerts whose key starts with `prefix` (the same scope or condition identity:
  // the key's part before '@'), this alert's own included.
  Result<uint32_t> pages_like(const std::string& receiver, const std::string& prefix,
                              int64_t since_us) override;
  // The alerts the receiver was last told are firing (their latest notification is a
  // delivered firing one): re-sent to Alertmanager so that they do not expire while firing.
  Result<std::vector<std::string>> told_firing(const std::string& receiver) override;
  // The incidents still open and the condition alerts still firing (to notify them again after
  // repeat_interval).
  Result<std::vector<KeyedIncident>> open_incidents() override;
  // Incidents (withdrawn ones too) that ended at or after since_us, and condition alerts
  // firing or resolved since then (to re-evaluate after a restart).
  Result<std::vector<KeyedIncident>> incidents_ending_since(int64_t since_us) override;
  // The current record of the incident alerts know by this key (its first id): the one
  // that continues it, or its last record when it was withdrawn; else the condition alert's.
  Result<std::optional<AlertSource>> alert_source(const std::string& key) override;

 private:
  AlertOutbox() = default;
  Result<std::optional<OutboxRow>> one_row(const char* where, const std::string& receiver,
                                           const std::string& alert_key);
  // Incidents matching `where` (which may use ?1 = bound), oldest first.
  Result<std::vector<KeyedIncident>> incident_records(const char* where,
                                                      std::optional<int64_t> bound);
  Result<std::vector<KeyedIncident>> condition_records(const char* where,
                                                       std::optional<int64_t> bound);
  // Whether the fence's holder still holds the lease with its term (inside claim's
  // transaction).
  Result<bool> fence_holds();

  DatabasePtr db_;
  LeaseFence fence_;
};

}  // namespace regwatch::collector::store
