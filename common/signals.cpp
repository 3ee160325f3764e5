#include "common/signals.h"

#include <pthread.h>
#include <signal.h>

#include <ctime>

#include "common/logging.h"

namespace regwatch {
namespace {

sigset_t daemon_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void block_daemon_signals() {
  sigset_t set = daemon_signal_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A dead peer on a socket must be an error return, not a process kill.
  signal(SIGPIPE, SIG_IGN);
}

SignalWatcher::SignalWatcher(std::function<void(int)> on_stop, std::function<void()> on_reload) {
  thread_ = std::thread([this, stop = std::move(on_stop), reload = std::move(on_reload)] {
    const sigset_t set = daemon_signal_set();
    const timespec tick{0, 200'000'000};  // how quickly the destructor is noticed
    while (!stop_.load()) {
      const int received = sigtimedwait(&set, nullptr, &tick);
      if (received == SIGHUP) {
        if (reload) {
          reload();
        } else {
          component_logger("signals")->info("SIGHUP: nothing to reload here; ignored");
        }
      } else if (received > 0) {
        stop(received);
        return;
      }
    }
  });
}

SignalWatcher::~SignalWatcher() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace regwatch
