#include "alerts/notifiers/webhook/webhook_notifier.h"

#include "alerts/notifiers/delivery.h"
#include "alerts/notifiers/receiver_checks.h"
#include "alerts/notifiers/webhook/webhook_payload.h"

namespace regwatch::alerts {
namespace {

// Alertmanager's webhook body (version 4), one group per notification.
class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(ReceiverConfig receiver, std::string external_url)
      : rc_(std::move(receiver)), external_url_(std::move(external_url)) {}
  Status send(const Notification& n) override {
    return post_json(rc_.url, webhook_body(n.alerts, rc_.name, n.group_labels, external_url_),
                     rc_.timeout_s, rc_.ca_file);
  }

 private:
  const ReceiverConfig rc_;
  const std::string external_url_;
};

}  // namespace

NotifierType webhook_notifier_type() {
  NotifierType type;
  type.name = "webhook";
  type.check = check_http_url;
  type.make = [](const ReceiverConfig& receiver, const AlertingConfig& alerting) {
    return std::make_unique<WebhookNotifier>(receiver, alerting.external_url);
  };
  return type;
}

}  // namespace regwatch::alerts
