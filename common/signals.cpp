#include "common/signals.h"

#include <pthread.h>
#include <signal.h>

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

std::jthread watch_termination_signals(std::function<void(int)> on_signal) {
  return std::jthread([callback = std::move(on_signal)] {
    sigset_t set = termination_set();
    int received = 0;
    if (sigwait(&set, &received) == 0) callback(received);
  });
}

}  // namespace regwatch
