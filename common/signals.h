#pragma once
// Graceful shutdown on SIGINT/SIGTERM for daemons with many threads: block the
// signals in every thread (call before starting any), then wait for one in a
// dedicated thread and run the callback there.
#include <functional>
#include <thread>

namespace regwatch {

void block_termination_signals();
// Starts a thread that waits for SIGINT or SIGTERM, then calls on_signal once.
std::jthread watch_termination_signals(std::function<void(int signal)> on_signal);

}  // namespace regwatch
