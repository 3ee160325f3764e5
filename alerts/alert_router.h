#pragma once
// The router: from a pass's incidents (and condition alerts) to the notifications each
// receiver is owed, in the durable outbox. For each alert it applies the rules
// (alerts/incident_alert.h), routes it (receivers' match, or the route: tree), asks the
// notification policy what the alert's life owes now (alerts/notification_policy.h), and owes a
// new page only when no silence covers it and its scope has not paged flap_max_pages times
// within flap_window_s. Incidents still open repeat_interval after their last delivered page
// are owed a repeat (repeat_open_incidents).
//
// Owing is idempotent (the outbox owes the notification after the last one read), so routing
// the same incident twice, or again after a restart, owes nothing twice.
//
// Threads: one (the dispatcher's router thread); it is the outbox's only writer of new rows.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alerts/alerting_config.h"
#include "alerts/incident_alert.h"
#include "alerts/store/alert_stores.h"
#include "common/alert_source.h"
#include "common/clock.h"
#include "common/result.h"

namespace regwatch::alerts {

class AlertRouter {
 public:
  // config and clock must outlive the router.
  AlertRouter(const AlertingConfig& config, AlertStores stores, const Clock& clock);

  // False when the outbox could not take it (a busy store): route it again later.
  bool route(const KeyedIncident& incident);
  // Owes what open incidents are owed now: a page a silence held that has ended since, and
  // repeats once repeat_interval passed since the last one was delivered.
  void repeat_open_incidents();
  // Incidents and condition alerts that ended at or after since_us (routed again at start).
  Result<std::vector<KeyedIncident>> incidents_ending_since(int64_t since_us);

 private:
  // Owes the receiver what the alert's life asks of it now (alerts/notification_policy.h), with
  // silences and flap damping applied to new pages; repeats too when `repeats`. False when the
  // store was busy (route it again later).
  bool owe_to(const ReceiverConfig& receiver, const Alert& alert, int64_t now, bool repeats);
  // The alert of a stored incident or condition, with the configured external labels.
  std::optional<Alert> alert_of(const AlertSource& source, const std::string& key) const;

  const AlertingConfig& config_;
  AlertStores stores_;
  const Clock& clock_;
  std::set<std::string> logged_;  // incidents already logged as too old, or as silenced
};

}  // namespace regwatch::alerts
