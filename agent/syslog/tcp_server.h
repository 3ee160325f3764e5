#pragma once
// TcpServer: the listener's TCP listening socket and its accepted connections
// (RFC 6587 syslog over TCP), driven by the listener's poll loop.
// Threads: used by the listener thread only (open() may run on another thread
// before it starts). Ownership: owns the listening socket and every connection.
// Limits: at most max_connections open at once (excess connections are
// accepted and closed at once, counted as rejected); a connection silent for
// idle_timeout is closed (counted); memory is bounded by one partial frame
// (kMaxFrameBytes) per connection.
#include <poll.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agent/syslog/socket_fd.h"
#include "agent/syslog/syslog_listener_types.h"
#include "agent/syslog/tcp_connection.h"
#include "common/net_address.h"
#include "common/result.h"

namespace regwatch::agent::syslog {

// Connections accepted per wakeup, so a connection storm cannot starve reads.
inline constexpr int kMaxAcceptsPerWakeup = 64;
// How long accepting pauses when the process is out of file descriptors: the
// pending connection stays readable, so without a pause poll() would spin.
inline constexpr std::chrono::milliseconds kAcceptPauseOnExhaustion{100};

class TcpServer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Limits {
    size_t max_connections = 0;
    std::chrono::milliseconds idle_timeout{0};
  };

  static Result<TcpServer> open(const Endpoint& endpoint, Limits limits);

  uint16_t port() const { return port_; }
  size_t open_connections() const { return connections_.size(); }

  // Appends the listening socket's entry, then one entry per connection; the
  // same span goes back to handle() after poll().
  void add_poll_fds(std::vector<pollfd>& fds, TimePoint now) const;

  // Serves the events poll() reported for the entries add_poll_fds() added:
  // reads connections, accepts new ones, then closes idle ones.
  void handle(std::span<const pollfd> fds, const LineDelivery& delivery, TimePoint now);

  // Milliseconds until the next idle deadline or accept resumption; -1: none.
  int poll_timeout_ms(TimePoint now) const;

  // Delivers every connection's partial frame and closes all of them.
  void close_all(const LineDelivery& delivery);

 private:
  TcpServer(SocketFd listener, uint16_t port, Limits limits);
  void accept_pending(const LineDelivery& delivery, TimePoint now);
  void close_idle(const LineDelivery& delivery, TimePoint now);
  void forget_closed(const LineDelivery& delivery);

  SocketFd listener_;
  uint16_t port_ = 0;
  Limits limits_;
  std::vector<TcpConnection> connections_;
  std::vector<char> scratch_;
  TimePoint accept_resume_{};
};

}  // namespace regwatch::agent::syslog
