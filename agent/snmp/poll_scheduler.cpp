#include "agent/snmp/poll_scheduler.h"

#include <algorithm>

#include "common/net_address.h"

namespace regwatch::agent::snmp {

PollScheduler::PollScheduler(std::vector<std::unique_ptr<TargetPoller>> pollers, uint32_t workers,
                             EventSink sink)
    : worker_count_(std::max<uint32_t>(1, workers)), sink_(std::move(sink)) {
  const auto now = std::chrono::steady_clock::now();
  const size_t count = pollers.size();
  for (size_t i = 0; i < count; ++i) {
    const auto interval = std::chrono::seconds(pollers[i]->target().interval_s);
    // Spread the first polls over a tenth of an interval so 500 targets do not start together.
    const auto offset =
        count > 1 ? interval * static_cast<int64_t>(i) / static_cast<int64_t>(count) : interval * 0;
    slots_.push_back(
        Slot{std::move(pollers[i]),
             now + std::chrono::duration_cast<std::chrono::milliseconds>(offset) / 10});
  }
}

PollScheduler::~PollScheduler() {
  stop();
}

void PollScheduler::start() {
  for (uint32_t i = 0; i < worker_count_; ++i) workers_.emplace_back([this] { work(); });
}

void PollScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
}

size_t PollScheduler::poll_soon(const std::string& host) {
  size_t matched = 0;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (auto& slot : slots_) {
      auto endpoint = parse_endpoint(slot.poller->target().snmp.address);
      if (!endpoint.ok() || endpoint->host != host) continue;
      // The regular schedule resumes from now: no double poll right after this one.
      if (slot.due > now) slot.due = now;
      ++matched;
    }
  }
  wake_.notify_all();
  return matched;
}

SchedulerStats PollScheduler::stats() const {
  std::lock_guard lock(mutex_);
  SchedulerStats stats;
  stats.late = late_;
  for (const auto& slot : slots_) {
    stats.polls += slot.poller->counters().polls;
    stats.failures += slot.poller->counters().failures;
    stats.wrong_type += slot.poller->counters().wrong_type;
  }
  return stats;
}

void PollScheduler::work() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    Slot* next = nullptr;
    for (auto& slot : slots_) {
      if (!slot.busy && (!next || slot.due < next->due)) next = &slot;
    }
    if (!next) {
      wake_.wait(lock);
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    if (next->due > now) {
      wake_.wait_until(lock, next->due);
      continue;  // re-pick: another worker may have taken it, or we are stopping
    }
    const auto interval = std::chrono::seconds(next->poller->target().interval_s);
    if (now - next->due > interval / 2) ++late_;
    next->busy = true;
    next->due += interval;
    if (next->due < now) next->due = now + interval;  // far behind: skip missed rounds
    lock.unlock();
    auto events = next->poller->poll_once();
    for (auto& event : events) sink_(std::move(event));
    lock.lock();
    next->busy = false;
    wake_.notify_all();
  }
}

}  // namespace regwatch::agent::snmp
