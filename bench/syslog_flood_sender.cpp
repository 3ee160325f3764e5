// syslog_flood_sender: sends every line of a file as one UDP datagram to a
// loopback port, paced at a given rate (0: as fast as sendmmsg goes), and
// prints how many it sent. The sender of bench/syslog_flood_bench.py: the same
// program and the same lines go to rsyslog and to the agent, so the only
// difference between the two runs is the receiver.
//
// Usage: syslog_flood_sender <port> <lines-file> <lines-per-second>
// Output (stdout): "sent <n> in <seconds> s (<rate>/s)". Exit 1 on errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// Datagrams per sendmmsg: pacing works in batches this big (at 20,000/s one
// batch every 1.6 ms), small enough that the flood is not lumpier than a
// CUCM cluster sending from several nodes.
constexpr size_t kBatch = 32;

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <port> <lines-file> <lines-per-second, 0 = full speed>\n",
                 argv[0]);
    return 1;
  }
  const auto port = static_cast<uint16_t>(std::atoi(argv[1]));
  const double rate = std::atof(argv[3]);
  std::ifstream in(argv[2]);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (lines.empty()) {
    std::fprintf(stderr, "no lines in %s\n", argv[2]);
    return 1;
  }
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) != 0) {
    std::fprintf(stderr, "cannot connect to 127.0.0.1:%u: %s\n", port, std::strerror(errno));
    return 1;
  }
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> messages(kBatch);
  const auto started = std::chrono::steady_clock::now();
  size_t sent = 0;
  while (sent < lines.size()) {
    if (rate > 0) {
      // Where the schedule says we should be: never ahead of it.
      const auto due = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(sent / rate));
      std::this_thread::sleep_until(due);
    }
    const size_t count = std::min(kBatch, lines.size() - sent);
    for (size_t i = 0; i < count; ++i) {
      iov[i] = {lines[sent + i].data(), lines[sent + i].size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_iov = &iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = sendmmsg(fd, messages.data(), static_cast<unsigned>(count), 0);
    if (n < 0) {
      if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) continue;
      // A receiver that is not there yet answers with ICMP: try the batch again.
      if (errno == ECONNREFUSED) continue;
      std::fprintf(stderr, "sendmmsg: %s\n", std::strerror(errno));
      return 1;
    }
    sent += static_cast<size_t>(n);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("sent %zu in %.3f s (%.0f/s)\n", sent, seconds, seconds > 0 ? sent / seconds : 0.0);
  close(fd);
  return 0;
}
