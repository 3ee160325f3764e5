#include "agent/syslog/tcp_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "agent/syslog/socket_binding.h"
#include "agent/syslog/stream_framer.h"

namespace regwatch::agent::syslog {
namespace {

// Errors of one pending connection (it died before we took it), not of ours.
bool is_per_connection_accept_error(int error) {
  return error == ECONNABORTED || error == EPROTO || error == EPERM || error == ENETDOWN ||
         error == ENOPROTOOPT || error == EHOSTDOWN || error == ENONET || error == EHOSTUNREACH ||
         error == EOPNOTSUPP || error == ENETUNREACH;
}

}  // namespace

Result<TcpServer> TcpServer::open(const Endpoint& endpoint, Limits limits) {
  auto socket_fd = open_bound_socket(endpoint, SocketKind::kTcp);
  if (!socket_fd.ok()) return socket_fd.error();
  const uint16_t port = bound_port(socket_fd->get());
  return TcpServer(std::move(*socket_fd), port, limits);
}

TcpServer::TcpServer(SocketFd listener, uint16_t port, Limits limits)
    : listener_(std::move(listener)), port_(port), limits_(limits), scratch_(kMaxFrameBytes) {
  connections_.reserve(limits_.max_connections);
}

void TcpServer::add_poll_fds(std::vector<pollfd>& fds, TimePoint now) const {
  // A negative fd keeps the entry's place while poll() ignores it.
  const bool accepting = now >= accept_resume_;
  fds.push_back(pollfd{accepting ? listener_.get() : -1, POLLIN, 0});
  for (const auto& connection : connections_) fds.push_back(pollfd{connection.fd(), POLLIN, 0});
}

void TcpServer::handle(std::span<const pollfd> fds, const LineDelivery& delivery, TimePoint now) {
  // Connections first: accept_pending() appends to connections_, which must
  // still line up with fds[1..] while they are served.
  const size_t served = std::min(connections_.size(), fds.size() - 1);
  for (size_t i = 0; i < served; ++i) {
    if (fds[i + 1].revents != 0) connections_[i].read_available(scratch_, delivery, now);
  }
  // Connections the peers closed leave first: they must not count against a
  // limit while new ones are accepted.
  forget_closed(delivery);
  if (!fds.empty() && (fds[0].revents & POLLIN) != 0) accept_pending(delivery, now);
  close_idle(delivery, now);
  forget_closed(delivery);
}

void TcpServer::accept_pending(const LineDelivery& delivery, TimePoint now) {
  for (int accepted = 0; accepted < kMaxAcceptsPerWakeup;) {
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof(peer);
    SocketFd socket_fd(accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &peer_length,
                               SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!socket_fd.valid()) {
      const int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) return;
      if (error == EINTR || is_per_connection_accept_error(error)) continue;
      bump(delivery.counters.receive_errors);
      delivery.warn("syslog tcp accept failed: {}; pausing accepts for {} ms",
                    std::system_category().message(error), kAcceptPauseOnExhaustion.count());
      accept_resume_ = now + kAcceptPauseOnExhaustion;
      return;
    }
    ++accepted;
    PeerIpBuffer ip_text;
    const std::string_view peer_ip = format_peer_ip(peer, ip_text);
    if (limits_.max_connections_per_source > 0) {
      const auto from_peer = per_source_.find(peer_ip);
      if (from_peer != per_source_.end() &&
          from_peer->second >= limits_.max_connections_per_source) {
        bump(delivery.counters.rejected_per_source);
        delivery.warn(
            "syslog tcp connection from {} rejected: it already has {} connections (the "
            "per-source limit, syslog.max_tcp_connections_per_source)",
            peer_ip, from_peer->second);
        continue;  // socket_fd closes it
      }
    }
    if (connections_.size() >= limits_.max_connections && !evict_for(peer_ip, delivery, now)) {
      bump(delivery.counters.rejected_connections);
      delivery.warn(
          "syslog tcp connection from {} rejected: already {} connections (the limit), all "
          "active within the last {} s",
          peer_ip, connections_.size(), kEvictionQuietPeriod.count());
      continue;
    }
    connections_.emplace_back(std::move(socket_fd), std::string(peer_ip), now);
    ++per_source_[connections_.back().peer_ip()];
    bump(delivery.counters.tcp_connections);
  }
}

bool TcpServer::evict_for(std::string_view peer_ip, const LineDelivery& delivery, TimePoint now) {
  const auto victim = pick_eviction_victim(
      connections_,
      [](const TcpConnection& c) -> const ConnectionActivity& { return c.activity(); },
      [](const TcpConnection& c) { return !c.is_open(); }, now);
  if (!victim) return false;
  TcpConnection& evicted = connections_[*victim];
  const auto idle_s =
      std::chrono::duration_cast<std::chrono::seconds>(now - evicted.last_activity()).count();
  bump(delivery.counters.evicted_idle);
  delivery.warn(
      "syslog tcp connection from {} closed after {} s idle{} to make room for one from {}: "
      "already {} connections (the limit)",
      evicted.peer_ip(), idle_s,
      evicted.activity().delivered_line ? "" : " without a complete line", peer_ip,
      connections_.size());
  evicted.close(delivery);
  forget_closed(delivery);
  return true;
}

void TcpServer::close_idle(const LineDelivery& delivery, TimePoint now) {
  const IdleTimeouts timeouts{limits_.idle_timeout, limits_.first_line_timeout};
  for (auto& connection : connections_) {
    if (connection.is_open() && now >= idle_deadline(connection.activity(), timeouts)) {
      bump(delivery.counters.idle_closed);
      if (!connection.activity().delivered_line) {
        // Counted apart: a peer holding slots with silent connections shows here.
        bump(delivery.counters.first_line_timeouts);
        delivery.warn("syslog tcp connection from {} closed: no complete line within {} ms",
                      connection.peer_ip(),
                      std::min(limits_.first_line_timeout, limits_.idle_timeout).count());
      }
      connection.close(delivery);
    }
  }
}

void TcpServer::forget_closed(const LineDelivery& delivery) {
  std::erase_if(connections_, [this](const TcpConnection& c) {
    if (c.is_open()) return false;
    const auto from_peer = per_source_.find(c.peer_ip());
    if (from_peer != per_source_.end() && --from_peer->second == 0) per_source_.erase(from_peer);
    return true;
  });
  delivery.counters.tcp_open_connections.store(connections_.size(), std::memory_order_relaxed);
}

int TcpServer::poll_timeout_ms(TimePoint now) const {
  std::optional<TimePoint> next;
  if (now < accept_resume_) next = accept_resume_;
  const IdleTimeouts timeouts{limits_.idle_timeout, limits_.first_line_timeout};
  for (const auto& connection : connections_) {
    const TimePoint deadline = idle_deadline(connection.activity(), timeouts);
    if (!next || deadline < *next) next = deadline;
  }
  if (!next) return -1;
  if (*next <= now) return 0;
  // Round up so the loop wakes at or after the deadline, not just before it.
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
  return static_cast<int>(std::min<decltype(wait)>(wait, 24 * 3600 * 1000));
}

void TcpServer::close_all(const LineDelivery& delivery) {
  for (auto& connection : connections_) connection.close(delivery);
  forget_closed(delivery);
}

}  // namespace regwatch::agent::syslog
