#pragma once
// When a syslog-over-TCP connection is closed for idleness, and which one is
// evicted when the connection table is full. Pure: times are passed in, so the
// rules are unit-tested without sockets or sleeps (issue 17: a peer holding
// every slot with idle connections locked real senders out for 600 s).
//
// Idle deadline: last activity (the accept, or the last byte received) plus
//   - first_line_timeout while the connection has not delivered one complete
//     line (a real sender writes its line as soon as it connects; a peer that
//     connects and says nothing is the cheap way to hold a slot), else
//   - idle_timeout.
//   The shorter of the two applies in both cases, so a first-line timeout set
//   above the idle timeout cannot lengthen anything.
//
// Eviction (the table is full and a new connection arrives):
//   - a connection that received a byte within kEvictionQuietPeriod is never
//     evicted: it is talking now, and evicting it would cut a live sender;
//   - among the rest, one that never delivered a complete line goes before one
//     that did (an idle sender that already proved it speaks syslog is worth
//     more than a silent socket);
//   - within each group, the one whose last activity is oldest goes first
//     (ties: the earliest in the table, i.e. the earliest accepted).
//   No candidate at all: the new connection is refused instead.
#include <chrono>
#include <cstddef>
#include <optional>

namespace regwatch::agent::syslog {

using SteadyTime = std::chrono::steady_clock::time_point;

// A connection that received a byte this recently is never evicted.
inline constexpr std::chrono::seconds kEvictionQuietPeriod{5};

// What the policy needs to know about one connection.
struct ConnectionActivity {
  SteadyTime accepted{};
  std::optional<SteadyTime> last_receive;  // none: no byte received yet
  bool delivered_line = false;             // at least one complete line handed over

  SteadyTime last_activity() const { return last_receive.value_or(accepted); }
};

struct IdleTimeouts {
  std::chrono::milliseconds idle{0};
  std::chrono::milliseconds first_line{0};
};

// When the connection is closed for idleness unless it receives something first.
SteadyTime idle_deadline(const ConnectionActivity& activity, const IdleTimeouts& timeouts);

// True when the connection may be evicted at `now` (quiet for kEvictionQuietPeriod).
bool evictable(const ConnectionActivity& activity, SteadyTime now);

// True when `a` should be evicted before `b` (both evictable).
bool evict_before(const ConnectionActivity& a, const ConnectionActivity& b);

// The index of the connection to evict at `now`, or none. `activity_of(item)`
// gives an item's ConnectionActivity; items whose `skip(item)` is true (closed
// ones) are not candidates.
template <typename Range, typename ActivityOf, typename Skip>
std::optional<size_t> pick_eviction_victim(const Range& items, ActivityOf activity_of, Skip skip,
                                           SteadyTime now) {
  std::optional<size_t> victim;
  size_t index = 0;
  for (const auto& item : items) {
    if (!skip(item)) {
      const ConnectionActivity& activity = activity_of(item);
      if (evictable(activity, now) &&
          (!victim || evict_before(activity, activity_of(items[*victim])))) {
        victim = index;
      }
    }
    ++index;
  }
  return victim;
}

}  // namespace regwatch::agent::syslog
