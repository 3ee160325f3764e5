// SyslogListener's limits on real loopback sockets: TCP connections per listener and per source,
// idle and first-line timeouts, eviction, and the UDP queue under a flood (delivered or counted).
#include "tests/syslog/syslog_listener_fixture.h"

#include <sys/socket.h>

namespace regwatch::agent::syslog {
namespace {

using namespace std::chrono_literals;
using namespace testing_support;  // the fixture and its helpers

TEST_F(SyslogListenerTest, ConnectionsPastTheLimitAreAcceptedAndClosed) {
  // Both connections have just sent bytes, so neither may be evicted (see
  // tcp_connection_policy.h): the third is refused.
  options_.max_tcp_connections = 2;
  auto& listener = start();
  SocketFd first = connect_tcp(listener.tcp_port());
  SocketFd second = connect_tcp(listener.tcp_port());
  send_all(first.get(), "<13>first ");
  send_all(second.get(), "<13>second ");
  ASSERT_TRUE(eventually([&] { return listener.stats().bytes == 21; }));
  SocketFd third = connect_tcp(listener.tcp_port());
  EXPECT_TRUE(peer_closes(third.get()));
  EXPECT_EQ(listener.stats().rejected_connections, 1u);
  EXPECT_EQ(listener.stats().evicted_idle, 0u);
  send_all(first.get(), "still served\n");
  send_all(second.get(), "still served\n");
  const auto lines = collector_.wait_for(2);
  EXPECT_EQ(lines.size(), 2u);
  EXPECT_EQ(listener.stats().tcp_connections, 2u);
}

// Issue 17: the per-source limit and the first-line timeout reach the server
// (their rules are tested on fake time in tcp_server_test.cpp).
TEST_F(SyslogListenerTest, PerSourceLimitAndFirstLineTimeoutApply) {
  options_.max_tcp_connections_per_source = 1;
  options_.tcp_first_line_timeout = 50ms;
  auto& listener = start();
  SocketFd silent = connect_tcp(listener.tcp_port());
  ASSERT_TRUE(eventually([&] { return listener.stats().tcp_connections == 1; }));
  SocketFd second = connect_tcp(listener.tcp_port());
  EXPECT_TRUE(peer_closes(second.get()));
  EXPECT_EQ(listener.stats().rejected_per_source, 1u);
  EXPECT_TRUE(peer_closes(silent.get()));
  EXPECT_TRUE(eventually([&] { return listener.stats().first_line_timeouts == 1; }));
  EXPECT_EQ(listener.stats().idle_closed, 1u);
}

// Issue 17: when the table is full, a new sender evicts a silent connection
// instead of being locked out.
TEST_F(SyslogListenerTest, FullTableEvictsASilentConnectionForANewSender) {
  options_.max_tcp_connections = 2;
  auto& listener = start();
  SocketFd first = connect_tcp(listener.tcp_port());
  SocketFd second = connect_tcp(listener.tcp_port());
  ASSERT_TRUE(eventually([&] { return listener.stats().tcp_open_connections == 2; }));
  SocketFd sender = connect_tcp(listener.tcp_port());
  send_all(sender.get(), "<13>the new sender is heard\n");
  const auto lines = collector_.wait_for(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].line, "<13>the new sender is heard");
  EXPECT_TRUE(peer_closes(first.get()));  // the oldest of the silent ones
  EXPECT_EQ(listener.stats().evicted_idle, 1u);
  EXPECT_EQ(listener.stats().rejected_connections, 0u);
}

TEST_F(SyslogListenerTest, IdleConnectionIsClosedAndItsHalfFrameDelivered) {
  options_.tcp_idle_timeout = 50ms;
  auto& listener = start();
  SocketFd client = connect_tcp(listener.tcp_port());
  send_all(client.get(), "<13>half a line");
  EXPECT_TRUE(peer_closes(client.get()));
  const auto lines = collector_.wait_for(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].line, "<13>half a line");
  EXPECT_TRUE(lines[0].truncated);
  EXPECT_EQ(listener.stats().idle_closed, 1u);
  // The gauge is updated after the socket closes, so the client may see EOF first.
  EXPECT_TRUE(eventually([&] { return listener.stats().tcp_open_connections == 0; }));
}

void send_datagrams(int fd, uint16_t port, uint64_t count, const std::string& line) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (uint64_t i = 0; i < count; ++i) {
    ASSERT_EQ(sendto(fd, line.data(), line.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
              static_cast<ssize_t>(line.size()));
  }
}

// Issue 17: a flood into a small receive buffer that nobody reads; every
// datagram sent is then either read or counted as a kernel drop, including
// drops after the last datagram that was queued (seen with the queue empty).
TEST(UdpReceiverTest, UdpDatagramsTheKernelDropsAreCounted) {
  auto opened = UdpReceiver::open(Endpoint{"127.0.0.1", 0}, kMinUdpReceiveBufferBytes);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  UdpReceiver& receiver = *opened;
  EXPECT_GT(receiver.receive_buffer_bytes(), 0u);
  SocketFd sender = udp_sender();
  constexpr uint64_t kSent = 2000;
  send_datagrams(sender.get(), receiver.port(), kSent, std::string(200, 'x'));

  ManualClock clock(kClockUs);
  ListenerCounters counters;
  RateLimitedLog budget;
  const LineSink unused = [](const ReceivedLine&) {};
  const LineDelivery delivery{unused, clock, counters, *component_logger("test"), budget};
  std::vector<Datagram> datagrams;
  while (receiver.receive(datagrams, delivery) > 0) {
  }
  const auto stats = counters.snapshot();
  EXPECT_EQ(stats.udp_datagrams + stats.udp_kernel_drops, kSent)
      << stats.udp_datagrams << " read, " << stats.udp_kernel_drops << " dropped";
  EXPECT_GT(stats.udp_kernel_drops, 0u);
  EXPECT_EQ(datagrams.size(), stats.udp_datagrams);
  EXPECT_EQ(datagrams.front().payload, std::string(200, 'x'));
  EXPECT_EQ(datagrams.front().receive_time_us, kClockUs);
}

// Issue 17: with the line thread held in the sink, a flood beyond the queue's
// capacity ends with every datagram sent delivered or counted: dropped by the
// kernel, or refused by the full queue.
TEST_F(SyslogListenerTest, UdpFloodBeyondTheQueueIsDeliveredOrCounted) {
  options_.tcp.reset();
  options_.udp_queue_max_datagrams = 16;
  std::mutex gate;
  std::unique_lock held(gate);
  std::atomic<uint64_t> delivered{0};
  SyslogListener listener(
      options_,
      [&](const ReceivedLine&) {
        std::lock_guard wait(gate);  // the first line waits until the flood is sent
        ++delivered;
      },
      clock_);
  ASSERT_TRUE(listener.start().ok());
  SocketFd sender = udp_sender();
  constexpr uint64_t kSent = 5000;
  send_datagrams(sender.get(), listener.udp_port(), kSent, std::string(200, 'y'));
  // Everything has left the socket (read or dropped by the kernel) while the sink is held.
  ASSERT_TRUE(eventually([&] {
    const auto stats = listener.stats();
    return stats.udp_datagrams + stats.udp_kernel_drops == kSent;
  })) << listener.stats().udp_datagrams
      << " read, " << listener.stats().udp_kernel_drops << " dropped by the kernel";
  EXPECT_GT(listener.udp_queue_stats().full_drops, 0u);
  EXPECT_LE(listener.udp_queue_stats().peak_depth, 16u);
  held.unlock();
  const auto accounted = [&] {
    const auto stats = listener.stats();
    const auto queue = listener.udp_queue_stats();
    return delivered.load() + queue.full_drops + stats.udp_kernel_drops;
  };
  EXPECT_TRUE(eventually([&] { return accounted() == kSent; }))
      << delivered.load() << " delivered, " << listener.udp_queue_stats().full_drops
      << " queue full, " << listener.stats().udp_kernel_drops << " kernel";
  EXPECT_EQ(listener.stats().frames, delivered.load());
}

// stop() delivers what was queued before it: the datagrams waiting behind a
// held sink all reach it by the time stop() returns.
TEST_F(SyslogListenerTest, StopDeliversWhatWasQueued) {
  options_.tcp.reset();
  std::mutex gate;
  std::unique_lock held(gate);
  std::atomic<uint64_t> delivered{0};
  SyslogListener listener(
      options_,
      [&](const ReceivedLine&) {
        std::lock_guard wait(gate);
        ++delivered;
      },
      clock_);
  ASSERT_TRUE(listener.start().ok());
  SocketFd sender = udp_sender();
  constexpr uint64_t kSent = 100;
  send_datagrams(sender.get(), listener.udp_port(), kSent, "<13>queued before stop");
  ASSERT_TRUE(eventually([&] { return listener.stats().udp_datagrams == kSent; }));
  std::thread stopper([&] { listener.stop(); });
  held.unlock();
  stopper.join();
  EXPECT_EQ(delivered.load(), kSent);
  EXPECT_EQ(listener.udp_queue_stats().discarded, 0u);
  EXPECT_EQ(listener.udp_queue_stats().depth, 0u);
}

// With no time to drain at stop, what is still queued is discarded and counted.
TEST_F(SyslogListenerTest, StopPastTheDrainLimitCountsWhatItDiscards) {
  options_.tcp.reset();
  options_.udp_stop_drain_limit = 0ms;
  std::mutex gate;
  std::unique_lock held(gate);
  std::atomic<uint64_t> delivered{0};
  SyslogListener listener(
      options_,
      [&](const ReceivedLine&) {
        std::lock_guard wait(gate);
        ++delivered;
      },
      clock_);
  ASSERT_TRUE(listener.start().ok());
  SocketFd sender = udp_sender();
  constexpr uint64_t kSent = 100;
  send_datagrams(sender.get(), listener.udp_port(), kSent, "<13>queued before stop");
  ASSERT_TRUE(eventually([&] { return listener.udp_queue_stats().pushed == kSent; }));
  std::thread stopper([&] { listener.stop(); });
  held.unlock();
  stopper.join();
  EXPECT_EQ(delivered.load() + listener.udp_queue_stats().discarded, kSent);
}

}  // namespace
}  // namespace regwatch::agent::syslog
