// SyslogListener on real loopback sockets, fed by util-linux logger and by raw
// sockets for what logger cannot send (half frames, bad counts, idle peers).
#include "agent/syslog/syslog_listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/syslog/socket_fd.h"
#include "agent/syslog/stream_framer.h"

extern char** environ;

namespace regwatch::agent::syslog {
namespace {

using namespace std::chrono_literals;

constexpr auto kWait = 10s;  // generous: only a failing test waits this long
constexpr int64_t kClockUs = 1'790'000'000'123'456;

struct Captured {
  std::string line;
  std::string sender_ip;
  int64_t receive_time_us;
  bool truncated;
};

// The sink under test: records every line and wakes waiters.
class LineCollector {
 public:
  LineSink sink() {
    return [this](const ReceivedLine& received) {
      std::lock_guard lock(mutex_);
      lines_.push_back({std::string(received.line), std::string(received.sender_ip),
                        received.receive_time_us, received.truncated});
      arrived_.notify_all();
    };
  }
  // The first `count` lines, once they arrived; fails the test on timeout.
  std::vector<Captured> wait_for(size_t count) {
    std::unique_lock lock(mutex_);
    const bool arrived = arrived_.wait_for(lock, kWait, [&] { return lines_.size() >= count; });
    EXPECT_TRUE(arrived) << "got " << lines_.size() << " of " << count << " lines";
    return lines_;
  }
  size_t size() {
    std::lock_guard lock(mutex_);
    return lines_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Captured> lines_;
};

// Polls `condition` until it holds or kWait passes.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Runs /usr/bin/logger with `args` and returns its exit status (-1: did not run).
int run_logger(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string program = "/usr/bin/logger";
  argv.push_back(program.data());
  std::vector<std::string> copies = args;
  for (auto& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::vector<std::string> logger_to(const std::string& host, uint16_t port,
                                   std::vector<std::string> more) {
  std::vector<std::string> args = {"--server",           host,        "--port",
                                   std::to_string(port), "--tag",     "regwatch-test",
                                   "--priority",         "local7.err"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> wire_lines() {
  std::ifstream in(std::string(REGWATCH_TEST_DATA_DIR) + "/syslog_transport/wire_lines.txt");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

SocketFd connect_tcp(uint16_t port) {
  SocketFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0)
      << std::strerror(errno);
  return fd;
}

void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ASSERT_GT(sent, 0) << std::strerror(errno);
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
}

// True when the peer closed `fd` (EOF or reset) within kWait.
bool peer_closes(int fd) {
  pollfd entry{fd, POLLIN, 0};
  if (poll(&entry, 1, static_cast<int>(std::chrono::milliseconds(kWait).count())) != 1)
    return false;
  char byte = 0;
  return recv(fd, &byte, 1, 0) <= 0;
}

class SyslogListenerTest : public ::testing::Test {
 protected:
  SyslogListenerTest() {
    options_.udp = Endpoint{"127.0.0.1", 0};
    options_.tcp = Endpoint{"127.0.0.1", 0};
  }

  SyslogListener& start() {
    listener_ = std::make_unique<SyslogListener>(options_, collector_.sink(), clock_);
    auto started = listener_->start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    return *listener_;
  }

  ManualClock clock_{kClockUs};
  ListenerOptions options_;
  LineCollector collector_;
  std::unique_ptr<SyslogListener> listener_;
};

TEST_F(SyslogListenerTest, UdpLineFromLoggerArrivesIntact) {
  auto& listener = start();
  const std::string message = wire_lines()[2].substr(5);  // the CUCM alarm, without PRI
  ASSERT_EQ(
      run_logger(logger_to("127.0.0.1", listener.udp_port(), {"--udp", "--rfc3164", message})), 0);
  const auto lines = collector_.wait_for(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].line.starts_with("<187>")) << lines[0].line;  // local7.err
  EXPECT_TRUE(lines[0].line.ends_with(" regwatch-test: " + message)) << lines[0].line;
  EXPECT_EQ(lines[0].sender_ip, "127.0.0.1");
  EXPECT_EQ(lines[0].receive_time_us, kClockUs);
  EXPECT_FALSE(lines[0].truncated);
  const auto stats = listener.stats();
  EXPECT_EQ(stats.udp_datagrams, 1u);
  EXPECT_EQ(stats.frames, 1u);
  EXPECT_EQ(stats.bytes, lines[0].line.size());  // logger sends no terminator over UDP
}

TEST_F(SyslogListenerTest, UdpRfc5424FromLoggerArrivesIntact) {
  auto& listener = start();
  const std::string message = wire_lines()[0].substr(5);
  ASSERT_EQ(
      run_logger(logger_to("127.0.0.1", listener.udp_port(), {"--udp", "--rfc5424", message})), 0);
  const auto lines = collector_.wait_for(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].line.starts_with("<187>1 ")) << lines[0].line;
  EXPECT_TRUE(lines[0].line.ends_with("] " + message)) << lines[0].line;
}

TEST_F(SyslogListenerTest, TcpLfFramedLineFromLoggerArrivesIntact) {
  auto& listener = start();
  const std::string message = wire_lines()[1].substr(5);
  ASSERT_EQ(
      run_logger(logger_to("127.0.0.1", listener.tcp_port(), {"--tcp", "--rfc3164", message})), 0);
  const auto lines = collector_.wait_for(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].line.ends_with(" regwatch-test: " + message)) << lines[0].line;
  EXPECT_FALSE(lines[0].truncated);
  EXPECT_EQ(lines[0].sender_ip, "127.0.0.1");
  EXPECT_TRUE(eventually([&] { return listener.stats().tcp_open_connections == 0; }));
  EXPECT_EQ(listener.stats().tcp_connections, 1u);
  EXPECT_EQ(listener.stats().truncated, 0u);
}

TEST_F(SyslogListenerTest, ManyOctetCountedLinesOverOneTcpConnection) {
  auto& listener = start();
  const auto samples = wire_lines();
  const std::string file = testing::TempDir() + "/regwatch_listener_many_lines.txt";
  std::vector<std::string> messages;
  {
    std::ofstream out(file);
    for (size_t i = 0; i < 1000; ++i) {
      messages.push_back(samples[i % samples.size()].substr(5) + " #" + std::to_string(i));
      out << messages.back() << "\n";
    }
  }
  ASSERT_EQ(run_logger(logger_to("127.0.0.1", listener.tcp_port(),
                                 {"--tcp", "--octet-count", "--rfc5424", "-f", file})),
            0);
  const auto lines = collector_.wait_for(messages.size());
  ASSERT_EQ(lines.size(), messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    ASSERT_TRUE(lines[i].line.ends_with("] " + messages[i])) << i << ": " << lines[i].line;
    ASSERT_FALSE(lines[i].truncated) << i;
  }
  EXPECT_EQ(listener.stats().tcp_connections, 1u);
  EXPECT_EQ(listener.stats().bad_framing, 0u);
  std::remove(file.c_str());
}

TEST_F(SyslogListenerTest, Ipv6LoopbackOverUdpAndTcp) {
  options_.udp = Endpoint{"::1", 0};
  options_.tcp = Endpoint{"::1", 0};
  auto& listener = start();
  ASSERT_EQ(run_logger(logger_to("::1", listener.udp_port(), {"--udp", "--rfc3164", "over udp6"})),
            0);
  collector_.wait_for(1);
  ASSERT_EQ(run_logger(logger_to("::1", listener.tcp_port(), {"--tcp", "--rfc3164", "over tcp6"})),
            0);
  const auto lines = collector_.wait_for(2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].line.ends_with(": over udp6"));
  EXPECT_TRUE(lines[1].line.ends_with(": over tcp6"));
  EXPECT_EQ(lines[0].sender_ip, "::1");
  EXPECT_EQ(lines[1].sender_ip, "::1");
}

TEST_F(SyslogListenerTest, LargestPossibleDatagramArrivesWhole) {
  // 65507 bytes is the most an IPv4 datagram carries; below kMaxDatagramBytes.
  auto& listener = start();
  const std::string message = "<13>" + std::string(65507 - 4, 'd');
  SocketFd sender(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(listener.udp_port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(sendto(sender.get(), message.data(), message.size(), 0,
                   reinterpret_cast<const sockaddr*>(&address), sizeof(address)),
            static_cast<ssize_t>(message.size()))
      << std::strerror(errno);
  const auto lines = collector_.wait_for(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].line, message);
  EXPECT_FALSE(lines[0].truncated);
}

TEST_F(SyslogListenerTest, OversizedTcpLineIsCutFlaggedAndTheNextOneIsWhole) {
  auto& listener = start();
  const std::string file = testing::TempDir() + "/regwatch_listener_big_line.txt";
  {
    std::ofstream out(file);
    out << std::string(kMaxFrameBytes + 10'000, 'b') << "\n" << wire_lines()[0].substr(5) << "\n";
  }
  ASSERT_EQ(run_logger(
                logger_to("127.0.0.1", listener.tcp_port(),
                          {"--tcp", "--octet-count", "--rfc3164", "--size", "100000", "-f", file})),
            0);
  const auto lines = collector_.wait_for(2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].line.size(), kMaxFrameBytes);
  EXPECT_TRUE(lines[0].truncated);
  EXPECT_TRUE(lines[1].line.ends_with(": " + wire_lines()[0].substr(5)));
  EXPECT_FALSE(lines[1].truncated);
  EXPECT_EQ(listener.stats().truncated, 1u);
  std::remove(file.c_str());
}

TEST_F(SyslogListenerTest, ConnectionClosedMidFrameDeliversTheHalfFrameTruncated) {
  auto& listener = start();
  {
    SocketFd client = connect_tcp(listener.tcp_port());
    send_all(client.get(), "13 <13>complete:200 <13>only the first part");
  }
  const auto lines = collector_.wait_for(2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].line, "<13>complete:");
  EXPECT_FALSE(lines[0].truncated);
  EXPECT_EQ(lines[1].line, "<13>only the first part");
  EXPECT_TRUE(lines[1].truncated);
  EXPECT_EQ(listener.stats().truncated, 1u);
}

TEST_F(SyslogListenerTest, BadOctetCountIsCountedAndTheStreamRecovers) {
  auto& listener = start();
  SocketFd client = connect_tcp(listener.tcp_port());
  send_all(client.get(), "99999999 <13>junk\n<13>good\n");
  const auto lines = collector_.wait_for(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].line, "<13>good");
  EXPECT_EQ(listener.stats().bad_framing, 1u);
}

TEST_F(SyslogListenerTest, TakenPortIsAClearError) {
  auto& first = start();
  for (const bool udp : {true, false}) {
    ListenerOptions clash;
    if (udp) clash.udp = Endpoint{"127.0.0.1", first.udp_port()};
    if (!udp) clash.tcp = Endpoint{"127.0.0.1", first.tcp_port()};
    SyslogListener second(clash, collector_.sink(), clock_);
    auto started = second.start();
    ASSERT_FALSE(started.ok());
    const std::string expected =
        std::string("cannot listen for syslog on ") + (udp ? "udp" : "tcp") +
        " 127.0.0.1:" + std::to_string(udp ? first.udp_port() : first.tcp_port()) +
        ": Address already in use";
    EXPECT_EQ(started.error().message, expected);
  }
}

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

TEST_F(SyslogListenerTest, StopIsPromptAndKeepsWhatArrived) {
  auto& listener = start();
  SocketFd client = connect_tcp(listener.tcp_port());
  const std::string pending = "<13>no terminator yet";
  send_all(client.get(), pending);
  ASSERT_TRUE(eventually([&] { return listener.stats().bytes == pending.size(); }));
  const auto before = std::chrono::steady_clock::now();
  listener.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  ASSERT_EQ(collector_.size(), 1u);
  const auto lines = collector_.wait_for(1);
  EXPECT_EQ(lines[0].line, pending);
  EXPECT_TRUE(lines[0].truncated);
  EXPECT_TRUE(peer_closes(client.get()));
  listener.stop();  // idempotent
}

TEST_F(SyslogListenerTest, DestructorStopsAListenerThatIsStillRunning) {
  auto& listener = start();
  SocketFd client = connect_tcp(listener.tcp_port());
  ASSERT_TRUE(eventually([&] { return listener.stats().tcp_open_connections == 1; }));
  listener_.reset();
  EXPECT_TRUE(peer_closes(client.get()));
}

TEST_F(SyslogListenerTest, UdpOnlyListenerHasNoTcpPort) {
  options_.tcp.reset();
  auto& listener = start();
  EXPECT_NE(listener.udp_port(), 0);
  EXPECT_EQ(listener.tcp_port(), 0);
}

SocketFd udp_sender() {
  return SocketFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
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

TEST_F(SyslogListenerTest, BadOptionsAreRejectedBeforeAnySocketOpens) {
  for (const uint32_t limit : {0u, kMaxTcpConnectionsLimit + 1}) {
    ListenerOptions options;
    options.tcp = Endpoint{"127.0.0.1", 0};
    options.max_tcp_connections = limit;
    SyslogListener listener(options, collector_.sink(), clock_);
    auto started = listener.start();
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, "bad_listener_options");
  }
  ListenerOptions at_limit;
  at_limit.tcp = Endpoint{"127.0.0.1", 0};
  at_limit.max_tcp_connections = kMaxTcpConnectionsLimit;
  SyslogListener accepted(at_limit, collector_.sink(), clock_);
  EXPECT_TRUE(accepted.start().ok());

  ListenerOptions no_idle;
  no_idle.tcp = Endpoint{"127.0.0.1", 0};
  no_idle.tcp_idle_timeout = 0ms;
  SyslogListener idle_listener(no_idle, collector_.sink(), clock_);
  auto started = idle_listener.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, "bad_listener_options");

  ListenerOptions too_many_per_source;
  too_many_per_source.tcp = Endpoint{"127.0.0.1", 0};
  too_many_per_source.max_tcp_connections_per_source = kMaxTcpConnectionsLimit + 1;
  SyslogListener per_source_listener(too_many_per_source, collector_.sink(), clock_);
  auto per_source_started = per_source_listener.start();
  ASSERT_FALSE(per_source_started.ok());
  EXPECT_EQ(per_source_started.error().code, "bad_listener_options");

  ListenerOptions no_first_line;
  no_first_line.tcp = Endpoint{"127.0.0.1", 0};
  no_first_line.tcp_first_line_timeout = 0ms;
  SyslogListener first_line_listener(no_first_line, collector_.sink(), clock_);
  auto first_line_started = first_line_listener.start();
  ASSERT_FALSE(first_line_started.ok());
  EXPECT_EQ(first_line_started.error().code, "bad_listener_options");

  ListenerOptions tiny_buffer;
  tiny_buffer.udp = Endpoint{"127.0.0.1", 0};
  tiny_buffer.udp_receive_buffer_bytes = kMinUdpReceiveBufferBytes - 1;
  SyslogListener tiny_listener(tiny_buffer, collector_.sink(), clock_);
  auto refused = tiny_listener.start();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "bad_listener_options");

  for (const auto& [datagrams, bytes] :
       {std::pair<size_t, size_t>{0, kMinUdpQueueBytes}, {1, kMinUdpQueueBytes - 1}}) {
    ListenerOptions no_queue;
    no_queue.udp = Endpoint{"127.0.0.1", 0};
    no_queue.udp_queue_max_datagrams = datagrams;
    no_queue.udp_queue_max_bytes = bytes;
    SyslogListener no_queue_listener(no_queue, collector_.sink(), clock_);
    auto rejected = no_queue_listener.start();
    ASSERT_FALSE(rejected.ok());
    EXPECT_EQ(rejected.error().code, "bad_listener_options");
  }
}

TEST_F(SyslogListenerTest, StartingTwiceIsAnError) {
  auto& listener = start();
  auto again = listener.start();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "already_started");
}

}  // namespace
}  // namespace regwatch::agent::syslog
