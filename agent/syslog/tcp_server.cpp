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
    if (connections_.size() >= limits_.max_connections) {
      bump(delivery.counters.rejected_connections);
      delivery.warn("syslog tcp connection from {} rejected: already {} connections (the limit)",
                    peer_ip, connections_.size());
      continue;  // socket_fd closes it
    }
    connections_.emplace_back(std::move(socket_fd), std::string(peer_ip), now);
    bump(delivery.counters.tcp_connections);
  }
}

void TcpServer::close_idle(const LineDelivery& delivery, TimePoint now) {
  for (auto& connection : connections_) {
    if (connection.is_open() && now - connection.last_activity() >= limits_.idle_timeout) {
      bump(delivery.counters.idle_closed);
      connection.close(delivery);
    }
  }
}

void TcpServer::forget_closed(const LineDelivery& delivery) {
  std::erase_if(connections_, [](const TcpConnection& c) { return !c.is_open(); });
  delivery.counters.tcp_open_connections.store(connections_.size(), std::memory_order_relaxed);
}

int TcpServer::poll_timeout_ms(TimePoint now) const {
  std::optional<TimePoint> next;
  if (now < accept_resume_) next = accept_resume_;
  for (const auto& connection : connections_) {
    const TimePoint deadline = connection.last_activity() + limits_.idle_timeout;
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
