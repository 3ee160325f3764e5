#include "alerts/delivery_step.h"

#include "alerts/hold_rules.h"
#include "alerts/stored_alert.h"
#include "common/alert_status.h"
#include "common/logging.h"
#include "common/time_format.h"

namespace regwatch::alerts {
namespace {

using Reason = NoticeReason;

constexpr int64_t kSecond = 1'000'000;
// An inhibited page is looked at again this often: sent once its inhibitor resolves.
constexpr int64_t kInhibitRecheckUs = 15 * kSecond;

}  // namespace

DeliveryStep::DeliveryStep(const AlertingConfig& config, const ReceiverConfig& receiver,
                           AlertStores& stores)
    : config_(config), rc_(receiver), stores_(stores) {}

std::optional<Alert> DeliveryStep::alert_of(const AlertSource& source,
                                            const std::string& key) const {
  return alerts::alert_of(config_, source, key);
}

std::optional<ReadyRow> DeliveryStep::decide(const OutboxRow& row, int64_t now,
                                             bool& store_trouble) {
  auto log = component_logger("alerts");
  auto& outbox = *stores_.outbox;
  const auto& rc = rc_;
  auto stored = [&](const Status& status) {
    if (status.ok()) return;
    log->error("notification queue for {}: {}", rc.name, status.error().message);
    store_trouble = true;
  };
  const bool firing_row = row.notice.status == v1::ALERT_STATUS_FIRING;
  // Strictly in order: each waits until the ones before it were sent or given up.
  auto earlier = outbox.earlier_pending(rc.name, row.alert_key, row.seq);
  if (!earlier.ok()) {
    store_trouble = true;
    return std::nullopt;
  }
  if (*earlier) {
    stored(outbox.postpone(row.id, now + kSecond));
    return std::nullopt;
  }
  if (!firing_row) {
    auto told = outbox.firing_told_before(rc.name, row.alert_key, row.seq);
    if (!told.ok()) {
      store_trouble = true;
      return std::nullopt;
    }
    if (!*told) {
      stored(outbox.failed(row.id, "its firing notification was never sent", now, true));
      return std::nullopt;  // nobody was paged: nothing to resolve
    }
  }
  auto source = stores_.incidents->alert_source(row.alert_key);
  if (!source.ok()) {
    store_trouble = true;
    return std::nullopt;
  }
  std::optional<Alert> alert;
  if (*source) alert = alert_of(**source, row.alert_key);
  if (!alert) {
    stored(
        outbox.failed(row.id, "the incident was recomputed away or no rule matches it", now, true));
    log->warn(
        "notification {} for {} to {} dropped: the incident is gone or no longer "
        "matches a rule",
        row.id, row.alert_key, rc.name);
    return std::nullopt;
  }
  const bool now_resolved = alert->resolved;
  if (alert->withdrawn && firing_row) {
    stored(
        outbox.failed(row.id, "the incident was withdrawn before this page was sent", now, true));
    return std::nullopt;  // its resolve, if owed, is dropped with it: nobody was paged
  }
  alert->resolved = !firing_row;
  const bool update = row.notice.reason == Reason::kRepeat || row.notice.reason == Reason::kChanged;
  if (firing_row && update && now_resolved) {
    stored(outbox.failed(row.id,
                         "it resolved before this " +
                             std::string(notice_reason_name(row.notice.reason)) +
                             " notification was sent",
                         now, true));
    return std::nullopt;  // a repeat after the resolve would re-open it at the receiver
  }
  if (!row.notice.change.empty()) alert->annotations["update"] = row.notice.change;
  if (!row.notice.flapping.empty()) alert->annotations["flapping"] = row.notice.flapping;
  if (firing_row) {
    if (auto silence = silenced(*stores_.silences, *alert, now)) {
      if (now_resolved) {
        // It ended while silenced: nobody is paged for it (nor sent its resolve).
        stored(
            outbox.failed(row.id, "silenced by " + silence->id() + " until it ended", now, true));
        return std::nullopt;
      }
      // Held, not dropped: still owed if the incident is open when the silence ends.
      stored(outbox.postpone(row.id, silence->ends_us()));
      log->info("incident {} to {}: silenced by {} ({}) until {}", row.alert_key, rc.name,
                silence->id(), silence->comment(), format_rfc3339_ms(silence->ends_us()));
      return std::nullopt;
    }
    if (auto by = inhibitor(*stores_.incidents, *alert, config_)) {
      if (now_resolved) {
        // It ended while inhibited: nobody is paged for it (nor sent its resolve).
        stored(outbox.failed(row.id, "inhibited by " + *by + " until it ended", now, true));
      } else {
        stored(outbox.postpone(row.id, now + kInhibitRecheckUs));
      }
      log->info("{} to {}: inhibited by {}", row.alert_key, rc.name, *by);
      return std::nullopt;
    }
  }
  return ReadyRow{row, std::move(*alert)};
}

}  // namespace regwatch::alerts
