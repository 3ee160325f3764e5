#pragma once
// The outbox's state machine for one due row of one receiver: what to do with it now, decided
// and recorded in the outbox.
//   - an earlier notification of the alert still pending: postponed a second (strict order);
//   - a resolve whose firing was never sent: given up (nobody was paged);
//   - the incident gone, or no rule matches it any more: given up;
//   - a firing page of a withdrawn incident, or a repeat/changed one of an incident that
//     resolved since it was owed: given up (it would re-open it at the receiver);
//   - a firing page a silence covers: postponed to the silence's end (given up when the
//     incident ended meanwhile); one an inhibitor covers: postponed 15 s (likewise);
//   - else ready: the alert as it is now (resolved for a resolve row), with the row's update
//     and flapping annotations.
// Threads: its receiver's delivery thread.
#include <cstdint>
#include <optional>
#include <string>

#include "alerts/alerting_config.h"
#include "alerts/incident_alert.h"
#include "alerts/store/alert_stores.h"
#include "common/alert_source.h"

namespace regwatch::alerts {

// A row ready to send, with its alert as rendered now.
struct ReadyRow {
  OutboxRow row;
  Alert alert;
};

class DeliveryStep {
 public:
  // config and receiver must outlive the step; stores are the delivery thread's.
  DeliveryStep(const AlertingConfig& config, const ReceiverConfig& receiver, AlertStores& stores);

  // The row ready to send, or none when it was postponed or given up (recorded). store_trouble
  // is set when a read or write of the store failed (the row stays due: tried again later).
  std::optional<ReadyRow> decide(const OutboxRow& row, int64_t now, bool& store_trouble);

 private:
  std::optional<Alert> alert_of(const AlertSource& source, const std::string& key) const;

  const AlertingConfig& config_;
  const ReceiverConfig& rc_;
  AlertStores& stores_;
};

}  // namespace regwatch::alerts
