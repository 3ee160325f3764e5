#pragma once
// A UDP socket's kernel receive queue: how big it is asked to be, and how many
// datagrams the kernel dropped because it was full (issue 17). Both inputs that
// own a UDP socket (the syslog listener, the trap receiver) use these.
// Threads: free functions on a caller's fd, and a counter owned by one thread.
#include <cstdint>

namespace regwatch {

// Bounds of a configured receive buffer: below the kernel's own minimum
// nothing queues; SO_RCVBUF takes an int that the kernel doubles.
inline constexpr uint32_t kMinUdpReceiveBufferBytes = 4096;
inline constexpr uint32_t kMaxUdpReceiveBufferBytes = 1024u * 1024 * 1024;

// Asks for `bytes` of receive buffer: SO_RCVBUFFORCE first (allowed with
// CAP_NET_ADMIN, e.g. as root, and not capped by net.core.rmem_max), else
// SO_RCVBUF (capped at rmem_max). Returns what the kernel granted, as the
// payload-equivalent size it reports halved (the kernel doubles the request
// for its bookkeeping); 0 if it cannot be read.
uint32_t set_udp_receive_buffer(int fd, uint32_t bytes);

// Turns on SO_RXQ_OVFL: every datagram read with recvmsg then carries the
// socket's cumulative drop count (a uint32 control message). False on error.
bool enable_kernel_drop_count(int fd);

// The socket's cumulative drop count as of now (SO_MEMINFO's
// SK_MEMINFO_DROPS, the same counter SO_RXQ_OVFL reports); false on error.
bool read_kernel_drop_count(int fd, uint32_t& count);

// Turns observations of the kernel's cumulative, wrapping uint32 drop counter
// into a running 64-bit total. Observations may arrive out of date: a
// datagram's SO_RXQ_OVFL value is the count when it was queued, so one read
// after a SO_MEMINFO reading can carry a smaller count; such a value is
// ignored rather than taken for a wrap (a forward step is one below 2^31).
// Pure.
class KernelDropCounter {
 public:
  // Returns how many new drops this observation shows (0: none or stale).
  uint64_t observe(uint32_t cumulative);
  uint64_t total() const { return total_; }

 private:
  uint32_t last_ = 0;
  uint64_t total_ = 0;
};

}  // namespace regwatch
