#include "alerts/receiver_delivery.h"

#include <algorithm>
#include <vector>

#include "alerts/hold_rules.h"
#include "alerts/stored_alert.h"
#include "common/logging.h"

namespace regwatch::alerts {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr uint32_t kRowsPerPass = 20;

}  // namespace

ReceiverDelivery::ReceiverDelivery(const AlertingConfig& config, const ReceiverConfig& receiver,
                                   const NotifierType& type, AlertStores stores, const Clock& clock)
    : config_(config),
      rc_(receiver),
      type_(type),
      stores_(std::move(stores)),
      clock_(clock),
      notifier_(type.make(receiver, config)),
      grouped_(!receiver.group_by.empty() && !type.per_alert),
      step_(config, receiver, stores_),
      groups_(receiver, grouped_, config.group_interval_s),
      sender_(config, receiver, *notifier_, *stores_.outbox, clock) {}

std::optional<Alert> ReceiverDelivery::alert_of(const AlertSource& source,
                                                const std::string& key) const {
  return alerts::alert_of(config_, source, key);
}

int64_t ReceiverDelivery::pass(const std::function<bool()>& stopping) {
  auto log = component_logger("alerts");
  auto& outbox = *stores_.outbox;
  const auto& rc = rc_;
  const int64_t now = clock_.now_us();
  // Grouped, rows due within the next second go with those due now: alerts of one pass are
  // queued a few milliseconds apart and belong in one notification.
  auto due = outbox.due(rc.name, grouped_ ? now + kSecond : now, kRowsPerPass);
  if (!due.ok()) log->error("notification queue: {}", due.error().message);
  bool store_trouble = !due.ok();
  std::vector<ReadyRow> ready;
  for (const auto& row : due.ok() ? *due : std::vector<OutboxRow>{}) {
    if (auto item = step_.decide(row, now, store_trouble)) ready.push_back(std::move(*item));
  }
  // Grouped: one notification per group (a per-alert type: per alert). A group notified less
  // than group_interval ago waits for it.
  auto grouped = groups_.group(std::move(ready), now);
  for (const auto& [id, until] : grouped.held) {
    if (auto held = outbox.postpone(id, until); !held.ok()) {
      log->error("notification queue for {}: {}", rc.name, held.error().message);
      store_trouble = true;
    }
  }
  for (const auto& [group, items] : grouped.groups) {
    if (stopping()) return 0;  // the rest stays owed, for the next start
    if (sender_.send(items, groups_.labels_of(items), now, store_trouble)) groups_.sent(group, now);
  }
  resend_firing(now);
  // Sleep until the next row is due (at most a second: new rows wake us anyway).
  auto next = outbox.next_due(rc.name);
  int64_t wait_us = kSecond;
  if (next.ok() && *next && !store_trouble)
    wait_us = std::clamp<int64_t>(**next - clock_.now_us(), 0, kSecond);
  return wait_us;
}

void ReceiverDelivery::resend_firing(int64_t now) {
  const auto& rc = rc_;
  if (!type_.resends_firing || now < next_resend_us_) return;
  next_resend_us_ = now + int64_t{config_.resend_interval_s} * kSecond;
  auto log = component_logger("alerts");
  auto keys = stores_.outbox->told_firing(rc.name);
  if (!keys.ok()) {
    log->error("notification queue for {}: {}", rc.name, keys.error().message);
    return;
  }
  std::vector<Alert> alerts;
  for (const auto& key : *keys) {
    auto source = stores_.incidents->alert_source(key);
    if (!source.ok() || !*source) continue;
    auto alert = alert_of(**source, key);
    // Resolved ones get their resolve from the queue; silenced ones are left to expire.
    if (!alert || alert->resolved || silenced(*stores_.silences, *alert, now)) continue;
    alerts.push_back(std::move(*alert));
  }
  if (alerts.empty()) return;
  Notification again;
  again.alerts = std::move(alerts);
  again.now_us = now;
  const auto sent = notifier_->send(again);
  if (!sent.ok())
    log->warn("re-sending {} firing alert(s) to {} failed (tried again in {} s): {}",
              again.alerts.size(), rc.name, config_.resend_interval_s, sent.error().message);
}

}  // namespace regwatch::alerts
