#pragma once
// One receiver's delivery, one pass at a time: the rows due now (grouped, those due within the
// next second too: the alerts of one pass are queued milliseconds apart and belong in one
// notification) go through the outbox's state machine (DeliveryStep), are grouped
// (NotificationGroups) and sent (Sender); an Alertmanager-like receiver is re-sent what still
// fires every resend_interval_s. The dispatcher's delivery thread runs pass() in a loop and
// sleeps for what it returns; a test calls pass() directly with a manual clock.
//
// Threads: one (its receiver's delivery thread); it owns that thread's stores and notifier.
#include <cstdint>
#include <functional>
#include <memory>

#include "alerts/alerting_config.h"
#include "alerts/delivery_step.h"
#include "alerts/notification_groups.h"
#include "alerts/notifiers/notifier.h"
#include "alerts/sender.h"
#include "alerts/store/alert_stores.h"
#include "common/alert_source.h"
#include "common/clock.h"

namespace regwatch::alerts {

class ReceiverDelivery {
 public:
  // config, receiver, type and clock must outlive it.
  ReceiverDelivery(const AlertingConfig& config, const ReceiverConfig& receiver,
                   const NotifierType& type, AlertStores stores, const Clock& clock);
  ReceiverDelivery(const ReceiverDelivery&) = delete;
  ReceiverDelivery& operator=(const ReceiverDelivery&) = delete;

  // Sends what is due now. stopping is asked before each notification: true ends the pass
  // (what is left stays owed, for the next start). Returns how long to wait before the next
  // pass, in microseconds: until the next row is due, at most a second, and the full second
  // after a store error (a row whose state could not be written is due again at once, and
  // retrying it in a loop would hammer a busy store and the receiver).
  int64_t pass(const std::function<bool()>& stopping);

 private:
  // Alertmanager: the alerts it was told are firing, posted again with a fresh endsAt.
  void resend_firing(int64_t now);
  std::optional<Alert> alert_of(const AlertSource& source, const std::string& key) const;

  const AlertingConfig& config_;
  const ReceiverConfig& rc_;
  const NotifierType& type_;
  AlertStores stores_;
  const Clock& clock_;
  std::unique_ptr<Notifier> notifier_;
  const bool grouped_;
  DeliveryStep step_;
  NotificationGroups groups_;
  Sender sender_;
  int64_t next_resend_us_ = 0;  // when what still fires is posted again
};

}  // namespace regwatch::alerts
