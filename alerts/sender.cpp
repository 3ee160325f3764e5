#include "alerts/sender.h"

#include <algorithm>

#include "common/alert_status.h"
#include "common/logging.h"
#include "common/metrics/registry.h"

namespace regwatch::alerts {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kClaimMarginS = 5;

}  // namespace

int64_t retry_backoff_us(const AlertingConfig& config, uint32_t attempts) {
  return std::min<int64_t>(int64_t{config.retry_min_s} << std::min(attempts, 20u),
                           config.retry_max_s) *
         kSecond;
}

bool gives_up(const AlertingConfig& config, const OutboxRow& row, int64_t now) {
  return now - row.created_us > int64_t{config.give_up_after_s} * kSecond;
}

namespace {

metrics::Family<metrics::Counter>& notifications() {
  return metrics::default_registry().counter(
      "regwatch_notifications_total",
      "Alert notifications (one per alert notice per attempt) by receiver and outcome: "
      "delivered, failed (retried later), given_up, or not_claimed (not sent here: another "
      "collector claimed it, or this one lost the lease).",
      {"receiver", "outcome"});
}

}  // namespace

Sender::Sender(const AlertingConfig& config, const ReceiverConfig& receiver, Notifier& notifier,
               OutboxStore& outbox, const Clock& clock)
    : config_(config),
      rc_(receiver),
      notifier_(notifier),
      outbox_(outbox),
      clock_(clock),
      delivered_(notifications().with({receiver.name, "delivered"})),
      failed_(notifications().with({receiver.name, "failed"})),
      given_up_(notifications().with({receiver.name, "given_up"})),
      not_claimed_(notifications().with({receiver.name, "not_claimed"})) {}

bool Sender::send(const std::vector<ReadyRow>& items,
                  const std::map<std::string, std::string>& group_labels, int64_t now,
                  bool& store_trouble) {
  auto log = component_logger("alerts");
  const auto& rc = rc_;
  auto stored = [&](const Status& status) {
    if (status.ok()) return;
    log->error("notification queue for {}: {}", rc.name, status.error().message);
    store_trouble = true;
  };
  Notification notification;
  for (const auto& item : items) notification.alerts.push_back(item.alert);
  notification.group_labels = group_labels;
  notification.now_us = now;
  notification.id = std::to_string(items.front().row.id) + "." + std::to_string(now);
  // Claimed first, so that no other collector sends these too; the claim outlives the
  // notifier's timeout (an SMTP dialogue is several steps), then a standby may retry them.
  std::vector<int64_t> ids;
  ids.reserve(items.size());
  for (const auto& item : items) ids.push_back(item.row.id);
  const int64_t claim_window_us = (2 * int64_t{rc.timeout_s} + kClaimMarginS) * kSecond;
  auto claimed = outbox_.claim(ids, claim_window_us);
  if (!claimed.ok()) {
    stored(claimed.error());
    return false;
  }
  if (!*claimed) {
    not_claimed_.inc(items.size());
    log->warn(
        "not sending {} notification(s) to {} (first {}): another collector has claimed them, or "
        "this one no longer holds the lease it leads under",
        items.size(), rc.name, items.front().row.alert_key);
    return false;
  }
  const Status sent = notifier_.send(notification);
  if (sent.ok()) {
    for (const auto& item : items) {
      stored(outbox_.delivered(item.row.id, clock_.now_us()));
      delivered_.inc();
      log->info("{} {} ({}) notification delivered to {}{}", item.row.alert_key,
                alert_status_name(item.row.notice.status),
                notice_reason_name(item.row.notice.reason), rc.name,
                items.size() > 1 ? " (one of " + std::to_string(items.size()) + " in one)" : "");
    }
    return true;
  }
  for (const auto& item : items) {
    const auto& row = item.row;
    const bool give_up = gives_up(config_, row, now);
    const int64_t backoff = retry_backoff_us(config_, row.attempts);
    stored(outbox_.failed(row.id, sent.error().message, now + backoff, give_up));
    (give_up ? given_up_ : failed_).inc();
    if (give_up) {
      log->error("notification for {} to {} given up after {} attempts: {}", row.alert_key, rc.name,
                 row.attempts + 1, sent.error().message);
    } else {
      log->warn("notification for {} to {} failed (attempt {}), retrying in {} s: {}",
                row.alert_key, rc.name, row.attempts + 1, backoff / kSecond, sent.error().message);
    }
  }
  return false;
}

}  // namespace regwatch::alerts
