#include "agent/syslog/tcp_connection_policy.h"

#include <algorithm>

namespace regwatch::agent::syslog {

SteadyTime idle_deadline(const ConnectionActivity& activity, const IdleTimeouts& timeouts) {
  const auto timeout =
      activity.delivered_line ? timeouts.idle : std::min(timeouts.idle, timeouts.first_line);
  return activity.last_activity() + timeout;
}

bool evictable(const ConnectionActivity& activity, SteadyTime now) {
  return !activity.last_receive || now - *activity.last_receive >= kEvictionQuietPeriod;
}

bool evict_before(const ConnectionActivity& a, const ConnectionActivity& b) {
  // Strictly before, so that among equals the earliest in the table stays the victim.
  if (a.delivered_line != b.delivered_line) return !a.delivered_line;
  return a.last_activity() < b.last_activity();
}

}  // namespace regwatch::agent::syslog
