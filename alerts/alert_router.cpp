#include "alerts/alert_router.h"

#include <algorithm>
#include <string>

#include "alerts/hold_rules.h"
#include "alerts/notification_policy.h"
#include "alerts/stored_alert.h"
#include "common/alert_status.h"
#include "common/logging.h"
#include "common/time_format.h"

namespace regwatch::alerts {
namespace {

using Reason = NoticeReason;

constexpr int64_t kSecond = 1'000'000;

// Whether the receiver is one of those an alert is routed to (receivers_for).
bool gets(const std::vector<std::string>& to, const ReceiverConfig& receiver) {
  return std::find(to.begin(), to.end(), receiver.name) != to.end();
}

// Flap damping: how many pages (first or reopened) the alert's scope (or condition identity)
// was sent within flap_window_s, so that a scope that bursts again and again pages
// flap_max_pages times, says so in the last, then waits until it has been quiet for the window.
std::optional<uint32_t> pages_of_scope(OutboxStore& outbox, const std::string& receiver,
                                       const Alert& alert, const AlertingConfig& config,
                                       int64_t now) {
  const std::string prefix = alert.key.substr(0, alert.key.rfind('@') + 1);
  if (prefix.empty()) return 0;
  auto pages = outbox.pages_like(receiver, prefix, now - int64_t{config.flap_window_s} * kSecond);
  if (!pages.ok()) return std::nullopt;
  return *pages;
}

}  // namespace

AlertRouter::AlertRouter(const AlertingConfig& config, AlertStores stores, const Clock& clock)
    : config_(config), stores_(std::move(stores)), clock_(clock) {}

Result<std::vector<KeyedIncident>> AlertRouter::incidents_ending_since(int64_t since_us) {
  return stores_.incidents->incidents_ending_since(since_us);
}

void AlertRouter::repeat_open_incidents() {
  auto log = component_logger("alerts");
  auto open = stores_.incidents->open_incidents();
  if (!open.ok()) {
    log->error("cannot read open incidents: {}", open.error().message);
    return;
  }
  const int64_t now = clock_.now_us();
  for (const auto& stored : *open) {
    auto alert = alert_of(stored.record, stored.key);
    if (!alert || !alert->notify || alert->resolved) continue;
    // Owed now what a pass would owe (a page held by a silence that has ended since), and
    // its repeat once repeat_interval passed since the last one was delivered.
    const auto to = receivers_for(config_, alert->labels);  // routed once, not per receiver
    for (const auto& r : config_.receivers) {
      if (gets(to, r)) (void)owe_to(r, *alert, now, true);
    }
  }
}

bool AlertRouter::owe_to(const ReceiverConfig& r, const Alert& alert, int64_t now, bool repeats) {
  auto log = component_logger("alerts");
  auto& outbox = *stores_.outbox;
  auto last = outbox.last(r.name, alert.key);
  if (!last.ok()) return false;
  const bool too_old = now - alert.ends_us > int64_t{config_.max_incident_age_s} * kSecond;
  const Decision decision = decide(alert, *last, too_old);
  const int64_t after = *last ? (*last)->seq : 0;
  Notice notice;
  notice.told = told_of(alert);
  notice.change = decision.change;
  const auto owe = [&](int64_t seq_after, int64_t due) {
    auto owed = outbox.owe(r.name, alert.key, seq_after, notice, now, due);
    if (!owed.ok()) {
      log->error("cannot queue a notification for {} yet: {}", r.name, owed.error().message);
      return false;
    }
    if (*owed)
      log->info("{} {}: {} notification owed to {}{}", alert.kind, alert.key,
                notice_reason_name(notice.reason), r.name,
                notice.change.empty() ? "" : " (" + notice.change + ")");
    return true;
  };
  switch (decision.owed) {
    case Owed::kRetell: return outbox.retell((*last)->id, notice.told).ok();
    case Owed::kResolved:
      notice.status = v1::ALERT_STATUS_RESOLVED;
      notice.reason = alert.withdrawn ? Reason::kWithdrawn : Reason::kResolved;
      return owe(after, now);
    case Owed::kChanged: {
      // No sooner than group_interval after the last notification of it.
      auto delivered = outbox.last_delivered(r.name, alert.key);
      if (!delivered.ok()) return false;
      int64_t due = now;
      if (*delivered)
        due = std::max(due,
                       *(*delivered)->delivered_us + int64_t{config_.group_interval_s} * kSecond);
      notice.status = v1::ALERT_STATUS_FIRING;
      notice.reason = Reason::kChanged;
      return owe(after, due);
    }
    case Owed::kNothing: {
      if (!repeats || alert.resolved || !*last ||
          (*last)->notice.status != v1::ALERT_STATUS_FIRING || (*last)->pending())
        return true;
      auto delivered = outbox.last_delivered(r.name, alert.key);
      if (!delivered.ok()) return false;
      if (!*delivered ||
          now - *(*delivered)->delivered_us < int64_t{config_.repeat_interval_s} * kSecond)
        return true;
      notice.status = v1::ALERT_STATUS_FIRING;
      notice.reason = Reason::kRepeat;
      return owe(after, now);
    }
    case Owed::kFirst:
    case Owed::kReopened: break;
  }
  // A new page: silences and flap damping apply.
  if (auto silence = silenced(*stores_.silences, alert, now)) {
    if (logged_.insert(alert.key + "/" + silence->id()).second)
      log->info("{} {} silenced by {} ({}, until {}): not notified", alert.kind, alert.key,
                silence->id(), silence->comment(), format_rfc3339_ms(silence->ends_us()));
    return true;
  }
  const auto pages = pages_of_scope(outbox, r.name, alert, config_, now);
  if (!pages) return false;
  if (*pages >= config_.flap_max_pages) {
    if (logged_.insert(alert.key + "/flapping/" + r.name + "/" + std::to_string(after)).second)
      log->warn("{} to {}: not paged, its scope paged {} times within {} s already (flapping)",
                alert.key, r.name, *pages, config_.flap_window_s);
    return true;
  }
  if (*pages + 1 == config_.flap_max_pages)
    notice.flapping = "the last page for this scope within " +
                      std::to_string(config_.flap_window_s) + " s (" +
                      std::to_string(config_.flap_max_pages) +
                      " pages): it keeps bursting; further bursts are not paged until it has "
                      "been quiet that long (regwatch incidents --scope shows them)";
  notice.status = v1::ALERT_STATUS_FIRING;
  notice.reason = decision.owed == Owed::kFirst ? Reason::kFirst : Reason::kReopened;
  const int64_t due = now + int64_t{config_.group_wait_s} * kSecond;
  if (!owe(after, due)) return false;
  if (!alert.resolved) return true;
  // Over before its first page was sent: its resolve follows it.
  notice.status = v1::ALERT_STATUS_RESOLVED;
  notice.reason = Reason::kResolved;
  notice.change.clear();
  notice.flapping.clear();
  return owe(after + 1, due);
}

std::optional<Alert> AlertRouter::alert_of(const AlertSource& source,
                                           const std::string& key) const {
  return alerts::alert_of(config_, source, key);
}

bool AlertRouter::route(const KeyedIncident& stored) {
  auto alert = alert_of(stored.record, stored.key);
  if (!alert || !alert->notify) return true;
  const int64_t now = clock_.now_us();
  if (now - alert->ends_us > int64_t{config_.max_incident_age_s} * kSecond && !alert->withdrawn &&
      logged_.insert(alert->key).second)
    component_logger("alerts")->info(
        "incident {} ended more than {} s ago (a replay?): not notified", alert->key,
        config_.max_incident_age_s);
  const auto to = receivers_for(config_, alert->labels);  // routed once, not per receiver
  for (const auto& r : config_.receivers) {
    if (gets(to, r) && !owe_to(r, *alert, now, false)) return false;
  }
  return true;
}

}  // namespace regwatch::alerts
