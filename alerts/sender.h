#pragma once
// Sends one group's notification through its receiver's notifier and records the outcome of
// each of its rows in the outbox: delivered, or failed and retried with backoff (retry_min_s
// doubling per attempt up to retry_max_s), or given up once the row is older than
// give_up_after_s. A failed send never stops the receiver: its rows wait their backoff.
//
// Before it sends, it claims the group's rows in the outbox (OutboxStore::claim): collectors in
// pairs share one outbox, and a row another collector claimed, or any row once this collector
// lost its lease, is not sent here.
//
// Each row's outcome is counted in regwatch_notifications_total{receiver,outcome} (delivered,
// failed: retried later, given_up, not_claimed), so failing deliveries can alert
// (docs/metrics.md).
//
// Threads: its receiver's delivery thread.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alerts/alerting_config.h"
#include "alerts/delivery_step.h"
#include "alerts/notifiers/notifier.h"
#include "alerts/store/outbox_store.h"
#include "common/clock.h"
#include "common/metrics/metric.h"

namespace regwatch::alerts {

// How long after a failed attempt the row is tried again: retry_min_s doubled per earlier
// attempt, at most retry_max_s. Pure.
int64_t retry_backoff_us(const AlertingConfig& config, uint32_t attempts);
// Whether a failed attempt at now gives the row up (it was owed more than give_up_after_s
// ago). Pure.
bool gives_up(const AlertingConfig& config, const OutboxRow& row, int64_t now);

class Sender {
 public:
  // All must outlive the sender.
  Sender(const AlertingConfig& config, const ReceiverConfig& receiver, Notifier& notifier,
         OutboxStore& outbox, const Clock& clock);

  // Sends the group's items as one notification at now; true when the receiver took it.
  // store_trouble is set when the outcome could not be recorded.
  bool send(const std::vector<ReadyRow>& items,
            const std::map<std::string, std::string>& group_labels, int64_t now,
            bool& store_trouble);

 private:
  const AlertingConfig& config_;
  const ReceiverConfig& rc_;
  Notifier& notifier_;
  OutboxStore& outbox_;
  const Clock& clock_;
  metrics::Counter& delivered_;
  metrics::Counter& failed_;
  metrics::Counter& given_up_;
  metrics::Counter& not_claimed_;
};

}  // namespace regwatch::alerts
