#include "agent/syslog/udp_receiver.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <system_error>
#include <utility>

#include "agent/syslog/socket_binding.h"

namespace regwatch::agent::syslog {

Result<UdpReceiver> UdpReceiver::open(const Endpoint& endpoint) {
  auto socket_fd = open_bound_socket(endpoint, SocketKind::kUdp);
  if (!socket_fd.ok()) return socket_fd.error();
  const uint16_t port = bound_port(socket_fd->get());
  return UdpReceiver(std::move(*socket_fd), port);
}

UdpReceiver::UdpReceiver(SocketFd socket, uint16_t port)
    : socket_(std::move(socket)), port_(port), buffer_(kMaxDatagramBytes) {}

size_t UdpReceiver::drain(size_t max_datagrams, const LineDelivery& delivery) {
  size_t received = 0;
  while (received < max_datagrams) {
    sockaddr_storage sender{};
    socklen_t sender_length = sizeof(sender);
    // MSG_TRUNC makes recvfrom return the datagram's real length even when it
    // did not fit, so an oversized one is flagged instead of passing as whole.
    const ssize_t length = recvfrom(socket_.get(), buffer_.data(), buffer_.size(), MSG_TRUNC,
                                    reinterpret_cast<sockaddr*>(&sender), &sender_length);
    if (length < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      if (error != EAGAIN && error != EWOULDBLOCK) {
        bump(delivery.counters.receive_errors);
        delivery.warn("syslog udp receive failed: {}", std::system_category().message(error));
      }
      break;
    }
    ++received;
    const auto real_length = static_cast<size_t>(length);
    const bool truncated = real_length > buffer_.size();
    const size_t kept = std::min(real_length, buffer_.size());
    bump(delivery.counters.udp_datagrams);
    bump(delivery.counters.bytes, kept);

    std::string_view line(buffer_.data(), kept);
    if (!truncated) line = strip_line_terminators(line);
    if (line.empty()) continue;
    PeerIpBuffer ip_text;
    delivery.deliver(line, format_peer_ip(sender, ip_text), delivery.clock.now_us(), truncated);
  }
  return received;
}

}  // namespace regwatch::agent::syslog
