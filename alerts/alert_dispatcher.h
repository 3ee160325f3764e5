#pragma once
// Turns incidents into notifications and delivers them, durably:
//   - the correlation thread hands over each pass's incidents (on_incidents);
//     the router thread applies the rules (alerts/incident_alert.h) and owes
//     each routed receiver a `firing` notification when an incident fires, and a
//     `resolved` one once it resolves (rows in the outbox, idempotent);
//   - each (receiver, alert) has a sequence of notifications sent in order:
//     firing, resolved, firing again when it comes back, and a firing update when
//     something that matters changes (alerts/notification_policy.h);
//   - one delivery thread per receiver sends what is due, renders the payload
//     from the incident as it is at send time (so the page carries the causes
//     found by then), retries with backoff, and never waits on another
//     receiver;
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
// Threads: on_incidents from any thread; the rest on its own threads.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alerting_config.h"
#include "alerts/incident_alert.h"
#include "collector/store/incident_store.h"
#include "common/clock.h"
#include "common/result.h"

namespace regwatch::alerts {

class AlertDispatcher {
 public:
  AlertDispatcher(AlertingConfig config, std::string db_path, const Clock& clock);
  ~AlertDispatcher();
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  Status start();
  void stop();
  // Each pass's incidents with their alert keys (first ids), withdrawn ones included.
  void on_incidents(std::vector<collector::store::KeyedIncident> incidents);

 private:
  struct Receiver;
  void route_loop();
  // False when the outbox could not take it (a busy store): route it again later.
  bool route(const collector::store::KeyedIncident& incident);
  void repeat_open_incidents();
  // Owes the receiver what the alert's life asks of it now (alerts/notification_policy.h), with
  // silences and flap damping applied to new pages; repeats too when `repeats`. False when the
  // store was busy (route it again later).
  bool owe_to(const ReceiverConfig& receiver, const Alert& alert, int64_t now, bool repeats);
  // Alertmanager receivers: the alerts it was told are firing, posted again with a fresh
  // endsAt (resend_interval_s).
  void resend_firing(Receiver& receiver, int64_t now);
  // The alert of a stored incident or condition, with the configured external labels.
  std::optional<Alert> alert_of(const AlertSource& source, const std::string& key) const;
  void deliver_loop(Receiver& receiver);
  void wake_receivers();

  AlertingConfig config_;
  std::string db_path_;
  const Clock& clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<collector::store::KeyedIncident> pending_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::thread router_;
  struct Router;
  std::unique_ptr<Router> router_state_;
};

}  // namespace regwatch::alerts
