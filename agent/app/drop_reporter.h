#pragma once
// Turns an input's drop counters (trap receiver: unknown community, unknown
// v3 user, ...) into agent_drops events for the collector, one per reason
// whose total rose since the previous report, so drops are visible where the
// NOC looks, not only in the agent's log. Pure; the caller decides how often.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent {

class DropReporter {
 public:
  explicit DropReporter(std::string agent_id) : agent_id_(std::move(agent_id)) {}

  // totals: reason -> count since the agent started.
  std::vector<regwatch::v1::Event> changes(const std::map<std::string, uint64_t>& totals,
                                           int64_t now_us);

 private:
  std::string agent_id_;
  std::map<std::string, uint64_t> reported_;
};

}  // namespace regwatch::agent
