#include "agent/syslog/datagram_queue.h"

#include <algorithm>
#include <utility>

namespace regwatch::agent::syslog {

size_t DatagramQueue::push(std::vector<Datagram>& batch) {
  size_t accepted = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& datagram : batch) {
      const size_t bytes = cost(datagram);
      if (closed_ || queue_.size() >= limits_.max_datagrams ||
          stats_.bytes + bytes > limits_.max_bytes) {
        ++stats_.full_drops;
        continue;
      }
      queue_.push_back(std::move(datagram));
      stats_.bytes += bytes;
      ++stats_.pushed;
      ++accepted;
    }
    stats_.depth = queue_.size();
    stats_.peak_depth = std::max(stats_.peak_depth, stats_.depth);
  }
  batch.clear();
  // One wakeup per batch, not per datagram: the consumer takes them all at once.
  if (accepted > 0) not_empty_.notify_one();
  return accepted;
}

bool DatagramQueue::pop(std::vector<Datagram>& out, size_t max) {
  out.clear();
  std::unique_lock lock(mutex_);
  not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
  if (queue_.empty()) return false;  // closed and drained
  const size_t n = std::min(max, queue_.size());
  for (size_t i = 0; i < n; ++i) {
    stats_.bytes -= cost(queue_.front());
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  stats_.depth = queue_.size();
  return true;
}

void DatagramQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

uint64_t DatagramQueue::discard_all() {
  std::lock_guard lock(mutex_);
  const uint64_t n = queue_.size();
  stats_.discarded += n;
  queue_.clear();
  stats_.depth = 0;
  stats_.bytes = 0;
  return n;
}

DatagramQueueStats DatagramQueue::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace regwatch::agent::syslog
