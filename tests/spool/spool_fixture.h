// The spool tests' fixture: a spool in a fresh temp directory with a manual clock.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "agent/spool/spool.h"
#include "common/clock.h"

namespace regwatch::agent::spool::testing_support {

namespace fs = std::filesystem;

inline v1::Event line_event(int i) {
  v1::Event e;
  e.set_event_time_us(1000 + i);
  e.set_kind(v1::SYSLOG_OTHER);
  e.set_raw("line " + std::to_string(i) + std::string(200, 'x'));
  return e;
}

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-spool-XXXXXX";
    dir_ = mkdtemp(templ);
  }
  void TearDown() override { fs::remove_all(dir_); }
  SpoolOptions options(uint64_t max_bytes = 64 << 20, DropPolicy policy = DropPolicy::kDropOldest) {
    SpoolOptions o;
    o.dir = dir_ / "spool";
    o.max_bytes = max_bytes;
    o.segment_bytes = 16 << 10;
    o.policy = policy;
    o.fsync_interval = std::chrono::milliseconds(0);
    return o;
  }
  std::unique_ptr<Spool> open(const SpoolOptions& o) {
    auto spool = Spool::open(o, "agent-1", clock_);
    EXPECT_TRUE(spool.ok()) << (spool.ok() ? "" : spool.error().message);
    return std::move(spool).value();
  }
  size_t segment_files() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_ / "spool"))
      n += e.path().extension() == ".log";
    return n;
  }
  ManualClock clock_{1'700'000'000'000'000};
  fs::path dir_;
};

}  // namespace regwatch::agent::spool::testing_support
