#include "alerts/alert_dispatcher.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>

#include "alerts/alert_payloads.h"
#include "alerts/delivery.h"
#include "alerts/incident_alert.h"
#include "collector/store/alert_outbox.h"
#include "collector/store/silence_store.h"
#include "common/logging.h"
#include "common/time_format.h"

namespace regwatch::alerts {
namespace {

constexpr int64_t kSecond = 1'000'000;
// An inhibited page is looked at again this often: sent once its inhibitor resolves.
constexpr int64_t kInhibitRecheckUs = 15 * kSecond;

std::string env_or_empty(const std::string& name) {
  if (name.empty()) return {};
  const char* value = std::getenv(name.c_str());
  return value ? value : "";
}

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

// Whether a first page for this alert would be one too many for its scope (or condition
// identity) within flap_window_s: a scope that bursts again and again pages flap_max_pages
// times, then waits until it has been quiet for the window.
bool flapping(collector::store::AlertOutbox& outbox, const std::string& receiver,
              const Alert& alert, const AlertingConfig& config, int64_t now) {
  const std::string prefix = alert.key.substr(0, alert.key.rfind('@') + 1);
  if (prefix.empty()) return false;
  auto before =
      outbox.pages_like(receiver, prefix, alert.key, now - int64_t{config.flap_window_s} * kSecond);
  return before.ok() && *before >= config.flap_max_pages;
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
  auto& outbox = *router_state_->outbox;
  auto open = outbox.open_incidents();
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
    if (silenced(*router_state_->silences, *alert, now)) continue;
    const auto to = receivers_for(config_, alert->labels);
    for (const auto& r : config_.receivers) {
      if (!gets(to, r)) continue;
      auto last = outbox.last_firing(r.name, alert->key);
      if (!last.ok()) continue;
      if (!*last) {
        // Never paged: held back by a silence that has ended since, or never queued. Owed now,
        // unless it is old news (a replayed archive whose phones never came back).
        auto first = outbox.state_of(r.name, alert->key, "firing");
        const bool recent = now - alert->ends_us <= int64_t{config_.max_incident_age_s} * kSecond;
        if (first.ok() && *first == "absent" && recent &&
            !flapping(outbox, r.name, *alert, config_, now)) {
          (void)outbox.enqueue(r.name, alert->key, "firing", now,
                               now + int64_t{config_.group_wait_s} * kSecond);
          log->info("incident {} still open and no longer silenced: notification owed to {}",
                    alert->key, r.name);
        }
        continue;
      }
      if (now - (*last)->last_us < int64_t{config_.repeat_interval_s} * kSecond) continue;
      const std::string status = "firing#" + std::to_string((*last)->count + 1);
      auto queued = outbox.enqueue(r.name, alert->key, status, now, now);
      if (queued.ok() && *queued)
        log->info("incident {} still open: repeat notification owed to {}", alert->key, r.name);
    }
  }
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
  auto log = component_logger("alerts");
  const auto incident = nlohmann::ordered_json::parse(stored.body, nullptr, false);
  if (!incident.is_object()) return true;
  auto alert = alert_of(incident, stored.key);
  if (!alert || !alert->notify) return true;
  const int64_t now = clock_.now_us();
  auto& outbox = *router_state_->outbox;
  const bool too_old = now - alert->ends_us > int64_t{config_.max_incident_age_s} * kSecond;
  if (too_old || alert->withdrawn) {
    // No first page for these; a page already owed or sent is resolved.
    if (too_old && !alert->withdrawn && router_state_->logged.insert(alert->key).second)
      log->info("incident {} ended more than {} s ago (a replay?): not notified", alert->key,
                config_.max_incident_age_s);
    const auto to = receivers_for(config_, alert->labels);
    for (const auto& r : config_.receivers) {
      if (!gets(to, r)) continue;
      auto firing = outbox.state_of(r.name, alert->key, "firing");
      if (!firing.ok()) return false;
      if (*firing == "absent" || !alert->resolved) continue;
      auto resolved = outbox.enqueue(r.name, alert->key, "resolved", now, now);
      if (!resolved.ok()) return false;
      if (*resolved)
        log->info("incident {} {}: resolve owed to {}", alert->key,
                  alert->withdrawn ? "withdrawn" : "resolved", r.name);
    }
    return true;
  }
  if (auto silence = silenced(*router_state_->silences, *alert, now)) {
    if (router_state_->logged.insert(alert->key + "/" + silence->id()).second)
      log->info("incident {} silenced by {} ({}, until {}): not notified", alert->key,
                silence->id(), silence->comment(), format_rfc3339_ms(silence->ends_us()));
    return true;
  }
  const auto to = receivers_for(config_, alert->labels);
  for (const auto& r : config_.receivers) {
    if (!gets(to, r)) continue;
    auto first = outbox.state_of(r.name, alert->key, "firing");
    if (!first.ok()) return false;
    if (*first == "absent" && flapping(outbox, r.name, *alert, config_, now)) {
      if (router_state_->logged.insert(alert->key + "/flapping/" + r.name).second)
        log->warn("{} to {}: not paged, its scope paged {} times within {} s already (flapping)",
                  alert->key, r.name, config_.flap_max_pages, config_.flap_window_s);
      continue;
    }
    auto firing = outbox.enqueue(r.name, alert->key, "firing", now,
                                 now + int64_t{config_.group_wait_s} * kSecond);
    if (!firing.ok()) {
      log->error("cannot queue a notification for {} yet: {}", r.name, firing.error().message);
      return false;
    }
    if (*firing) log->info("incident {}: notification owed to {}", alert->key, r.name);
    if (alert->resolved) {
      auto resolved = outbox.enqueue(r.name, alert->key, "resolved", now,
                                     now + int64_t{config_.group_wait_s} * kSecond);
      if (!resolved.ok()) {
        log->error("cannot queue a notification for {} yet: {}", r.name, resolved.error().message);
        return false;
      }
    }
  }
  return true;
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
      if (row.status == "resolved") {
        auto firing = outbox.state_of(rc.name, row.alert_key, "firing");
        auto repeats = outbox.pending_firing(rc.name, row.alert_key);
        if (!firing.ok() || !repeats.ok()) {
          store_trouble = true;
          continue;
        }
        if (*firing == "given_up") {
          stored(outbox.failed(row.id, "its firing notification was never sent", now, true));
          continue;  // nobody was paged: nothing to resolve
        }
        if (*firing != "delivered" || *repeats) {
          stored(outbox.postpone(row.id, now + kSecond));  // the pages first, then the resolve
          continue;
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
      if (alert->withdrawn && row.status.rfind("firing", 0) == 0) {
        stored(outbox.failed(row.id, "the incident was withdrawn before this page was sent", now,
                             true));
        continue;  // its resolve, if owed, is dropped with it: nobody was paged
      }
      alert->resolved = row.status == "resolved";
      if (row.status.rfind("firing#", 0) == 0 && now_resolved) {
        stored(
            outbox.failed(row.id, "the incident resolved before this repeat was sent", now, true));
        continue;  // a repeat after the resolve would re-open it at the receiver
      }
      if (row.status.rfind("firing", 0) == 0) {
        if (auto silence = silenced(*receiver.silences, *alert, now)) {
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
        std::string url = rc.url;
        while (!url.empty() && url.back() == '/') url.pop_back();
        sent = post_json(url + "/api/v2/alerts", alertmanager_body(alerts, now), rc.timeout_s,
                         rc.ca_file);
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
              "{} {} notification delivered to {}{}", item.row.alert_key, item.row.status, rc.name,
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
