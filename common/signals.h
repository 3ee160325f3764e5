#pragma once
// Signals for daemons with many threads: block SIGINT, SIGTERM and SIGHUP in every thread
// (call block_daemon_signals before starting any), then let a SignalWatcher wait for them
// on its own thread:
//   - SIGINT / SIGTERM run on_stop once and end the watch (graceful shutdown);
//   - SIGHUP runs on_reload and keeps watching (logrotate's and every admin's habit: it
//     must never kill the daemon). Without on_reload, SIGHUP is logged and ignored.
// The watcher stops and joins when destroyed, so any return path from main is safe.
#include <atomic>
#include <functional>
#include <thread>

namespace regwatch {

void block_daemon_signals();

class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int signal)> on_stop,
                         std::function<void()> on_reload = {});
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace regwatch
