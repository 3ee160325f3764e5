#pragma once
// A receiver type (Falco's outputs, Envoy's extensions): what a notifier of that type sends
// and how a receiver of it is checked. The dispatcher knows notifiers only through this and the
// registry (alerts/notifiers/notifier_registry.h); each type lives in its own folder,
// alerts/notifiers/<type>/, with its config checks and its payload.
//
// Threads: a Notifier belongs to its receiver's delivery thread (one per receiver), which calls
// send() one notification at a time; a type's check and make are called at start-up.
// send() never throws: a failure is a Status the dispatcher retries with backoff.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alerts/alerting_config.h"
#include "alerts/incident_alert.h"
#include "common/result.h"
#include "common/yaml_config.h"

namespace regwatch::alerts {

// One notification: one group's alerts, each as rendered at send time.
struct Notification {
  std::vector<Alert> alerts;  // at least one; exactly one for a per_alert type
  // The receiver's group_by labels and their values, or {incident=<key>} when it does not group.
  std::map<std::string, std::string> group_labels;
  int64_t now_us = 0;
  std::string id;  // unique per notification: the first row's id and the time (a mail's id)
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Blocking, bounded by the receiver's timeout_s. Ok when the receiver accepted it.
  virtual Status send(const Notification& notification) = 0;
};

struct NotifierType {
  std::string name;  // the receiver's `type:`
  // Takes alerts one by one whatever the receiver's group_by (PagerDuty deduplicates by key).
  bool per_alert = false;
  // Posted again every resend_interval_s while it fires, so that a dead collector's alerts
  // expire at the receiver (Alertmanager, as Prometheus does).
  bool resends_firing = false;
  // The type's own checks of a receiver at `at` (alerting.receivers[i]), each error at its key.
  std::function<void(const ReceiverConfig& receiver, const std::string& at,
                     config::ConfigErrors& errors)>
      check;
  // The receiver's notifier; alerting: the section it is part of (resend_interval_s).
  std::function<std::unique_ptr<Notifier>(const ReceiverConfig& receiver,
                                          const AlertingConfig& alerting)>
      make;
};

}  // namespace regwatch::alerts
