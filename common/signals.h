#pragma once
// Graceful shutdown on SIGINT/SIGTERM for daemons with many threads: block the
// signals in every thread (call before starting any), then let a
// SignalWatcher wait for one and run the callback on its own thread. The
// watcher stops and joins when destroyed, so any return path from main is safe.
#include <atomic>
#include <functional>
#include <thread>

namespace regwatch {

void block_termination_signals();

class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int signal)> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace regwatch
