#pragma once
// Turns incidents into notifications and delivers them, durably:
//   - the correlation thread hands over each pass's incidents (on_incidents);
//     the router thread applies the rules (alerts/alert_router.h) and owes
//     each routed receiver a `firing` notification when an incident fires, and a
//     `resolved` one once it resolves (rows in the outbox, idempotent);
//   - each (receiver, alert) has a sequence of notifications sent in order:
//     firing, resolved, firing again when it comes back, and a firing update when
//     something that matters changes (alerts/notification_policy.h);
//   - one delivery thread per receiver (alerts/receiver_delivery.h) sends what is
//     due, renders the payload from the incident as it is at send time (so the page
//     carries the causes found by then), retries with backoff, and never waits on
//     another receiver;
//   - an incident still open repeat_interval after its last page is paged again;
//   - Alertmanager receivers are re-sent what still fires every resend_interval,
//     each valid for four of them, so a dead collector's alerts expire;
//   - after a restart, incidents that ended within max_incident_age are
//     routed again (owing nothing twice) and undelivered rows are sent;
//   - alerts are keyed by the incident's first id, so an incident that a late
//     event moved (new start or scope, new id) keeps its page, and one that a
//     recomputation withdrew has its page resolved (never a first page).
// Incidents that ended longer ago than max_incident_age (a replayed archive)
// and rules with notify: false (planned work) start no page (a page already
// sent is still resolved).
//
// Persistence is what alerts/store/ declares, opened once per thread through
// open_stores (the collector wires its SQLite stores in); receivers are sent
// through the notifier their type names in the registry
// (alerts/notifiers/notifier_registry.h).
//
// Threads: on_incidents from any thread; the rest on its own threads.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "alerts/alert_router.h"
#include "alerts/alerting_config.h"
#include "alerts/notifiers/notifier_registry.h"
#include "alerts/store/alert_stores.h"
#include "common/clock.h"
#include "common/result.h"

namespace regwatch::alerts {

class AlertDispatcher {
 public:
  // clock and notifiers must outlive the dispatcher.
  AlertDispatcher(AlertingConfig config, OpenAlertStores open_stores, const Clock& clock,
                  const NotifierRegistry& notifiers = builtin_notifiers());
  ~AlertDispatcher();
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // Opens every thread's stores and builds each receiver's notifier (an error names a receiver
  // whose type the registry does not know), then starts the threads.
  Status start();
  void stop();
  // Each pass's incidents with their alert keys (first ids), withdrawn ones included.
  void on_incidents(std::vector<KeyedIncident> incidents);

 private:
  struct Receiver;
  void route_loop();
  void deliver_loop(Receiver& receiver);
  void wake_receivers();
  bool stopping();

  AlertingConfig config_;
  OpenAlertStores open_stores_;
  const Clock& clock_;
  const NotifierRegistry& notifiers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<KeyedIncident> pending_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::thread router_;
  std::unique_ptr<AlertRouter> router_state_;
};

}  // namespace regwatch::alerts
