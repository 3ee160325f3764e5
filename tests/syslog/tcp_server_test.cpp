// TcpServer's connection limits (issue 17) on real loopback sockets, with the
// server's time supplied by the test: the idle and eviction rules are checked
// at exact instants, with no sleeps. Real waiting is only poll() for the
// kernel to deliver what the test sent.
#include "agent/syslog/tcp_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "agent/syslog/socket_fd.h"
#include "common/clock.h"
#include "common/logging.h"

namespace regwatch::agent::syslog {
namespace {

using namespace std::chrono_literals;

constexpr auto kWait = 10s;  // generous: only a failing test waits this long
const TcpServer::TimePoint kT0 = TcpServer::TimePoint{} + 1000h;

struct Captured {
  std::string line;
  std::string sender_ip;
  bool truncated;
};

// Connects from `source` (any 127.0.0.0/8 address is loopback on Linux).
SocketFd connect_from(const char* source, uint16_t port) {
  SocketFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  EXPECT_EQ(bind(fd.get(), reinterpret_cast<const sockaddr*>(&from), sizeof(from)), 0)
      << std::strerror(errno);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof(to)), 0)
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

// True when the server closed `fd`: EOF or reset, already or within kWait.
bool closed_by_server(int fd) {
  pollfd entry{fd, POLLIN, 0};
  if (poll(&entry, 1, static_cast<int>(std::chrono::milliseconds(kWait).count())) != 1)
    return false;
  char byte = 0;
  return recv(fd, &byte, 1, MSG_DONTWAIT) <= 0;
}

// True when the server has not closed `fd` (nothing to read, no EOF).
bool still_open(int fd) {
  pollfd entry{fd, POLLIN, 0};
  return poll(&entry, 1, 0) == 0;
}

class TcpServerTest : public ::testing::Test {
 protected:
  void open(TcpServer::Limits limits) {
    auto opened = TcpServer::open(Endpoint{"127.0.0.1", 0}, limits);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    server_.emplace(std::move(*opened));
  }

  // Runs the server's loop at fake time `now` until `done` holds (or kWait of
  // real time passes: the test then fails). Each round waits in poll() for the
  // kernel, at most 20 ms, so a condition that needs no I/O is seen at once.
  template <typename Done>
  bool serve_until(TcpServer::TimePoint now, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (true) {
      std::vector<pollfd> fds;
      server_->add_poll_fds(fds, now);
      poll(fds.data(), fds.size(), 20);
      server_->handle(fds, delivery_, now);
      if (done()) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
    }
  }
  // One round at `now` with whatever the kernel already holds.
  void serve_once(TcpServer::TimePoint now) {
    std::vector<pollfd> fds;
    server_->add_poll_fds(fds, now);
    poll(fds.data(), fds.size(), 0);
    server_->handle(fds, delivery_, now);
  }
  SocketFd accept_at(TcpServer::TimePoint now, const char* source = "127.0.0.1") {
    const uint64_t before =
        counters_.tcp_connections + counters_.rejected_connections + counters_.rejected_per_source;
    SocketFd client = connect_from(source, server_->port());
    EXPECT_TRUE(serve_until(now, [&] {
      return counters_.tcp_connections + counters_.rejected_connections +
                 counters_.rejected_per_source >
             before;
    }));
    return client;
  }
  void send_at(TcpServer::TimePoint now, int fd, std::string_view bytes) {
    const uint64_t before = counters_.bytes;
    send_all(fd, bytes);
    EXPECT_TRUE(serve_until(now, [&] { return counters_.bytes >= before + bytes.size(); }));
  }

  ManualClock clock_{1'790'000'000'000'000};
  ListenerCounters counters_;
  RateLimitedLog anomaly_log_;
  std::vector<Captured> lines_;
  LineSink sink_ = [this](const ReceivedLine& r) {
    lines_.push_back({std::string(r.line), std::string(r.sender_ip), r.truncated});
  };
  LineDelivery delivery_{sink_, clock_, counters_, *component_logger("test.tcp"), anomaly_log_};
  std::optional<TcpServer> server_;
};

TEST_F(TcpServerTest, SilentConnectionIsClosedAtTheFirstLineTimeoutNotTheIdleOne) {
  open({.max_connections = 8,
        .max_connections_per_source = 0,
        .idle_timeout = 600s,
        .first_line_timeout = 10s});
  SocketFd silent = accept_at(kT0);
  SocketFd talker = accept_at(kT0);
  send_at(kT0, talker.get(), "<13>a complete line\n");
  serve_once(kT0 + 10s - 1ms);
  EXPECT_TRUE(still_open(silent.get()));
  EXPECT_EQ(counters_.idle_closed, 0u);
  serve_once(kT0 + 10s);
  EXPECT_TRUE(closed_by_server(silent.get()));
  EXPECT_EQ(counters_.first_line_timeouts, 1u);
  EXPECT_EQ(counters_.idle_closed, 1u);
  // The talker is held to the long timeout.
  serve_once(kT0 + 600s - 1ms);
  EXPECT_TRUE(still_open(talker.get()));
  EXPECT_EQ(server_->open_connections(), 1u);
  serve_once(kT0 + 600s);
  EXPECT_TRUE(closed_by_server(talker.get()));
  EXPECT_EQ(counters_.idle_closed, 2u);
  EXPECT_EQ(counters_.first_line_timeouts, 1u);
}

TEST_F(TcpServerTest, PollTimeoutWakesForTheFirstLineDeadline) {
  open({.max_connections = 8,
        .max_connections_per_source = 0,
        .idle_timeout = 600s,
        .first_line_timeout = 10s});
  SocketFd silent = accept_at(kT0);
  EXPECT_EQ(server_->poll_timeout_ms(kT0 + 4s), 6000);
}

TEST_F(TcpServerTest, ASourceAtItsLimitIsRefusedWhileOthersAreServed) {
  open({.max_connections = 8,
        .max_connections_per_source = 2,
        .idle_timeout = 600s,
        .first_line_timeout = 10s});
  SocketFd first = accept_at(kT0);
  SocketFd second = accept_at(kT0);
  SocketFd third = accept_at(kT0);
  EXPECT_TRUE(closed_by_server(third.get()));
  EXPECT_EQ(counters_.rejected_per_source, 1u);
  SocketFd other_source = accept_at(kT0, "127.0.0.2");
  EXPECT_EQ(counters_.rejected_per_source, 1u);
  EXPECT_EQ(server_->open_connections(), 3u);
  send_at(kT0, other_source.get(), "<13>from the other source\n");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].sender_ip, "127.0.0.2");
  // A slot freed by a close is available to the same source again.
  first.reset();
  EXPECT_TRUE(serve_until(kT0, [&] { return server_->open_connections() == 2; }));
  SocketFd again = accept_at(kT0);
  EXPECT_TRUE(still_open(again.get()));
  EXPECT_EQ(counters_.rejected_per_source, 1u);
  EXPECT_EQ(counters_.tcp_connections, 4u);
}

TEST_F(TcpServerTest, FullTableEvictsTheLongestIdlePreferringThoseWithoutALine) {
  open({.max_connections = 3,
        .max_connections_per_source = 0,
        .idle_timeout = 600s,
        .first_line_timeout = 300s});
  SocketFd talker = accept_at(kT0);
  send_at(kT0, talker.get(), "<13>a complete line\n");
  SocketFd silent = accept_at(kT0 + 1s);
  SocketFd half = accept_at(kT0 + 2s);
  send_at(kT0 + 2s, half.get(), "<13>half a line");
  ASSERT_EQ(lines_.size(), 1u);

  // Full; everyone quiet for over kEvictionQuietPeriod: the silent one (never a
  // line, oldest activity) goes, not the older talker.
  SocketFd fourth = accept_at(kT0 + 20s, "127.0.0.2");
  EXPECT_TRUE(closed_by_server(silent.get()));
  EXPECT_EQ(counters_.evicted_idle, 1u);
  EXPECT_EQ(counters_.rejected_connections, 0u);
  EXPECT_TRUE(still_open(fourth.get()));

  // Next: the half-line one; its partial frame is delivered flagged truncated.
  SocketFd fifth = accept_at(kT0 + 21s, "127.0.0.2");
  EXPECT_TRUE(closed_by_server(half.get()));
  EXPECT_EQ(counters_.evicted_idle, 2u);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(lines_[1].line, "<13>half a line");
  EXPECT_TRUE(lines_[1].truncated);

  // Next: the fourth (never sent a byte), although the talker is idle longer.
  SocketFd sixth = accept_at(kT0 + 22s, "127.0.0.2");
  EXPECT_TRUE(closed_by_server(fourth.get()));
  EXPECT_TRUE(still_open(talker.get()));
  EXPECT_EQ(counters_.evicted_idle, 3u);
  EXPECT_EQ(server_->open_connections(), 3u);
  EXPECT_EQ(counters_.tcp_open_connections, 3u);
}

TEST_F(TcpServerTest, FullTableOfRecentTalkersRefusesTheNewConnection) {
  open({.max_connections = 2,
        .max_connections_per_source = 0,
        .idle_timeout = 600s,
        .first_line_timeout = 10s});
  SocketFd a = accept_at(kT0);
  SocketFd b = accept_at(kT0);
  send_at(kT0 + 1s, a.get(), "<13>a\n");
  send_at(kT0 + 1s, b.get(), "<13>b");
  const auto quiet_ends = kT0 + 1s + kEvictionQuietPeriod;
  SocketFd refused = accept_at(quiet_ends - 1ms);
  EXPECT_TRUE(closed_by_server(refused.get()));
  EXPECT_EQ(counters_.rejected_connections, 1u);
  EXPECT_EQ(counters_.evicted_idle, 0u);
  EXPECT_TRUE(still_open(a.get()));
  EXPECT_TRUE(still_open(b.get()));
  // Once the quiet period is over, the one without a complete line gives way.
  SocketFd admitted = accept_at(quiet_ends);
  EXPECT_TRUE(closed_by_server(b.get()));
  EXPECT_TRUE(still_open(admitted.get()));
  EXPECT_EQ(counters_.evicted_idle, 1u);
}

}  // namespace
}  // namespace regwatch::agent::syslog
