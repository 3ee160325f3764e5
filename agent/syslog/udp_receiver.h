#pragma once
// UdpReceiver: the listener's UDP socket. One datagram is one syslog message
// (RFC 5426): a trailing LF/CR/NUL is stripped, nothing else is split or joined.
// Reads with recvmmsg, kUdpReceiveBatch datagrams per system call, and copies
// each out with its sender and receive time (a Datagram for the queue).
// Threads: used by the UDP receive thread only (open() may run on another
// thread before it starts). Bad input: empty datagrams are counted and dropped; a
// datagram longer than kMaxDatagramBytes (not possible over IP, kept as a
// guard) is delivered cut and flagged truncated. Datagrams the kernel dropped
// because the receive buffer was full (SO_RXQ_OVFL on every read, SO_MEMINFO
// when the queue is empty) are counted in udp_kernel_drops and warned about.
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "agent/syslog/datagram_queue.h"
#include "agent/syslog/socket_fd.h"
#include "agent/syslog/stream_framer.h"
#include "agent/syslog/syslog_listener_types.h"
#include "common/net_address.h"
#include "common/result.h"
#include "common/udp_receive_buffer.h"

namespace regwatch::agent::syslog {

// Largest datagram delivered whole. An IP datagram carries at most 65527
// payload bytes, so every datagram fits; the same limit as a TCP frame.
inline constexpr size_t kMaxDatagramBytes = kMaxFrameBytes;
// Datagrams per recvmmsg: one system call per 64 instead of one each. The
// receive buffers are kUdpReceiveBatch * kMaxDatagramBytes (4 MiB), allocated once.
inline constexpr size_t kUdpReceiveBatch = 64;

class UdpReceiver {
 public:
  // Binds and asks for `receive_buffer_bytes` of kernel receive buffer.
  static Result<UdpReceiver> open(const Endpoint& endpoint, uint32_t receive_buffer_bytes);

  int fd() const { return socket_.get(); }
  uint16_t port() const { return port_; }
  // What the kernel granted (may be less: net.core.rmem_max); 0 if unknown.
  uint32_t receive_buffer_bytes() const { return receive_buffer_bytes_; }

  // Reads what is queued in the socket, up to kUdpReceiveBatch datagrams,
  // without blocking, and appends each non-empty one to `out` (stamped with
  // delivery.clock). Returns how many it read, empty ones included; 0 when
  // the socket's queue is empty (then the kernel's drop count is read too).
  // Counts udp_datagrams, bytes, udp_kernel_drops and receive_errors.
  size_t receive(std::vector<Datagram>& out, const LineDelivery& delivery);

 private:
  UdpReceiver(SocketFd socket, uint16_t port, uint32_t receive_buffer_bytes);
  void count_kernel_drops(uint32_t cumulative, const LineDelivery& delivery);

  SocketFd socket_;
  uint16_t port_ = 0;
  uint32_t receive_buffer_bytes_ = 0;
  KernelDropCounter kernel_drops_;
  // recvmmsg's buffers, one slot per datagram of a batch, reused on every call.
  std::vector<char> buffers_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> headers_;
  std::vector<sockaddr_storage> senders_;
  std::vector<std::array<char, CMSG_SPACE(sizeof(uint32_t))>> controls_;
};

}  // namespace regwatch::agent::syslog
