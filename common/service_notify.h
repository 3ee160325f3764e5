#pragma once
// Tells systemd how the daemon is doing (sd_notify(3), for Type=notify and Type=notify-reload
// units): ready once listening, reloading, stopping, a status line, and watchdog pings. Every
// function is a no-op when NOTIFY_SOCKET is unset (started by hand, by a test, or under
// Type=simple), so the daemons call them unconditionally.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

namespace regwatch::service {

// READY=1: start-up is done (listening), or a reload finished.
void notify_ready();
// STOPPING=1: shutting down; systemd waits for the exit instead of calling it a crash.
void notify_stopping();
// RELOADING=1 with MONOTONIC_USEC=<now> (systemd 253's Type=notify-reload wants the timestamp;
// older versions ignore it). Call notify_ready() when the reload is done, whatever its outcome
// (a refused config keeps the old one running: still ready).
void notify_reloading();
// STATUS=<text>: the one line `systemctl status` shows (e.g. "listening on 0.0.0.0:514").
void notify_status(std::string_view text);

// While alive, sends WATCHDOG=1 every half of the unit's WatchdogSec from its own thread, when
// systemd asked for it (sd_watchdog_enabled: WATCHDOG_USEC set and WATCHDOG_PID ours or unset);
// otherwise it does nothing. Before each ping it asks `healthy`; a false withholds the ping (and
// logs why once), so a wedged daemon (a stuck store, a dead worker) is killed and restarted by
// systemd rather than pinging from a healthy side thread forever. The destructor stops the
// thread promptly.
class WatchdogPinger {
 public:
  explicit WatchdogPinger(std::function<bool()> healthy = [] { return true; });
  ~WatchdogPinger();
  WatchdogPinger(const WatchdogPinger&) = delete;
  WatchdogPinger& operator=(const WatchdogPinger&) = delete;

  // Whether systemd's watchdog is on for this process (and so pings are being sent).
  bool active() const { return thread_.joinable(); }
  // Half the watchdog interval: the time between pings (zero when not active).
  std::chrono::microseconds period() const { return period_; }

 private:
  void run();

  std::function<bool()> healthy_;
  std::chrono::microseconds period_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace regwatch::service
