#include "alerts/alert_dispatcher.h"

#include <algorithm>
#include <chrono>

#include "alerts/notifiers/delivery.h"
#include "alerts/receiver_delivery.h"
#include "common/logging.h"

namespace regwatch::alerts {
namespace {

constexpr int64_t kSecond = 1'000'000;

}  // namespace

// A receiver's delivery thread: its delivery passes, and the wake-up the router gives it when
// it owed something new.
struct AlertDispatcher::Receiver {
  Receiver(const AlertingConfig& alerting, const ReceiverConfig& receiver, const NotifierType& type,
           AlertStores stores, const Clock& clock)
      : config(receiver), delivery(alerting, config, type, std::move(stores), clock) {}
  const ReceiverConfig config;
  ReceiverDelivery delivery;
  std::mutex mutex;
  std::condition_variable wake;
  bool woken = false;
  std::thread thread;
};

AlertDispatcher::AlertDispatcher(AlertingConfig config, OpenAlertStores open_stores,
                                 const Clock& clock, const NotifierRegistry& notifiers)
    : config_(std::move(config)),
      open_stores_(std::move(open_stores)),
      clock_(clock),
      notifiers_(notifiers) {}

AlertDispatcher::~AlertDispatcher() {
  stop();
}

Status AlertDispatcher::start() {
  auto router_stores = open_stores_();
  if (!router_stores.ok()) return router_stores.error();
  router_state_ = std::make_unique<AlertRouter>(config_, std::move(router_stores).value(), clock_);
  for (const auto& rc : config_.receivers) {
    for (const std::string* variable : {&rc.routing_key_env, &rc.password_env}) {
      if (!variable->empty() && env_or_empty(*variable).empty())
        component_logger("alerts")->error(
            "receiver {}: the environment variable {} is not set; its notifications will fail "
            "until it is",
            rc.name, *variable);
    }
    const NotifierType* type = notifiers_.find(rc.type);
    if (!type)
      return make_error("alerting", "receiver " + rc.name + ": unknown type '" + rc.type +
                                        "' (known: " + notifiers_.names_in_words() + ")");
    auto stores = open_stores_();
    if (!stores.ok()) return stores.error();
    receivers_.push_back(
        std::make_unique<Receiver>(config_, rc, *type, std::move(stores).value(), clock_));
  }
  // After a restart: what recent incidents are owed is worked out again (owing nothing twice).
  auto recent = router_state_->incidents_ending_since(
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

void AlertDispatcher::on_incidents(std::vector<KeyedIncident> incidents) {
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
    std::vector<KeyedIncident> incidents;
    incidents.swap(pending_);
    lock.unlock();
    std::vector<KeyedIncident> retry;
    for (auto& incident : incidents) {
      if (!router_state_->route(incident)) retry.push_back(std::move(incident));
    }
    if (last_round) return;
    if (!retry.empty()) {  // the store was busy: try again with the next round
      lock.lock();
      for (auto& incident : retry) pending_.push_back(std::move(incident));
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (std::chrono::steady_clock::now() >= next_repeat_check) {
      router_state_->repeat_open_incidents();
      next_repeat_check = std::chrono::steady_clock::now() + repeat_check;
    }
    wake_receivers();
    lock.lock();
  }
}

bool AlertDispatcher::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void AlertDispatcher::deliver_loop(Receiver& receiver) {
  while (!stopping()) {
    const int64_t wait_us = receiver.delivery.pass([this] { return stopping(); });
    std::unique_lock lock(receiver.mutex);
    receiver.wake.wait_for(lock, std::chrono::microseconds(wait_us),
                           [&] { return receiver.woken; });
    receiver.woken = false;
  }
}

}  // namespace regwatch::alerts
