// SignalWatcher: SIGHUP reloads and keeps watching (never kills), SIGTERM stops once.
#include "common/signals.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace regwatch {
namespace {

class Latch {
 public:
  void count() {
    std::lock_guard lock(mutex_);
    ++count_;
    changed_.notify_all();
  }
  bool wait_for(int at_least) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return count_ >= at_least; });
  }
  int value() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int count_ = 0;
};

TEST(SignalWatcherTest, HupReloadsAndKeepsWatchingThenTermStops) {
  block_daemon_signals();  // this thread and the watcher's: delivered to sigtimedwait only
  Latch reloads;
  Latch stops;
  int stop_signal = 0;
  {
    SignalWatcher watcher(
        [&](int signal) {
          stop_signal = signal;
          stops.count();
        },
        [&] { reloads.count(); });
    ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
    ASSERT_TRUE(reloads.wait_for(1));
    ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
    ASSERT_TRUE(reloads.wait_for(2));  // still watching after a reload
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    ASSERT_TRUE(stops.wait_for(1));
  }
  EXPECT_EQ(stop_signal, SIGTERM);
  EXPECT_EQ(reloads.value(), 2);
  EXPECT_EQ(stops.value(), 1);
}

TEST(SignalWatcherTest, HupWithoutAReloadIsIgnored) {
  block_daemon_signals();
  Latch stops;
  SignalWatcher watcher([&](int) { stops.count(); });
  ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);  // would end the process were it not handled
  ASSERT_EQ(::kill(::getpid(), SIGINT), 0);
  ASSERT_TRUE(stops.wait_for(1));
  EXPECT_EQ(stops.value(), 1);
}

}  // namespace
}  // namespace regwatch
