#pragma once
// Where correlation and the condition runner hand their incidents to alerting, and what a
// reload (SIGHUP) swaps: the dispatcher built from the alerting config (receivers, routes,
// rules, inhibitions), or none when the config has no receivers.
//
// A swap stops the old dispatcher (it routes what it was handed and finishes the deliveries
// under way), then starts one on the new config. Nothing owed is lost across it: what is owed
// lives in the outbox (the store), and a dispatcher's start routes the recent incidents again,
// owing nothing twice, exactly as after a collector restart. Incidents handed over during the
// swap wait here and go to the new dispatcher.
//
// Threads: on_incidents from any thread; replace and stop from one (the reload's).
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alerts/alert_dispatcher.h"
#include "alerts/alerting_config.h"
#include "collector/store/incident_store.h"
#include "collector/store/leader_lease.h"
#include "common/clock.h"

namespace regwatch::collector {

class AlertDispatchSlot {
 public:
  // clock outlives the slot; db_path is the collector's store (the outbox and alert stores).
  AlertDispatchSlot(std::string db_path, const Clock& clock);
  ~AlertDispatchSlot();
  AlertDispatchSlot(const AlertDispatchSlot&) = delete;
  AlertDispatchSlot& operator=(const AlertDispatchSlot&) = delete;

  // Builds and starts a dispatcher on `config` in place of the running one (none without
  // receivers). On an error (a receiver's notifier cannot be built) the old config is started
  // again and the error returned, so paging never stops because of a bad reload.
  Status replace(const alerts::AlertingConfig& config);
  void on_incidents(std::vector<store::KeyedIncident> incidents);
  void stop();
  // Collectors in pairs: only the leader dispatches. lead(false) stops the dispatcher (its
  // deliveries under way end first) and keeps what replace() is given for later; lead(true)
  // starts one on the config it has, which routes the recent incidents again and owes nothing
  // twice, as a restart does. Its outbox claims each notification under `fence` (the lease
  // term it leads under) before sending it, so a collector that lost the lease cannot send what
  // the next leader sends. A new slot leads, without a fence; call lead(false) before the first
  // replace() to start it following. Call from one thread at a time (the leadership's or the
  // reload's).
  Status lead(bool leading, store::LeaseFence fence = {});

 private:
  Status start_on(const alerts::AlertingConfig& config);

  const std::string db_path_;
  const Clock& clock_;
  alerts::AlertingConfig running_config_;  // replace's thread only
  std::mutex mutex_;
  std::unique_ptr<alerts::AlertDispatcher> dispatcher_;  // under mutex_
  bool swapping_ = false;                                // under mutex_
  std::mutex lead_mutex_;    // lead() and replace() one at a time (leadership and reload threads)
  bool leading_ = true;      // under lead_mutex_
  store::LeaseFence fence_;  // under lead_mutex_: what the running dispatcher's claims check
  std::vector<store::KeyedIncident> held_;  // under mutex_: handed during a swap
};

}  // namespace regwatch::collector
