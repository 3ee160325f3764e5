#pragma once
// TcpConnection: one accepted syslog-over-TCP connection and its StreamFramer.
// Threads: used by the listener thread only. Ownership: owns its socket.
// Bad input: framing problems are counted by the framer and reported through
// ListenerCounters::bad_framing; a partial frame left when the peer goes away
// (or the connection is dropped) is delivered flagged truncated.
// Activity: keeps what the idle and eviction policy reads (tcp_connection_policy.h).
#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "agent/syslog/socket_fd.h"
#include "agent/syslog/stream_framer.h"
#include "agent/syslog/syslog_listener_types.h"
#include "agent/syslog/tcp_connection_policy.h"

namespace regwatch::agent::syslog {

// Reads per connection per poll wakeup, so one fast sender cannot starve the
// others; what is left is read on the next wakeup.
inline constexpr int kMaxReadsPerWakeup = 4;

class TcpConnection {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  TcpConnection(SocketFd socket, std::string peer_ip, TimePoint now);

  int fd() const { return socket_.get(); }
  bool is_open() const { return socket_.valid(); }
  const std::string& peer_ip() const { return peer_ip_; }
  TimePoint last_activity() const { return activity_.last_activity(); }
  const ConnectionActivity& activity() const { return activity_; }

  // Reads what the socket holds (up to kMaxReadsPerWakeup reads into
  // `scratch`) and delivers every complete line. On end of stream or a receive
  // error it delivers the partial frame and closes (is_open() turns false).
  void read_available(std::span<char> scratch, const LineDelivery& delivery, TimePoint now);

  // Delivers the partial frame, flagged truncated, and closes the socket.
  void close(const LineDelivery& delivery);

 private:
  void feed(std::string_view bytes, int64_t receive_time_us, const LineDelivery& delivery);
  void report_bad_framing(const LineDelivery& delivery);

  SocketFd socket_;
  std::string peer_ip_;
  StreamFramer framer_;
  ConnectionActivity activity_;
  uint64_t bad_framing_reported_ = 0;  // framer bad_length already in the counters
};

}  // namespace regwatch::agent::syslog
