#include "agent/syslog/tcp_connection.h"

#include <sys/socket.h>

#include <cerrno>
#include <optional>
#include <system_error>
#include <utility>

namespace regwatch::agent::syslog {

TcpConnection::TcpConnection(SocketFd socket, std::string peer_ip, TimePoint now)
    : socket_(std::move(socket)),
      peer_ip_(std::move(peer_ip)),
      activity_{now, std::nullopt, false} {}

void TcpConnection::read_available(std::span<char> scratch, const LineDelivery& delivery,
                                   TimePoint now) {
  for (int reads = 0; reads < kMaxReadsPerWakeup && is_open(); ++reads) {
    const ssize_t length = recv(socket_.get(), scratch.data(), scratch.size(), 0);
    if (length > 0) {
      activity_.last_receive = now;
      const auto size = static_cast<size_t>(length);
      bump(delivery.counters.bytes, size);
      feed(std::string_view(scratch.data(), size), delivery.clock.now_us(), delivery);
      if (size < scratch.size()) return;  // drained; the next wakeup reads more
      continue;
    }
    if (length == 0) {  // orderly close by the peer
      close(delivery);
      return;
    }
    const int error = errno;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK) return;
    bump(delivery.counters.receive_errors);
    delivery.warn("syslog tcp receive from {} failed: {}", peer_ip_,
                  std::system_category().message(error));
    close(delivery);
  }
}

void TcpConnection::close(const LineDelivery& delivery) {
  if (!is_open()) return;
  const int64_t now_us = delivery.clock.now_us();
  framer_.finish([&](std::string_view frame, bool truncated) {
    delivery.deliver(frame, peer_ip_, now_us, truncated);
  });
  socket_.reset();
}

void TcpConnection::feed(std::string_view bytes, int64_t receive_time_us,
                         const LineDelivery& delivery) {
  // Bad counts are reported before the next line is delivered, so whoever sees
  // a line also sees every anomaly that came before it on this connection.
  framer_.feed(bytes, [&](std::string_view frame, bool truncated) {
    report_bad_framing(delivery);
    activity_.delivered_line = true;
    delivery.deliver(frame, peer_ip_, receive_time_us, truncated);
  });
  report_bad_framing(delivery);
}

void TcpConnection::report_bad_framing(const LineDelivery& delivery) {
  const uint64_t bad = framer_.counters().bad_length;
  if (bad == bad_framing_reported_) return;
  bump(delivery.counters.bad_framing, bad - bad_framing_reported_);
  bad_framing_reported_ = bad;
  delivery.warn("syslog tcp from {}: bad RFC 6587 octet count, skipped to the next line", peer_ip_);
}

}  // namespace regwatch::agent::syslog
