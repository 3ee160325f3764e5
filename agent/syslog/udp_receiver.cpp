#include "agent/syslog/udp_receiver.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>
#include <utility>

#include "agent/syslog/socket_binding.h"

namespace regwatch::agent::syslog {

Result<UdpReceiver> UdpReceiver::open(const Endpoint& endpoint, uint32_t receive_buffer_bytes) {
  auto socket_fd = open_bound_socket(endpoint, SocketKind::kUdp);
  if (!socket_fd.ok()) return socket_fd.error();
  const uint32_t granted = set_udp_receive_buffer(socket_fd->get(), receive_buffer_bytes);
  if (!enable_kernel_drop_count(socket_fd->get())) {
    return make_error("listen_failed", "cannot count kernel drops (SO_RXQ_OVFL) on syslog udp " +
                                           endpoint.to_string() + ": " +
                                           std::system_category().message(errno));
  }
  const uint16_t port = bound_port(socket_fd->get());
  return UdpReceiver(std::move(*socket_fd), port, granted);
}

UdpReceiver::UdpReceiver(SocketFd socket, uint16_t port, uint32_t receive_buffer_bytes)
    : socket_(std::move(socket)),
      port_(port),
      receive_buffer_bytes_(receive_buffer_bytes),
      buffer_(kMaxDatagramBytes) {}

void UdpReceiver::count_kernel_drops(uint32_t cumulative, const LineDelivery& delivery) {
  const uint64_t dropped = kernel_drops_.observe(cumulative);
  if (dropped == 0) return;
  bump(delivery.counters.udp_kernel_drops, dropped);
  delivery.warn(
      "syslog udp: the kernel dropped {} datagram(s), receive buffer full ({} since start; "
      "raise syslog.udp_receive_buffer_bytes / net.core.rmem_max)",
      dropped, kernel_drops_.total());
}

size_t UdpReceiver::drain(size_t max_datagrams, const LineDelivery& delivery) {
  size_t received = 0;
  while (received < max_datagrams) {
    sockaddr_storage sender{};
    iovec data{buffer_.data(), buffer_.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint32_t))];
    msghdr message{};
    message.msg_name = &sender;
    message.msg_namelen = sizeof(sender);
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    // MSG_TRUNC makes recvmsg return the datagram's real length even when it
    // did not fit, so an oversized one is flagged instead of passing as whole.
    const ssize_t length = recvmsg(socket_.get(), &message, MSG_TRUNC);
    if (length < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      if (error != EAGAIN && error != EWOULDBLOCK) {
        bump(delivery.counters.receive_errors);
        delivery.warn("syslog udp receive failed: {}", std::system_category().message(error));
      } else if (uint32_t now = 0; read_kernel_drop_count(socket_.get(), now)) {
        // A datagram carries the count as of its queueing: drops after the
        // last queued one show only here, with the queue empty.
        count_kernel_drops(now, delivery);
      }
      break;
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
          c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
        uint32_t cumulative = 0;
        std::memcpy(&cumulative, CMSG_DATA(c), sizeof(cumulative));
        count_kernel_drops(cumulative, delivery);
      }
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
