#include "collector/app/alert_dispatch_slot.h"

#include "collector/store/sqlite_alert_stores.h"
#include "common/logging.h"

namespace regwatch::collector {

AlertDispatchSlot::AlertDispatchSlot(std::string db_path, const Clock& clock)
    : db_path_(std::move(db_path)), clock_(clock) {}

AlertDispatchSlot::~AlertDispatchSlot() {
  stop();
}

Status AlertDispatchSlot::start_on(const alerts::AlertingConfig& config) {
  std::unique_ptr<alerts::AlertDispatcher> next;
  if (!config.receivers.empty()) {
    next = std::make_unique<alerts::AlertDispatcher>(
        config, store::sqlite_alert_stores(db_path_, fence_), clock_);
    if (auto started = next->start(); !started.ok()) return started;
  }
  std::vector<store::KeyedIncident> held;
  {
    std::lock_guard lock(mutex_);
    dispatcher_ = std::move(next);
    swapping_ = false;
    held.swap(held_);
  }
  if (!held.empty()) on_incidents(std::move(held));
  return Ok{};
}

Status AlertDispatchSlot::lead(bool leading, store::LeaseFence fence) {
  std::lock_guard serial(lead_mutex_);
  if (leading == leading_ && (!leading || fence == fence_)) return Ok{};
  if (leading_) stop();  // a new term: the dispatcher claims under the new fence
  leading_ = leading;
  if (!leading) return Ok{};
  fence_ = std::move(fence);
  return start_on(running_config_);
}

Status AlertDispatchSlot::replace(const alerts::AlertingConfig& config) {
  std::lock_guard serial(lead_mutex_);
  if (!leading_) {  // the leader's dispatcher pages; this config is used if this one leads
    running_config_ = config;
    return Ok{};
  }
  std::unique_ptr<alerts::AlertDispatcher> old;
  {
    std::lock_guard lock(mutex_);
    swapping_ = true;
    old = std::move(dispatcher_);
  }
  // Routes what it was handed and ends its deliveries before the next one starts: two
  // dispatchers never deliver from the outbox at once.
  if (old) old->stop();
  old.reset();
  if (auto started = start_on(config); !started.ok()) {
    component_logger("alerts")->error("alerting config not applied ({}); keeping the one before",
                                      started.error().message);
    if (auto restored = start_on(running_config_); !restored.ok()) {
      component_logger("alerts")->critical("cannot restart alerting on the config before: {}",
                                           restored.error().message);
      // Nothing to hand to: what correlation stored is routed again by the next start.
      std::lock_guard lock(mutex_);
      swapping_ = false;
      held_.clear();
    }
    return started;
  }
  running_config_ = config;
  return Ok{};
}

void AlertDispatchSlot::on_incidents(std::vector<store::KeyedIncident> incidents) {
  if (incidents.empty()) return;
  std::lock_guard lock(mutex_);
  if (swapping_) {
    for (auto& incident : incidents) held_.push_back(std::move(incident));
    return;
  }
  // Handing over only queues them (the dispatcher's router thread does the work).
  if (dispatcher_) dispatcher_->on_incidents(std::move(incidents));
}

void AlertDispatchSlot::stop() {
  std::unique_ptr<alerts::AlertDispatcher> old;
  {
    std::lock_guard lock(mutex_);
    old = std::move(dispatcher_);
  }
  if (old) old->stop();
}

}  // namespace regwatch::collector
