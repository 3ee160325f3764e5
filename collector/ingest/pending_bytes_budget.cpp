#include "collector/ingest/pending_bytes_budget.h"

#include <algorithm>
#include <vector>

#include "common/metrics/registry.h"

namespace regwatch::collector::ingest {

PendingBytesBudget::PendingBytesBudget(uint64_t limit_bytes)
    : limit_(limit_bytes),
      pending_gauge_(metrics::default_registry()
                         .gauge("regwatch_ingest_pending_bytes",
                                "Bytes of batches read from agents and not yet committed.")
                         .with({})),
      waits_counter_(metrics::default_registry()
                         .counter("regwatch_ingest_budget_waits_total",
                                  "Reads from agents put off because uncommitted batches had "
                                  "reached ingest.pending_bytes_budget (backpressure, not loss).")
                         .with({})) {
  metrics::default_registry()
      .gauge("regwatch_ingest_pending_bytes_limit",
             "ingest.pending_bytes_budget: the bytes of uncommitted batches above which reads "
             "from agents wait.")
      .with({})
      .set(static_cast<double>(limit_bytes));
}

bool PendingBytesBudget::wait_or_admit(std::function<void()> wake, Ticket& ticket) {
  std::lock_guard lock(mutex_);
  if (stats_.pending_bytes < limit_) return true;
  ++stats_.waits;
  waits_counter_.inc();
  ticket = next_ticket_++;
  waiters_.emplace(ticket, std::move(wake));
  return false;
}

bool PendingBytesBudget::cancel(Ticket ticket) {
  std::lock_guard lock(mutex_);
  return waiters_.erase(ticket) == 1;
}

void PendingBytesBudget::charge(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  stats_.pending_bytes += bytes;
  stats_.peak_pending_bytes = std::max(stats_.peak_pending_bytes, stats_.pending_bytes);
  pending_gauge_.set(static_cast<double>(stats_.pending_bytes));
}

void PendingBytesBudget::release(uint64_t bytes) {
  std::vector<std::function<void()>> wakes;
  {
    std::lock_guard lock(mutex_);
    stats_.pending_bytes -= std::min(bytes, stats_.pending_bytes);
    pending_gauge_.set(static_cast<double>(stats_.pending_bytes));
    if (stats_.pending_bytes >= limit_) return;
    for (auto& [ticket, wake] : waiters_) wakes.push_back(std::move(wake));
    waiters_.clear();
  }
  for (auto& wake : wakes) wake();
}

PendingBytesStats PendingBytesBudget::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace regwatch::collector::ingest
