#include "alerts/alert_dispatcher.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>

#include "alerts/alert_payloads.h"
#include "alerts/notifiers/delivery.h"
#include "alerts/incident_alert.h"
#include "alerts/notification_policy.h"
#include "collector/store/alert_outbox.h"
#include "collector/store/silence_store.h"
#include "common/logging.h"
#include "common/time_format.h"

namespace regwatch::alerts {
namespace {

constexpr int64_t kSecond = 1'000'000;
// An inhibited page is looked at again this often: sent once its inhibitor resolves.
constexpr int64_t kInhibitRecheckUs = 15 * kSecond;

// The active silence that covers these labels, if any.
std::optional<regwatch::v1::Silence> silenced(collector::store::SilenceStore& store,
                                              const Alert& alert, int64_t now_us) {
  auto active = store.list(false, now_us);
  if (!active.ok()) return std::nullopt;  // a broken silence table must not stop pages
  for (const auto& s : *active) {
    if (s.starts_us() <= now_us && collector::store::silences(s, alert.labels)) return s;
  }
  return std::nullopt;
}

// Whether the receiver is one of those an alert is routed to (receivers_for).
bool gets(const std::vector<std::string>& to, const ReceiverConfig& receiver) {
  return std::find(to.begin(), to.end(), receiver.name) != to.end();
}

// The firing alert that inhibits this one (its key and alert name), if any: one that matches
// a rule's source, carries the same values for the rule's equal labels, and is not itself.
std::optional<std::string> inhibitor(collector::store::AlertOutbox& outbox, const Alert& alert,
                                     const AlertingConfig& config) {
  std::vector<const InhibitRule*> rules;
  for (const auto& rule : config.inhibit_rules) {
    if (matches_all(rule.target, alert.labels)) rules.push_back(&rule);
  }
  if (rules.empty()) return std::nullopt;
  auto firing = outbox.open_incidents();
  if (!firing.ok()) return std::nullopt;  // a busy store must not hold pages back
  for (const auto& stored : *firing) {
    if (stored.key == alert.key) continue;
    const auto body = nlohmann::ordered_json::parse(stored.body, nullptr, false);
    if (!body.is_object()) continue;
    const auto source = alert_for(body, config.rules, stored.key);
    if (!source || source->resolved) continue;
    for (const InhibitRule* rule : rules) {
      if (!matches_all(rule->source, source->labels)) continue;
      const bool same = std::all_of(rule->equal.begin(), rule->equal.end(), [&](const auto& l) {
        const auto a = alert.labels.find(l), b = source->labels.find(l);
        return a != alert.labels.end() && b != source->labels.end() && a->second == b->second;
      });
      if (same) return source->labels.at("alertname") + " " + stored.key;
    }
  }
  return std::nullopt;
}

// Flap damping: how many pages (first or reopened) the alert's scope (or condition identity)
// was sent within flap_window_s, so that a scope that bursts again and again pages
// flap_max_pages times, says so in the last, then waits until it has been quiet for the window.
std::optional<uint32_t> pages_of_scope(collector::store::AlertOutbox& outbox,
                                       const std::string& receiver, const Alert& alert,
                                       const AlertingConfig& config, int64_t now) {
  const std::string prefix = alert.key.substr(0, alert.key.rfind('@') + 1);
  if (prefix.empty()) return 0;
  auto pages = outbox.pages_like(receiver, prefix, now - int64_t{config.flap_window_s} * kSecond);
  if (!pages.ok()) return std::nullopt;
  return *pages;
}

// Alertmanager's API v2 endpoint for posting alerts, under its base URL.
std::string alertmanager_alerts_url(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v2/alerts";
}

// How long a firing alert posted to Alertmanager stays active unless posted again: four
// resend intervals, as Prometheus does, so one lost post does not resolve it.
int64_t alertmanager_valid_for(const AlertingConfig& config) {
  return 4 * int64_t{config.resend_interval_s} * kSecond;
}

// What each of the dispatcher's threads reads and writes, on its own connections.
struct Stores {
  std::unique_ptr<collector::store::AlertOutbox> outbox;
  std::unique_ptr<collector::store::SilenceStore> silences;
  Status open(const std::string& db_path) {
    auto opened_outbox = collector::store::AlertOutbox::open(db_path);
    if (!opened_outbox.ok()) return opened_outbox.error();
    auto opened_silences = collector::store::SilenceStore::open(db_path);
    if (!opened_silences.ok()) return opened_silences.error();
    outbox = std::move(opened_outbox).value();
    silences = std::move(opened_silences).value();
    return Ok{};
  }
};

}  // namespace

struct AlertDispatcher::Receiver : Stores {
  ReceiverConfig config;
  int64_t next_resend_us = 0;  // Alertmanager: when what still fires is posted again
  // When each group's last notification went out (group_interval); since the start only.
  std::map<std::string, int64_t> group_sent_us;
  std::mutex mutex;
  std::condition_variable wake;
  bool woken = false;
  std::thread thread;
};

struct AlertDispatcher::Router : Stores {
  std::set<std::string> logged;  // incidents already logged as too old, or as silenced
};

AlertDispatcher::AlertDispatcher(AlertingConfig config, std::string db_path, const Clock& clock)
    : config_(std::move(config)), db_path_(std::move(db_path)), clock_(clock) {}

AlertDispatcher::~AlertDispatcher() {
  stop();
}

Status AlertDispatcher::start() {
  router_state_ = std::make_unique<Router>();
  if (auto opened = router_state_->open(db_path_); !opened.ok()) return opened.error();
  for (const auto& rc : config_.receivers) {
    for (const std::string* variable : {&rc.routing_key_env, &rc.password_env}) {
      if (!variable->empty() && env_or_empty(*variable).empty())
        component_logger("alerts")->error(
            "receiver {}: the environment variable {} is not set; its notifications will fail "
            "until it is",
            rc.name, *variable);
    }
    auto r = std::make_unique<Receiver>();
    r->config = rc;
    if (auto opened = r->open(db_path_); !opened.ok()) return opened.error();
    receivers_.push_back(std::move(r));
  }
  // After a restart: what recent incidents are owed is worked out again (owing nothing twice).
  auto recent = router_state_->outbox->incidents_ending_since(
      clock_.now_us() - int64_t{config_.max_incident_age_s} * kSecond);
  if (!recent.ok()) return recent.error();
  pending_ = std::move(recent).value();
  for (auto& r : receivers_) r->thread = std::thread([this, raw = r.get()] { deliver_loop(*raw); });
  router_ = std::thread([this] { route_loop(); });
  component_logger("alerts")->info("alerting to {} receiver(s)", receivers_.size());
  return Ok{};
}

void AlertDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !router_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (router_.joinable()) router_.join();
  for (auto& r : receivers_) {
    {
      std::lock_guard lock(r->mutex);
      r->woken = true;
    }
    r->wake.notify_all();
    if (r->thread.joinable()) r->thread.join();
  }
}

void AlertDispatcher::on_incidents(std::vector<collector::store::KeyedIncident> incidents) {
  if (receivers_.empty() || incidents.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& incident : incidents) pending_.push_back(std::move(incident));
  }
  wake_.notify_all();
}

void AlertDispatcher::wake_receivers() {
  for (auto& r : receivers_) {
    {
      std::lock_guard lock(r->mutex);
      r->woken = true;
    }
    r->wake.notify_all();
  }
}

void AlertDispatcher::route_loop() {
  // Open incidents are looked at again this often, for their repeat notifications.
  const auto repeat_check =
      std::chrono::seconds(std::clamp<uint32_t>(config_.repeat_interval_s / 4, 1, 60));
  auto next_repeat_check = std::chrono::steady_clock::now() + repeat_check;
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_until(lock, next_repeat_check, [&] { return stopping_ || !pending_.empty(); });
    const bool last_round = stopping_;  // the last pass's incidents are still owed their pages
    std::vector<collector::store::KeyedIncident> incidents;
    incidents.swap(pending_);
    lock.unlock();
    std::vector<collector::store::KeyedIncident> retry;
    for (auto& incident : incidents) {
      if (!route(incident)) retry.push_back(std::move(incident));
    }
    if (last_round) return;
    if (!retry.empty()) {  // the store was busy: try again with the next round
      lock.lock();
      for (auto& incident : retry) pending_.push_back(std::move(incident));
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (std::chrono::steady_clock::now() >= next_repeat_check) {
      repeat_open_incidents();
      next_repeat_check = std::chrono::steady_clock::now() + repeat_check;
    }
    wake_receivers();
    lock.lock();
  }
}

void AlertDispatcher::repeat_open_incidents() {
  auto log = component_logger("alerts");
  auto open = router_state_->outbox->open_incidents();
  if (!open.ok()) {
    log->error("cannot read open incidents: {}", open.error().message);
    return;
  }
  const int64_t now = clock_.now_us();
  for (const auto& stored : *open) {
    const auto incident = nlohmann::ordered_json::parse(stored.body, nullptr, false);
    if (!incident.is_object()) continue;
    auto alert = alert_of(incident, stored.key);
    if (!alert || !alert->notify || alert->resolved) continue;
    // Owed now what a pass would owe (a page held by a silence that has ended since), and
    // its repeat once repeat_interval passed since the last one was delivered.
    const auto to = receivers_for(config_, alert->labels);  // routed once, not per receiver
    for (const auto& r : config_.receivers) {
      if (gets(to, r)) (void)owe_to(r, *alert, now, true);
    }
  }
}

bool AlertDispatcher::owe_to(const ReceiverConfig& r, const Alert& alert, int64_t now,
                             bool repeats) {
  auto log = component_logger("alerts");
  auto& outbox = *router_state_->outbox;
  auto last = outbox.last(r.name, alert.key);
  if (!last.ok()) return false;
  const bool too_old = now - alert.ends_us > int64_t{config_.max_incident_age_s} * kSecond;
  const Decision decision = decide(alert, *last, too_old);
  const int64_t after = *last ? (*last)->seq : 0;
  collector::store::Notice notice;
  notice.told = told_of(alert);
  notice.change = decision.change;
  const auto owe = [&](int64_t seq_after, int64_t due) {
    auto owed = outbox.owe(r.name, alert.key, seq_after, notice, now, due);
    if (!owed.ok()) {
      log->error("cannot queue a notification for {} yet: {}", r.name, owed.error().message);
      return false;
    }
    if (*owed)
      log->info("{} {}: {} notification owed to {}{}", alert.kind, alert.key, notice.reason, r.name,
                notice.change.empty() ? "" : " (" + notice.change + ")");
    return true;
  };
  switch (decision.owed) {
    case Owed::kRetell: return outbox.retell((*last)->id, notice.told).ok();
    case Owed::kResolved:
      notice.status = "resolved";
      notice.reason = alert.withdrawn ? "withdrawn" : "resolved";
      return owe(after, now);
    case Owed::kChanged: {
      // No sooner than group_interval after the last notification of it.
      auto delivered = outbox.last_delivered(r.name, alert.key);
      if (!delivered.ok()) return false;
      int64_t due = now;
      if (*delivered)
        due = std::max(due,
                       *(*delivered)->delivered_us + int64_t{config_.group_interval_s} * kSecond);
      notice.status = "firing";
      notice.reason = "changed";
      return owe(after, due);
    }
    case Owed::kNothing: {
      if (!repeats || alert.resolved || !*last || (*last)->notice.status != "firing" ||
          (*last)->pending())
        return true;
      auto delivered = outbox.last_delivered(r.name, alert.key);
      if (!delivered.ok()) return false;
      if (!*delivered ||
          now - *(*delivered)->delivered_us < int64_t{config_.repeat_interval_s} * kSecond)
        return true;
      notice.status = "firing";
      notice.reason = "repeat";
      return owe(after, now);
    }
    case Owed::kFirst:
    case Owed::kReopened: break;
  }
  // A new page: silences and flap damping apply.
  if (auto silence = silenced(*router_state_->silences, alert, now)) {
    if (router_state_->logged.insert(alert.key + "/" + silence->id()).second)
      log->info("{} {} silenced by {} ({}, until {}): not notified", alert.kind, alert.key,
                silence->id(), silence->comment(), format_rfc3339_ms(silence->ends_us()));
    return true;
  }
  const auto pages = pages_of_scope(outbox, r.name, alert, config_, now);
  if (!pages) return false;
  if (*pages >= config_.flap_max_pages) {
    if (router_state_->logged
            .insert(alert.key + "/flapping/" + r.name + "/" + std::to_string(after))
            .second)
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
  notice.status = "firing";
  notice.reason = decision.owed == Owed::kFirst ? "first" : "reopened";
  const int64_t due = now + int64_t{config_.group_wait_s} * kSecond;
  if (!owe(after, due)) return false;
  if (!alert.resolved) return true;
  // Over before its first page was sent: its resolve follows it.
  notice.status = "resolved";
  notice.reason = "resolved";
  notice.change.clear();
  notice.flapping.clear();
  return owe(after + 1, due);
}

std::optional<Alert> AlertDispatcher::alert_of(const nlohmann::ordered_json& body,
                                               const std::string& key) const {
  auto alert = alert_for(body, config_.rules, key);
  if (alert) {
    for (const auto& [name, value] : config_.external_labels) alert->labels.emplace(name, value);
  }
  return alert;
}

bool AlertDispatcher::route(const collector::store::KeyedIncident& stored) {
  const auto incident = nlohmann::ordered_json::parse(stored.body, nullptr, false);
  if (!incident.is_object()) return true;
  auto alert = alert_of(incident, stored.key);
  if (!alert || !alert->notify) return true;
  const int64_t now = clock_.now_us();
  if (now - alert->ends_us > int64_t{config_.max_incident_age_s} * kSecond && !alert->withdrawn &&
      router_state_->logged.insert(alert->key).second)
    component_logger("alerts")->info(
        "incident {} ended more than {} s ago (a replay?): not notified", alert->key,
        config_.max_incident_age_s);
  const auto to = receivers_for(config_, alert->labels);  // routed once, not per receiver
  for (const auto& r : config_.receivers) {
    if (gets(to, r) && !owe_to(r, *alert, now, false)) return false;
  }
  return true;
}

void AlertDispatcher::resend_firing(Receiver& receiver, int64_t now) {
  const auto& rc = receiver.config;
  if (rc.type != "alertmanager" || now < receiver.next_resend_us) return;
  receiver.next_resend_us = now + int64_t{config_.resend_interval_s} * kSecond;
  auto log = component_logger("alerts");
  auto keys = receiver.outbox->told_firing(rc.name);
  if (!keys.ok()) {
    log->error("notification queue for {}: {}", rc.name, keys.error().message);
    return;
  }
  std::vector<Alert> alerts;
  for (const auto& key : *keys) {
    auto body = receiver.outbox->incident_body(key);
    if (!body.ok() || !*body) continue;
    const auto incident = nlohmann::ordered_json::parse(**body, nullptr, false);
    if (!incident.is_object()) continue;
    auto alert = alert_of(incident, key);
    // Resolved ones get their resolve from the queue; silenced ones are left to expire.
    if (!alert || alert->resolved || silenced(*receiver.silences, *alert, now)) continue;
    alerts.push_back(std::move(*alert));
  }
  if (alerts.empty()) return;
  const auto sent = post_json(alertmanager_alerts_url(rc.url),
                              alertmanager_body(alerts, now, alertmanager_valid_for(config_)),
                              rc.timeout_s, rc.ca_file);
  if (!sent.ok())
    log->warn("re-sending {} firing alert(s) to {} failed (tried again in {} s): {}", alerts.size(),
              rc.name, config_.resend_interval_s, sent.error().message);
}

void AlertDispatcher::deliver_loop(Receiver& receiver) {
  auto log = component_logger("alerts");
  auto& outbox = *receiver.outbox;
  const auto& rc = receiver.config;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    const int64_t now = clock_.now_us();
    const bool grouped = !rc.group_by.empty() && rc.type != "pagerduty";
    // Grouped, rows due within the next second go with those due now: alerts of one pass are
    // queued a few milliseconds apart and belong in one notification.
    auto due = outbox.due(rc.name, grouped ? now + kSecond : now, 20);
    if (!due.ok()) log->error("notification queue: {}", due.error().message);
    bool store_trouble = !due.ok();
    auto stored = [&](const Status& status) {
      if (status.ok()) return;
      log->error("notification queue for {}: {}", rc.name, status.error().message);
      store_trouble = true;
    };
    // The rows ready to send now, with their alerts as rendered now.
    struct Ready {
      collector::store::OutboxRow row;
      Alert alert;
    };
    std::vector<Ready> ready;
    for (const auto& row : due.ok() ? *due : std::vector<collector::store::OutboxRow>{}) {
      const bool firing_row = row.notice.status == "firing";
      // Strictly in order: each waits until the ones before it were sent or given up.
      auto earlier = outbox.earlier_pending(rc.name, row.alert_key, row.seq);
      if (!earlier.ok()) {
        store_trouble = true;
        continue;
      }
      if (*earlier) {
        stored(outbox.postpone(row.id, now + kSecond));
        continue;
      }
      if (!firing_row) {
        auto told = outbox.firing_told_before(rc.name, row.alert_key, row.seq);
        if (!told.ok()) {
          store_trouble = true;
          continue;
        }
        if (!*told) {
          stored(outbox.failed(row.id, "its firing notification was never sent", now, true));
          continue;  // nobody was paged: nothing to resolve
        }
      }
      auto body = outbox.incident_body(row.alert_key);
      if (!body.ok()) {
        store_trouble = true;
        continue;
      }
      std::optional<Alert> alert;
      if (*body) {
        const auto incident = nlohmann::ordered_json::parse(**body, nullptr, false);
        if (incident.is_object()) alert = alert_of(incident, row.alert_key);
      }
      if (!alert) {
        stored(outbox.failed(row.id, "the incident was recomputed away or no rule matches it", now,
                             true));
        log->warn(
            "notification {} for {} to {} dropped: the incident is gone or no longer "
            "matches a rule",
            row.id, row.alert_key, rc.name);
        continue;
      }
      const bool now_resolved = alert->resolved;
      if (alert->withdrawn && firing_row) {
        stored(outbox.failed(row.id, "the incident was withdrawn before this page was sent", now,
                             true));
        continue;  // its resolve, if owed, is dropped with it: nobody was paged
      }
      alert->resolved = !firing_row;
      const bool update = row.notice.reason == "repeat" || row.notice.reason == "changed";
      if (firing_row && update && now_resolved) {
        stored(outbox.failed(
            row.id, "it resolved before this " + row.notice.reason + " notification was sent", now,
            true));
        continue;  // a repeat after the resolve would re-open it at the receiver
      }
      if (!row.notice.change.empty()) alert->annotations["update"] = row.notice.change;
      if (!row.notice.flapping.empty()) alert->annotations["flapping"] = row.notice.flapping;
      if (firing_row) {
        if (auto silence = silenced(*receiver.silences, *alert, now)) {
          if (now_resolved) {
            // It ended while silenced: nobody is paged for it (nor sent its resolve).
            stored(outbox.failed(row.id, "silenced by " + silence->id() + " until it ended", now,
                                 true));
            continue;
          }
          // Held, not dropped: still owed if the incident is open when the silence ends.
          stored(outbox.postpone(row.id, silence->ends_us()));
          log->info("incident {} to {}: silenced by {} ({}) until {}", row.alert_key, rc.name,
                    silence->id(), silence->comment(), format_rfc3339_ms(silence->ends_us()));
          continue;
        }
        if (auto by = inhibitor(outbox, *alert, config_)) {
          if (now_resolved) {
            // It ended while inhibited: nobody is paged for it (nor sent its resolve).
            stored(outbox.failed(row.id, "inhibited by " + *by + " until it ended", now, true));
          } else {
            stored(outbox.postpone(row.id, now + kInhibitRecheckUs));
          }
          log->info("{} to {}: inhibited by {}", row.alert_key, rc.name, *by);
          continue;
        }
      }
      ready.push_back({row, std::move(*alert)});
    }
    // Grouped: one notification per group (PagerDuty: per alert; it deduplicates by key). A
    // group notified less than group_interval ago waits for it.
    std::map<std::string, std::vector<Ready>> groups;
    for (auto& item : ready) {
      std::string group = "incident=" + item.alert.key;
      if (grouped) {
        group.clear();
        for (const auto& name : rc.group_by) {
          const auto it = item.alert.labels.find(name);
          group += name + "=" + (it == item.alert.labels.end() ? "" : it->second) + ",";
        }
      }
      if (const auto last = receiver.group_sent_us.find(group);
          last != receiver.group_sent_us.end() && grouped &&
          now - last->second < int64_t{config_.group_interval_s} * kSecond) {
        stored(outbox.postpone(item.row.id,
                               last->second + int64_t{config_.group_interval_s} * kSecond));
        continue;
      }
      groups[group].push_back(std::move(item));
    }
    for (auto& [group, items] : groups) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;  // the rest stays owed, for the next start
      }
      std::vector<Alert> alerts;
      for (const auto& item : items) alerts.push_back(item.alert);
      std::map<std::string, std::string> group_labels;
      if (!grouped) {
        group_labels = {{"incident", alerts.front().key}};
      } else {
        for (const auto& name : rc.group_by) {
          const auto it = alerts.front().labels.find(name);
          group_labels[name] = it == alerts.front().labels.end() ? "" : it->second;
        }
      }
      Status sent = Ok{};
      if (rc.type == "webhook") {
        sent = post_json(rc.url, webhook_body(alerts, rc.name, group_labels), rc.timeout_s,
                         rc.ca_file);
      } else if (rc.type == "pagerduty") {
        sent = post_json(rc.url, pagerduty_body(alerts.front(), env_or_empty(rc.routing_key_env)),
                         rc.timeout_s, rc.ca_file);
      } else if (rc.type == "alertmanager") {
        sent = post_json(alertmanager_alerts_url(rc.url),
                         alertmanager_body(alerts, now, alertmanager_valid_for(config_)),
                         rc.timeout_s, rc.ca_file);
      } else if (rc.type == "email") {
        MailEnvelope envelope{rc.smtp_url, rc.starttls, rc.username, env_or_empty(rc.password_env),
                              rc.from,     rc.to,       rc.ca_file};
        const std::string id = std::to_string(items.front().row.id) + "." + std::to_string(now);
        sent = send_mail(envelope, mime_message(email_for(alerts), rc.from, rc.to, now, id),
                         rc.timeout_s);
      }
      if (sent.ok()) {
        receiver.group_sent_us[group] = now;
        for (const auto& item : items) {
          stored(outbox.delivered(item.row.id, clock_.now_us()));
          log->info(
              "{} {} ({}) notification delivered to {}{}", item.row.alert_key,
              item.row.notice.status, item.row.notice.reason, rc.name,
              items.size() > 1 ? " (one of " + std::to_string(items.size()) + " in one)" : "");
        }
        continue;
      }
      for (const auto& item : items) {
        const auto& row = item.row;
        const bool give_up = now - row.created_us > int64_t{config_.give_up_after_s} * kSecond;
        const int64_t backoff =
            std::min<int64_t>(int64_t{config_.retry_min_s} << std::min(row.attempts, 20u),
                              config_.retry_max_s) *
            kSecond;
        stored(outbox.failed(row.id, sent.error().message, now + backoff, give_up));
        if (give_up) {
          log->error("notification for {} to {} given up after {} attempts: {}", row.alert_key,
                     rc.name, row.attempts + 1, sent.error().message);
        } else {
          log->warn("notification for {} to {} failed (attempt {}), retrying in {} s: {}",
                    row.alert_key, rc.name, row.attempts + 1, backoff / kSecond,
                    sent.error().message);
        }
      }
    }
    resend_firing(receiver, now);
    // Sleep until the next row is due (at most a second: new rows wake us anyway).
    auto next = outbox.next_due(rc.name);
    int64_t wait_us = kSecond;
    // After a store error, wait the full second: a row whose state could not be written is
    // due again at once, and retrying it in a loop would hammer a busy store and the receiver.
    if (next.ok() && *next && !store_trouble)
      wait_us = std::clamp<int64_t>(**next - clock_.now_us(), 0, kSecond);
    std::unique_lock lock(receiver.mutex);
    receiver.wake.wait_for(lock, std::chrono::microseconds(wait_us),
                           [&] { return receiver.woken; });
    receiver.woken = false;
  }
}

}  // namespace regwatch::alerts
