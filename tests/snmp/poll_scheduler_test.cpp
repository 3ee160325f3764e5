// Pollers and the scheduler against snmpsim: a dead target, one that lies about
// types and one with a 100,000-row table cost bounded time, are counted, and do
// not stop a healthy target from being polled on time.
#include "agent/snmp/poll_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <sstream>

#include "snmp_peers.h"

namespace regwatch::agent::snmp {
namespace {

namespace fs = std::filesystem;

PollTarget target(const std::string& name, const std::string& address,
                  const std::string& community) {
  PollTarget t;
  t.name = name;
  t.role = "server";
  t.interval_s = 1;
  t.snmp.address = address;
  t.snmp.community = community;
  t.snmp.timeout = std::chrono::milliseconds(300);
  t.snmp.retries = 0;
  t.snmp.max_rows = 2000;
  t.snmp.bulk_repetitions = 50;
  return t;
}

TEST(PollScheduler, BadTargetsAreBoundedCountedAndDoNotDelayTheOthers) {
  char templ[] = "/tmp/regwatch-sched-XXXXXX";
  const fs::path dir = mkdtemp(templ);
  auto sim = std::make_unique<testing::SnmpSim>(dir / "sim");
  sim->record("good",
              "1.3.6.1.2.1.1.3.0|67|100\n1.3.6.1.2.1.25.3.3.1.2.1|2|35\n"
              "1.3.6.1.2.1.31.1.1.1.1.1|4|Gi1/0/1\n1.3.6.1.2.1.2.2.1.14.1|65|5\n");
  // hrProcessorLoad as text, ifInErrors as an INTEGER: nothing of it may be trusted.
  sim->record("liar",
              "1.3.6.1.2.1.1.3.0|67|100\n1.3.6.1.2.1.25.3.3.1.2.1|4|ninety\n"
              "1.3.6.1.2.1.25.3.3.1.2.2|2|250\n1.3.6.1.2.1.31.1.1.1.1.1|4|Gi1/0/1\n"
              "1.3.6.1.2.1.2.2.1.14.1|2|-7\n");
  std::ostringstream big;
  big << "1.3.6.1.2.1.1.3.0|67|100\n1.3.6.1.2.1.25.3.3.1.2.1|2|10\n";
  for (int i = 1; i <= 100000; ++i) big << "1.3.6.1.2.1.31.1.1.1.1." << i << "|4|port" << i << "\n";
  sim->record("huge", big.str());
  sim->start();
  ASSERT_TRUE(sim->wait_ready("good"));

  std::vector<std::unique_ptr<TargetPoller>> pollers;
  const ThresholdSettings cpu{90, 5, 60'000'000};
  for (auto [name, community] : {std::pair{"good", "good"}, {"liar", "liar"}, {"huge", "huge"}}) {
    pollers.push_back(std::make_unique<TargetPoller>(target(name, sim->address(), community), cpu,
                                                     InterfaceSettings{10},
                                                     SystemClock::instance()));
  }
  pollers.push_back(std::make_unique<TargetPoller>(target("dead", "127.0.0.1:9", "x"), cpu,
                                                   InterfaceSettings{10}, SystemClock::instance()));
  std::vector<TargetPoller*> view;
  for (auto& p : pollers) view.push_back(p.get());

  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::map<v1::EventKind, int>> seen;
  PollScheduler scheduler(std::move(pollers), 3, [&](v1::Event e) {
    std::lock_guard lock(mutex);
    seen[e.origin()][e.kind()]++;
    changed.notify_all();
  });
  const auto start = std::chrono::steady_clock::now();
  scheduler.start();
  {
    // Until the healthy target has had 4 rounds (bounded wait).
    std::unique_lock lock(mutex);
    changed.wait_for(lock, std::chrono::seconds(30),
                     [&] { return seen["good"][v1::CPU_SAMPLE] >= 4; });
  }
  scheduler.stop();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::lock_guard lock(mutex);
  EXPECT_GE(seen["good"][v1::CPU_SAMPLE], 4);
  EXPECT_LT(seconds, 10.0);  // four 1 s rounds, not held up by the dead or the huge target
  EXPECT_EQ(seen["dead"][v1::SNMP_POLL_FAILED], 1);  // reported once, counted every time
  EXPECT_GE(view[3]->counters().failures.load(), 2u);
  EXPECT_GE(view[1]->counters().wrong_type.load(), 2u);  // text CPU, 250 %, INTEGER counter
  EXPECT_EQ(seen["liar"][v1::CPU_HIGH], 0);
  EXPECT_GE(view[2]->counters().truncated_walks.load(), 1u);  // capped at max_rows
  sim.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace regwatch::agent::snmp
