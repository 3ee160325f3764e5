#pragma once
// The durable queue of notifications, as alerting needs it. Each (receiver, alert) has a
// sequence of notifications, firing or resolved, numbered by seq and sent strictly in that
// order: an incident that comes back after its resolve is paged again, and a change that
// matters is notified again. alerts/ declares it; the collector's store implements it
// (collector/store/alert_outbox.h: SQLite, schema/003_alerts.sql and
// 008_notification_sequence.sql); a second backend implements the same interface.
//
// Threads: one implementation object per thread (the dispatcher's router and each receiver's
// delivery thread open their own, alerts/store/alert_stores.h). The router is the only writer
// of new rows, so "read the last, owe the next" is not raced. Errors are returned, never
// thrown; the caller retries what a busy store refused.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::alerts {

// Why a notification is owed.
enum class NoticeReason {
  kFirst,      // its first page
  kReopened,   // firing again after a resolve
  kChanged,    // a change that matters
  kRepeat,     // still firing after repeat_interval
  kResolved,   // it resolved
  kWithdrawn,  // a recomputation no longer finds the burst: resolve what was paged
};

// The reason in words, as a store's reason column spells it and the logs show it ("first",
// "reopened", "changed", "repeat", "resolved", "withdrawn"), and back (nullopt for any other
// word). The status is regwatch.v1.AlertStatus, in words by common/alert_status.h.
std::string_view notice_reason_name(NoticeReason reason);
std::optional<NoticeReason> parse_notice_reason(std::string_view name);

// What a notification is: its status and why it is owed.
struct Notice {
  // Firing, then resolved: the one alert status enum (proto/regwatch/v1/incident.proto).
  v1::AlertStatus status = v1::ALERT_STATUS_FIRING;
  NoticeReason reason = NoticeReason::kFirst;
  std::string change;    // changed / reopened: what changed, in words
  std::string told;      // what it tells (alerts/notification_policy.h): changes are measured
                         // against the last one told
  std::string flapping;  // on the last page its scope may send within the flap window
};

struct OutboxRow {
  int64_t id = 0;
  std::string receiver;
  std::string alert_key;
  int64_t seq = 0;
  Notice notice;
  int64_t created_us = 0;
  int64_t due_us = 0;
  uint32_t attempts = 0;
  std::optional<int64_t> delivered_us;
  bool given_up = false;
  bool pending() const { return !delivered_us && !given_up; }
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // The latest notification of (receiver, key), whatever its state; none when never owed.
  virtual Result<std::optional<OutboxRow>> last(const std::string& receiver,
                                                const std::string& alert_key) = 0;
  // The latest one delivered (group_interval and repeat_interval count from it).
  virtual Result<std::optional<OutboxRow>> last_delivered(const std::string& receiver,
                                                          const std::string& alert_key) = 0;
  // Owes the notification after `after_seq` (the last one read; 0 for none): false when that
  // one was owed already (another pass got there first), so owing is idempotent.
  virtual Result<bool> owe(const std::string& receiver, const std::string& alert_key,
                           int64_t after_seq, const Notice& notice, int64_t now_us,
                           int64_t due_us) = 0;
  // A firing notification not sent yet renders the incident as it is when sent: it now tells
  // this (a change that came before it was sent needs no notification of its own).
  virtual Status retell(int64_t id, const std::string& told) = 0;
  // Whether a notification before seq of (receiver, key) is still to be sent.
  virtual Result<bool> earlier_pending(const std::string& receiver, const std::string& alert_key,
                                       int64_t seq) = 0;
  // Whether a firing notification since the last resolved one before seq was delivered: a
  // resolve is sent only to a receiver that was told it fired.
  virtual Result<bool> firing_told_before(const std::string& receiver, const std::string& alert_key,
                                          int64_t seq) = 0;
  // A receiver's undelivered rows due at now_us, oldest first; rows another send has claimed
  // (and whose claim has not run out) are not due.
  virtual Result<std::vector<OutboxRow>> due(const std::string& receiver, int64_t now_us,
                                             uint32_t limit) = 0;
  // The earliest due time of a receiver's undelivered rows that are not claimed, if any.
  virtual Result<std::optional<int64_t>> next_due(const std::string& receiver) = 0;
  // Takes these rows for one send, so that no other collector sends them too (collectors in
  // pairs share one outbox): false, taking none, when any of them is delivered or given up
  // already, or claimed by a send whose claim has not run out, or when the store is fenced by a
  // lease this collector no longer holds. A claim runs out window_us after it was taken (by the
  // database's clock): a collector that died while sending leaves its rows to the next leader,
  // which sends them again (at least once; never by two live collectors). delivered(),
  // failed() and postpone() end it.
  virtual Result<bool> claim(const std::vector<int64_t>& ids, int64_t window_us) = 0;
  virtual Status delivered(int64_t id, int64_t now_us) = 0;
  // An attempt failed: counted, retried at retry_at_us unless given up.
  virtual Status failed(int64_t id, const std::string& error, int64_t retry_at_us,
                        bool give_up) = 0;
  // Not attempted yet (it waits for another row): moved to due_us, not counted.
  virtual Status postpone(int64_t id, int64_t due_us) = 0;
  // Pages (first and reopened firing notifications, not given up) owed to the receiver since
  // since_us for alerts whose key starts with `prefix` (the same scope or condition identity:
  // the key's part before '@'), this alert's own included.
  virtual Result<uint32_t> pages_like(const std::string& receiver, const std::string& prefix,
                                      int64_t since_us) = 0;
  // The alerts the receiver was last told are firing (their latest notification is a
  // delivered firing one): re-sent to Alertmanager so that they do not expire while firing.
  virtual Result<std::vector<std::string>> told_firing(const std::string& receiver) = 0;
};

}  // namespace regwatch::alerts
