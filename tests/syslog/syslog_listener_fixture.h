// The SyslogListener tests' fixture and helpers: a listener on loopback ports the kernel
// picks, a sink that records every line, util-linux logger, raw TCP peers.
#pragma once

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

namespace regwatch::agent::syslog::testing_support {

using namespace std::chrono_literals;

inline constexpr auto kWait = 10s;  // generous: only a failing test waits this long
inline constexpr int64_t kClockUs = 1'790'000'000'123'456;

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
inline bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Runs /usr/bin/logger with `args` and returns its exit status (-1: did not run).
inline int run_logger(const std::vector<std::string>& args) {
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

inline std::vector<std::string> logger_to(const std::string& host, uint16_t port,
                                          std::vector<std::string> more) {
  std::vector<std::string> args = {"--server",           host,        "--port",
                                   std::to_string(port), "--tag",     "regwatch-test",
                                   "--priority",         "local7.err"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

inline std::vector<std::string> wire_lines() {
  std::ifstream in(std::string(REGWATCH_TEST_DATA_DIR) + "/syslog_transport/wire_lines.txt");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline SocketFd connect_tcp(uint16_t port) {
  SocketFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0)
      << std::strerror(errno);
  return fd;
}

inline void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ASSERT_GT(sent, 0) << std::strerror(errno);
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
}

// True when the peer closed `fd` (EOF or reset) within kWait.
inline bool peer_closes(int fd) {
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

inline SocketFd udp_sender() {
  return SocketFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
}

}  // namespace regwatch::agent::syslog::testing_support
