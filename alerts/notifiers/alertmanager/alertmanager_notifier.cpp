#include "alerts/notifiers/alertmanager/alertmanager_notifier.h"

#include "alerts/notifiers/alertmanager/alertmanager_payload.h"
#include "alerts/notifiers/delivery.h"
#include "alerts/notifiers/receiver_checks.h"

namespace regwatch::alerts {
namespace {

constexpr int64_t kSecond = 1'000'000;

// Alertmanager's API v2 endpoint for posting alerts, under its base URL.
std::string alertmanager_alerts_url(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v2/alerts";
}

// Posts postable alerts; a firing one is valid for four resend intervals, as Prometheus does,
// so one lost post does not resolve it.
class AlertmanagerNotifier final : public Notifier {
 public:
  AlertmanagerNotifier(ReceiverConfig receiver, const AlertingConfig& alerting)
      : rc_(std::move(receiver)),
        url_(alertmanager_alerts_url(rc_.url)),
        valid_for_us_(4 * int64_t{alerting.resend_interval_s} * kSecond),
        external_url_(alerting.external_url) {}
  Status send(const Notification& n) override {
    return post_json(url_, alertmanager_body(n.alerts, n.now_us, valid_for_us_, external_url_),
                     rc_.timeout_s, rc_.ca_file);
  }

 private:
  const ReceiverConfig rc_;
  const std::string url_;
  const int64_t valid_for_us_;
  const std::string external_url_;
};

}  // namespace

NotifierType alertmanager_notifier_type() {
  NotifierType type;
  type.name = "alertmanager";
  type.resends_firing = true;
  type.check = check_http_url;
  type.make = [](const ReceiverConfig& receiver, const AlertingConfig& alerting) {
    return std::make_unique<AlertmanagerNotifier>(receiver, alerting);
  };
  return type;
}

}  // namespace regwatch::alerts
