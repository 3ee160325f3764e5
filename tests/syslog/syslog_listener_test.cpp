// SyslogListener on real loopback sockets, fed by util-linux logger and by raw sockets for what
// logger cannot send (half frames, bad counts, idle peers): delivery, framing, options, stop.
#include "tests/syslog/syslog_listener_fixture.h"

#include <sys/socket.h>

namespace regwatch::agent::syslog {
namespace {

using namespace std::chrono_literals;
using namespace testing_support;  // the fixture and its helpers

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
        ": address in use (another process listens there?)";  // common/bind_error.h
    EXPECT_EQ(started.error().message, expected);
  }
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
