#pragma once
// UdpIntake: the listener's UDP side on two threads of its own (issue 17).
//
//   socket --recvmmsg--> [receive thread] --push--> DatagramQueue --pop--> [line thread] --> sink
//
// The receive thread does nothing but read batches and copy them into the
// bounded queue, so the kernel's receive buffer is emptied as fast as a flood
// fills it; parsing and spooling (the sink) run behind the queue on the line
// thread. Every datagram sent is, in the end, exactly one of: delivered to the
// sink, empty (counted by the receiver), dropped by the kernel
// (udp_kernel_drops), refused by the full queue (full_drops), or discarded at
// stop (discarded).
//
// stop(): the receive thread leaves after reading at most kUdpDatagramsAtStop
// more datagrams and closes the queue; the line thread then delivers what is
// queued for up to `stop_drain_limit`, and discards (counts) the rest, so a
// deep queue behind a slow sink cannot hold shutdown up for long.
//
// Threads: start() and stop() on the owning thread; stats() from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "agent/syslog/datagram_queue.h"
#include "agent/syslog/socket_fd.h"
#include "agent/syslog/syslog_listener_types.h"
#include "agent/syslog/udp_receiver.h"
#include "common/clock.h"
#include "common/result.h"

namespace regwatch::agent::syslog {

// Datagrams still read from the socket at stop(): what arrived just before
// shutdown is kept, but a flood cannot hold stop() up.
inline constexpr size_t kUdpDatagramsAtStop = 1024;
// Datagrams the line thread takes from the queue at once (one lock per batch).
inline constexpr size_t kUdpLineBatch = 256;

class UdpIntake {
 public:
  // `sink`, `clock` and `counters` must outlive the intake; the sink is called
  // on the line thread only.
  UdpIntake(UdpReceiver receiver, DatagramQueueLimits limits,
            std::chrono::milliseconds stop_drain_limit, const LineSink& sink, const Clock& clock,
            ListenerCounters& counters);
  ~UdpIntake();
  UdpIntake(const UdpIntake&) = delete;
  UdpIntake& operator=(const UdpIntake&) = delete;

  // Creates the wakeup eventfd and starts both threads.
  Status start();
  // Idempotent; see the header comment for what is kept.
  void stop();

  uint16_t port() const { return receiver_.port(); }
  uint32_t receive_buffer_bytes() const { return receiver_.receive_buffer_bytes(); }
  DatagramQueueStats queue_stats() const { return queue_.stats(); }

 private:
  void receive_loop();
  void line_loop();

  UdpReceiver receiver_;
  DatagramQueue queue_;
  const std::chrono::milliseconds stop_drain_limit_;
  const LineSink& sink_;
  const Clock& clock_;
  ListenerCounters& counters_;
  SocketFd wake_;  // eventfd: stop() writes, the receive thread's poll wakes
  std::atomic<bool> stopping_{false};
  // steady_clock nanoseconds after which the line thread discards; 0 = none yet.
  std::atomic<int64_t> drain_deadline_ns_{0};
  RateLimitedLog receive_log_;  // the receive thread's warning budget
  RateLimitedLog line_log_;     // the line thread's
  std::thread receive_thread_;
  std::thread line_thread_;
};

}  // namespace regwatch::agent::syslog
