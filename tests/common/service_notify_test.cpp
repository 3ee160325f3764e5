// sd_notify through libsystemd to a real AF_UNIX datagram socket standing in for systemd's
// NOTIFY_SOCKET, made in a temp dir.
#include "common/service_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

namespace regwatch::service {
namespace {

class ServiceNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/regwatch-notify-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    socket_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(socket_, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = (dir_ / "notify").string();
    ASSERT_LT(path.size(), sizeof address.sun_path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    ASSERT_EQ(bind(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    close(socket_);
    std::filesystem::remove_all(dir_);
  }
  // The next datagram, or nullopt when none arrives within `wait`.
  std::optional<std::string> receive(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    pollfd ready{socket_, POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
    char buffer[4096];
    const ssize_t n = recv(socket_, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
  }
  void drain() {
    while (receive(std::chrono::milliseconds(0))) {
    }
  }

  std::filesystem::path dir_;
  int socket_ = -1;
};

TEST_F(ServiceNotifyTest, ReadyStoppingStatusAndReloadingArrive) {
  notify_ready();
  EXPECT_EQ(receive(), "READY=1");
  notify_status("listening on 127.0.0.1:5514");
  EXPECT_EQ(receive(), "STATUS=listening on 127.0.0.1:5514");
  notify_reloading();
  const auto reloading = receive();
  ASSERT_TRUE(reloading);
  EXPECT_EQ(reloading->rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << *reloading;
  EXPECT_GT(std::stoull(reloading->substr(reloading->find('=', 12) + 1)), 0u);
  notify_stopping();
  EXPECT_EQ(receive(), "STOPPING=1");
}

TEST_F(ServiceNotifyTest, NothingHappensWithoutNotifySocket) {
  unsetenv("NOTIFY_SOCKET");
  notify_ready();
  notify_stopping();
  EXPECT_FALSE(receive(std::chrono::milliseconds(50)));
}

TEST_F(ServiceNotifyTest, WatchdogOffUnlessSystemdAskedForIt) {
  WatchdogPinger not_asked;
  EXPECT_FALSE(not_asked.active());
  // Asked for another process (a child that inherited the environment): not ours to ping.
  setenv("WATCHDOG_USEC", "200000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  WatchdogPinger other_pid;
  EXPECT_FALSE(other_pid.active());
}

TEST_F(ServiceNotifyTest, WatchdogPingsAtHalfTheIntervalUntilUnhealthy) {
  setenv("WATCHDOG_USEC", "200000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  std::atomic<bool> healthy{true};
  std::atomic<int> asked{0};
  const auto wait_for_asks = [&](int count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (asked.load() < count && std::chrono::steady_clock::now() < deadline)
      receive(std::chrono::milliseconds(20));  // consumes pings while waiting
    return asked.load() >= count;
  };
  {
    WatchdogPinger pinger([&] {
      ++asked;
      return healthy.load();
    });
    ASSERT_TRUE(pinger.active());
    EXPECT_EQ(pinger.period(), std::chrono::microseconds(100000));
    EXPECT_EQ(receive(), "WATCHDOG=1");
    EXPECT_EQ(receive(), "WATCHDOG=1");

    healthy = false;
    // After two more asks, any ping decided before the switch has been sent: drain it, then
    // two asks later nothing may have arrived.
    const int after_switch = asked.load();
    ASSERT_TRUE(wait_for_asks(after_switch + 2));
    drain();
    const int drained_at = asked.load();
    ASSERT_TRUE(wait_for_asks(drained_at + 2));
    EXPECT_FALSE(receive(std::chrono::milliseconds(0)));

    healthy = true;
    EXPECT_EQ(receive(), "WATCHDOG=1");
  }
  // Destroyed: no more asks.
  const int at_destruction = asked.load();
  EXPECT_FALSE(receive(std::chrono::milliseconds(300)));
  EXPECT_EQ(asked.load(), at_destruction);
}

}  // namespace
}  // namespace regwatch::service
