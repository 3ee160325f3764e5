#include "common/service_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <ctime>
#include <string>

#include "common/logging.h"

namespace regwatch::service {
namespace {

// sd_notify returns 0 when NOTIFY_SOCKET is unset and a negative errno when the send failed;
// neither is worth stopping a daemon for, but a failed send is worth a line.
void notify(const std::string& state) {
  if (const int rc = sd_notify(0, state.c_str()); rc < 0) {
    component_logger("service")->warn("cannot notify systemd ({}): error {}", state, -rc);
  }
}

uint64_t monotonic_usec() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
}

}  // namespace

void notify_ready() {
  notify("READY=1");
}

void notify_stopping() {
  notify("STOPPING=1");
}

void notify_reloading() {
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
}

void notify_status(std::string_view text) {
  notify("STATUS=" + std::string(text));
}

WatchdogPinger::WatchdogPinger(std::function<bool()> healthy) : healthy_(std::move(healthy)) {
  uint64_t interval_usec = 0;
  if (sd_watchdog_enabled(0, &interval_usec) <= 0 || interval_usec == 0) return;
  period_ = std::chrono::microseconds(interval_usec / 2);
  thread_ = std::thread([this] { run(); });
}

WatchdogPinger::~WatchdogPinger() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WatchdogPinger::run() {
  bool withheld = false;  // log the change, not every withheld ping
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const bool healthy = healthy_();
    if (healthy) notify("WATCHDOG=1");
    if (healthy == withheld) {
      withheld = !healthy;
      if (withheld) {
        component_logger("service")->error(
            "unhealthy: withholding the watchdog ping; systemd will restart this service if it "
            "does not recover within WatchdogSec");
      } else {
        component_logger("service")->warn("healthy again: watchdog pings resumed");
      }
    }
    lock.lock();
    wake_.wait_for(lock, period_, [this] { return stopping_; });
  }
}

}  // namespace regwatch::service
