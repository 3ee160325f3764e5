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
      buffers_(kUdpReceiveBatch * kMaxDatagramBytes),
      iov_(kUdpReceiveBatch),
      headers_(kUdpReceiveBatch),
      senders_(kUdpReceiveBatch),
      controls_(kUdpReceiveBatch) {}

void UdpReceiver::count_kernel_drops(uint32_t cumulative, const LineDelivery& delivery) {
  const uint64_t dropped = kernel_drops_.observe(cumulative);
  if (dropped == 0) return;
  bump(delivery.counters.udp_kernel_drops, dropped);
  delivery.warn(
      "syslog udp: the kernel dropped {} datagram(s), receive buffer full ({} since start; "
      "raise syslog.udp_receive_buffer_bytes / net.core.rmem_max)",
      dropped, kernel_drops_.total());
}

size_t UdpReceiver::receive(std::vector<Datagram>& out, const LineDelivery& delivery) {
  for (size_t i = 0; i < kUdpReceiveBatch; ++i) {
    iov_[i] = {buffers_.data() + i * kMaxDatagramBytes, kMaxDatagramBytes};
    msghdr& message = headers_[i].msg_hdr;
    message = {};
    message.msg_name = &senders_[i];
    message.msg_namelen = sizeof(sockaddr_storage);
    message.msg_iov = &iov_[i];
    message.msg_iovlen = 1;
    message.msg_control = controls_[i].data();
    message.msg_controllen = controls_[i].size();
  }
  int count = 0;
  do {
    // MSG_TRUNC makes each msg_len the datagram's real length even when it did
    // not fit, so an oversized one is flagged instead of passing as whole.
    count = recvmmsg(socket_.get(), headers_.data(), kUdpReceiveBatch, MSG_DONTWAIT | MSG_TRUNC,
                     nullptr);
  } while (count < 0 && errno == EINTR);
  if (count <= 0) {
    const int error = errno;
    if (count < 0 && error != EAGAIN && error != EWOULDBLOCK) {
      bump(delivery.counters.receive_errors);
      delivery.warn("syslog udp receive failed: {}", std::system_category().message(error));
    } else if (uint32_t now = 0; read_kernel_drop_count(socket_.get(), now)) {
      // A datagram carries the count as of its queueing: drops after the
      // last queued one show only here, with the queue empty.
      count_kernel_drops(now, delivery);
    }
    return 0;
  }
  // One clock reading per batch: the batch was read by one system call.
  const int64_t now_us = delivery.clock.now_us();
  uint64_t bytes = 0;
  for (int i = 0; i < count; ++i) {
    msghdr& message = headers_[static_cast<size_t>(i)].msg_hdr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
          c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
        uint32_t cumulative = 0;
        std::memcpy(&cumulative, CMSG_DATA(c), sizeof(cumulative));
        count_kernel_drops(cumulative, delivery);
      }
    }
    const size_t real_length = headers_[static_cast<size_t>(i)].msg_len;
    const bool truncated = real_length > kMaxDatagramBytes;
    const size_t kept = std::min(real_length, kMaxDatagramBytes);
    bytes += kept;
    std::string_view line(static_cast<const char*>(message.msg_iov->iov_base), kept);
    if (!truncated) line = strip_line_terminators(line);
    if (line.empty()) continue;
    out.push_back(Datagram{std::string(line), senders_[static_cast<size_t>(i)], now_us, truncated});
  }
  bump(delivery.counters.udp_datagrams, static_cast<uint64_t>(count));
  bump(delivery.counters.bytes, bytes);
  return static_cast<size_t>(count);
}

}  // namespace regwatch::agent::syslog
