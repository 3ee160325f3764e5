#pragma once
// Which agents have an ingest stream open now, and when each one's last stream
// closed: an agent with nothing to say but a stream open is healthy, one whose
// stream closed and did not come back is silent (the agent_silent condition).
// Thread-safe: streams open and close on gRPC's threads, conditions read it on
// their own.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace regwatch::collector::ingest {

class ConnectedAgents {
 public:
  void opened(const std::string& agent_id) {
    std::lock_guard lock(mutex_);
    ++streams_[agent_id];
  }
  void closed(const std::string& agent_id) {
    const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    std::lock_guard lock(mutex_);
    if (auto it = streams_.find(agent_id); it != streams_.end() && --it->second <= 0)
      streams_.erase(it);
    closed_at_[agent_id] = now_us;
  }
  bool connected(const std::string& agent_id) const {
    std::lock_guard lock(mutex_);
    return streams_.count(agent_id) > 0;
  }
  // The agents with a stream open now, in name order.
  std::vector<std::string> agent_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, streams] : streams_) ids.push_back(id);
    return ids;
  }
  // When its last stream closed, if one closed since the collector started.
  std::optional<int64_t> closed_at(const std::string& agent_id) const {
    std::lock_guard lock(mutex_);
    const auto it = closed_at_.find(agent_id);
    return it == closed_at_.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> streams_;
  std::map<std::string, int64_t> closed_at_;
};

}  // namespace regwatch::collector::ingest
