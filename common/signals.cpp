#include "common/signals.h"

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace regwatch {
namespace {

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void block_termination_signals() {
  sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A dead peer on a socket must be an error return, not a process kill.
  signal(SIGPIPE, SIG_IGN);
}

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal) {
  thread_ = std::thread([this, callback = std::move(on_signal)] {
    const sigset_t set = termination_set();
    const timespec tick{0, 200'000'000};  // how quickly the destructor is noticed
    while (!stop_.load()) {
      const int received = sigtimedwait(&set, nullptr, &tick);
      if (received > 0) {
        callback(received);
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
