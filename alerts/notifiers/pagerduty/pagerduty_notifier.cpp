#include "alerts/notifiers/pagerduty/pagerduty_notifier.h"

#include "alerts/notifiers/delivery.h"
#include "alerts/notifiers/pagerduty/pagerduty_payload.h"
#include "alerts/notifiers/receiver_checks.h"

namespace regwatch::alerts {
namespace {

// PagerDuty Events API v2: one alert per event, its dedup key the alert's; the routing key is
// read from its environment variable at each send, so a key set after start-up is used.
class PagerDutyNotifier final : public Notifier {
 public:
  explicit PagerDutyNotifier(ReceiverConfig receiver) : rc_(std::move(receiver)) {}
  Status send(const Notification& n) override {
    return post_json(rc_.url, pagerduty_body(n.alerts.front(), env_or_empty(rc_.routing_key_env)),
                     rc_.timeout_s, rc_.ca_file);
  }

 private:
  const ReceiverConfig rc_;
};

}  // namespace

NotifierType pagerduty_notifier_type() {
  NotifierType type;
  type.name = "pagerduty";
  type.per_alert = true;
  type.check = [](const ReceiverConfig& r, const std::string& at, config::ConfigErrors& errors) {
    check_http_url(r, at, errors);
    if (r.routing_key_env.empty())
      errors.add_at(at, "pagerduty needs routing_key_env (the integration key's variable)",
                    at + ".routing_key_env");
  };
  type.make = [](const ReceiverConfig& receiver, const AlertingConfig&) {
    return std::make_unique<PagerDutyNotifier>(receiver);
  };
  return type;
}

}  // namespace regwatch::alerts
