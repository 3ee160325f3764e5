#include "agent/snmp/poll_scheduler.h"

#include <algorithm>

#include "common/metrics/registry.h"
#include "common/net_address.h"

namespace regwatch::agent::snmp {

PollScheduler::PollScheduler(std::vector<std::unique_ptr<TargetPoller>> pollers, uint32_t workers,
                             EventSink sink)
    : worker_count_(std::max<uint32_t>(1, workers)), sink_(std::move(sink)) {
  add_slots(std::move(pollers));
}

void PollScheduler::add_slots(std::vector<std::unique_ptr<TargetPoller>> pollers) {
  const auto now = std::chrono::steady_clock::now();
  const size_t count = pollers.size();
  // Labelled by configured target: a bounded set, chosen by the operator.
  auto& durations = metrics::default_registry().histogram(
      "regwatch_snmp_poll_duration_seconds",
      "Time of one poll of an SNMP target (every walk and get of its role), failed ones too.",
      {"target"}, {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60});
  for (size_t i = 0; i < count; ++i) {
    const auto interval = std::chrono::seconds(pollers[i]->target().interval_s);
    // Spread the first polls over a tenth of an interval so 500 targets do not start together.
    const auto offset =
        count > 1 ? interval * static_cast<int64_t>(i) / static_cast<int64_t>(count) : interval * 0;
    auto* duration = &durations.with({pollers[i]->target().name});
    slots_.push_back(Slot{std::move(pollers[i]),
                          now + std::chrono::duration_cast<std::chrono::milliseconds>(offset) / 10,
                          false, duration});
  }
}

size_t PollScheduler::retarget(std::vector<std::unique_ptr<TargetPoller>> pollers,
                               bool keep_state) {
  std::unique_lock lock(mutex_);
  retargeting_ = true;
  // Workers hold a Slot* while they poll: the vector changes only once none does.
  wake_.wait(lock, [&] {
    return std::none_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.busy; });
  });
  std::vector<Slot> kept;
  std::vector<std::unique_ptr<TargetPoller>> fresh;
  for (auto& poller : pollers) {
    auto same = keep_state
                    ? std::find_if(slots_.begin(), slots_.end(),
                                   [&](const Slot& s) {
                                     return s.poller && s.poller->target() == poller->target();
                                   })
                    : slots_.end();
    if (same != slots_.end()) {
      kept.push_back(std::move(*same));  // its poller, schedule and duration series
    } else {
      fresh.push_back(std::move(poller));
    }
  }
  const size_t kept_count = kept.size();
  slots_ = std::move(kept);
  add_slots(std::move(fresh));
  retargeting_ = false;
  lock.unlock();
  wake_.notify_all();
  return kept_count;
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

std::vector<TargetCounts> PollScheduler::target_counts() const {
  std::lock_guard lock(mutex_);
  std::vector<TargetCounts> counts;
  for (const auto& slot : slots_) {
    counts.push_back(TargetCounts{slot.poller->target().name, slot.poller->counters().polls,
                                  slot.poller->counters().failures});
  }
  return counts;
}

std::vector<TargetDataState> PollScheduler::target_data_states() const {
  std::lock_guard lock(mutex_);
  std::vector<TargetDataState> out;
  for (const auto& slot : slots_) {
    for (auto& need : slot.poller->data_gaps().states())
      out.push_back({slot.poller->target().name, slot.poller->target().role, std::move(need)});
  }
  return out;
}

void PollScheduler::work() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (retargeting_) {
      wake_.wait(lock);
      continue;
    }
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
    const auto started = std::chrono::steady_clock::now();
    auto events = next->poller->poll_once();
    next->duration->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    for (auto& event : events) sink_(std::move(event));
    lock.lock();
    next->busy = false;
    wake_.notify_all();
  }
}

}  // namespace regwatch::agent::snmp
