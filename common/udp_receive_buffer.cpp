#include "common/udp_receive_buffer.h"

#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <array>

namespace regwatch {

uint32_t set_udp_receive_buffer(int fd, uint32_t bytes) {
  const int asked = static_cast<int>(bytes);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &asked, sizeof(asked)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &asked, sizeof(asked));
  }
  int granted = 0;
  socklen_t length = sizeof(granted);
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &length) != 0 || granted <= 0) return 0;
  return static_cast<uint32_t>(granted) / 2;
}

bool enable_kernel_drop_count(int fd) {
  const int on = 1;
  return setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on)) == 0;
}

bool read_kernel_drop_count(int fd, uint32_t& count) {
  std::array<uint32_t, SK_MEMINFO_VARS> info{};
  socklen_t length = sizeof(info);
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info.data(), &length) != 0) return false;
  if (length < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)) return false;
  count = info[SK_MEMINFO_DROPS];
  return true;
}

uint64_t KernelDropCounter::observe(uint32_t cumulative) {
  const uint32_t step = cumulative - last_;         // modulo 2^32: a wrap is a small forward step
  if (step == 0 || step >= 0x8000'0000u) return 0;  // nothing new, or out of date
  last_ = cumulative;
  total_ += step;
  return step;
}

}  // namespace regwatch
