#pragma once
// TcpServer: the listener's TCP listening socket and its accepted connections
// (RFC 6587 syslog over TCP), driven by the listener's poll loop.
// Threads: used by the listener thread only (open() may run on another thread
// before it starts). Ownership: owns the listening socket and every connection.
// Limits (issue 17: one peer must not lock every other sender out):
//   - at most max_connections_per_source open from one address (0: no limit);
//     a further one is accepted and closed at once (rejected_per_source);
//   - at most max_connections open at once; when full, a new connection evicts
//     the connection the policy in tcp_connection_policy.h picks (evicted_idle;
//     its partial frame is delivered flagged truncated), or, when every
//     connection talked within kEvictionQuietPeriod, is accepted and closed at
//     once (rejected_connections);
//   - a connection silent for its idle deadline (first_line_timeout until it
//     delivered a complete line, then idle_timeout) is closed (idle_closed,
//     and first_line_timeouts for the former);
//   - memory is bounded by one partial frame (kMaxFrameBytes) per connection.
// Every such close is counted and warned about (rate-limited, naming the peer).
#include <poll.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
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
    size_t max_connections_per_source = 0;  // 0: no per-source limit
    std::chrono::milliseconds idle_timeout{0};
    std::chrono::milliseconds first_line_timeout{0};  // capped by idle_timeout
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
  // Makes room for a connection from `peer_ip`; false: nothing may be evicted.
  bool evict_for(std::string_view peer_ip, const LineDelivery& delivery, TimePoint now);
  void close_idle(const LineDelivery& delivery, TimePoint now);
  void forget_closed(const LineDelivery& delivery);

  SocketFd listener_;
  uint16_t port_ = 0;
  Limits limits_;
  std::vector<TcpConnection> connections_;
  std::map<std::string, size_t, std::less<>> per_source_;  // open connections by peer address
  std::vector<char> scratch_;
  TimePoint accept_resume_{};
};

}  // namespace regwatch::agent::syslog
