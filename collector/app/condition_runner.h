#pragma once
// Evaluates the condition alerts (alerts/condition_rules.h) every
// evaluate_every_s on its own thread, and keeps their episodes in the store
// (condition_alerts): a condition met again while its episode fires continues
// it; a new one starts an episode (and so a page); one no longer met is
// resolved after flap_hold_s more, so a condition that comes and goes is one
// alert, not a page per swing. New, changed and resolved episodes are handed
// to the alert dispatcher. It also evaluates about a second after events are
// stored, so conditions keep up with the bursts they may inhibit.
//
// Threads: its own; on_alerts' handler is called from it.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alerting_config.h"
#include "collector/ingest/connected_agents.h"
#include "collector/store/condition_store.h"
#include "collector/store/event_source.h"
#include "collector/store/incident_store.h"
#include "common/clock.h"

namespace regwatch::collector {

class ConditionRunner {
 public:
  ConditionRunner(std::string db_path, alerts::AlertingConfig config, const Clock& clock,
                  const ingest::ConnectedAgents& agents);
  ~ConditionRunner();
  ConditionRunner(const ConditionRunner&) = delete;
  ConditionRunner& operator=(const ConditionRunner&) = delete;

  // Collectors in pairs: evaluates only while `leading` says this collector leads (the
  // leader's conditions cover every collector's events, from the shared store). Set before
  // start(); called from the runner's thread.
  void only_while(std::function<bool()> leading) { leading_ = std::move(leading); }
  // Set before start().
  void on_alerts(std::function<void(std::vector<store::KeyedIncident>)> handler) {
    handler_ = std::move(handler);
  }
  Status start();
  void stop();
  // Events were stored: evaluate again soon (within about a second), so a CM failure trap
  // is an alert before the burst it explains is paged (inhibition), not up to
  // evaluate_every_s later. Called from the commit thread.
  void on_stored();
  // One evaluation now (the thread calls it; tests may too).
  void evaluate();
  // A reload (SIGHUP): the rules, holds and intervals from the next evaluation on (soon).
  // Episodes of a rule that is gone resolve like any condition no longer met.
  void update_config(alerts::AlertingConfig config);

 private:
  void run();
  std::shared_ptr<const alerts::AlertingConfig> config() const;

  std::string db_path_;
  std::shared_ptr<const alerts::AlertingConfig> config_;  // under mutex_: reloads swap it
  const Clock& clock_;
  const ingest::ConnectedAgents& agents_;
  std::unique_ptr<store::EventSource> reader_;
  std::unique_ptr<store::ConditionStore> store_;
  std::function<void(std::vector<store::KeyedIncident>)> handler_;
  std::function<bool()> leading_;  // empty: always (a single collector)
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool stored_ = false;  // events stored since the last evaluation
  std::thread thread_;
};

}  // namespace regwatch::collector
