#pragma once
// What the syslog listener hands out (ReceivedLine, LineSink, ListenerStats)
// and what its parts share while receiving (ListenerCounters, LineDelivery).
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/logging.h"

namespace regwatch::agent::syslog {

// One syslog message as received. The views are valid only during the sink
// call: copy what you keep.
struct ReceivedLine {
  std::string_view line;       // without framing or trailing LF/CR/NUL
  std::string_view sender_ip;  // "10.1.2.3" or "2001:db8::1"
  int64_t receive_time_us;     // from the listener's injected Clock
  bool truncated;              // cut at kMaxFrameBytes, or cut short by a disconnect
};

// Called on one of the listener's threads (TCP's poll thread, or the UDP line
// thread behind the datagram queue), never two calls at once, once per line, in
// arrival order per connection. It must be quick and must not throw: TCP and the
// UDP queue wait while it runs (see syslog_listener.h).
using LineSink = std::function<void(const ReceivedLine&)>;

// A snapshot of the listener's counters; tests and the agent's logs read these.
struct ListenerStats {
  uint64_t udp_datagrams = 0;         // datagrams received (empty ones included)
  uint64_t udp_kernel_drops = 0;      // datagrams the kernel dropped: receive buffer full
  uint64_t tcp_connections = 0;       // TCP connections accepted and served
  uint64_t tcp_open_connections = 0;  // ... of which open now
  uint64_t frames = 0;                // lines handed to the sink (UDP and TCP)
  uint64_t bytes = 0;                 // payload bytes received (UDP and TCP)
  uint64_t truncated = 0;             // lines handed over flagged truncated
  uint64_t bad_framing = 0;           // unusable RFC 6587 octet counts
  uint64_t rejected_connections = 0;  // accepted and closed: table full, none evictable
  uint64_t rejected_per_source = 0;   // accepted and closed: over max_tcp_connections_per_source
  uint64_t evicted_idle = 0;          // closed to make room for a new connection (table full)
  uint64_t idle_closed = 0;           // TCP connections closed for idleness
  uint64_t first_line_timeouts = 0;   // ... of which before their first complete line
  uint64_t receive_errors = 0;        // failed recv/accept/poll calls
};

// The live counters: written by the listener thread, read from any thread.
struct ListenerCounters {
  std::atomic<uint64_t> udp_datagrams{0};
  std::atomic<uint64_t> udp_kernel_drops{0};
  std::atomic<uint64_t> tcp_connections{0};
  std::atomic<uint64_t> tcp_open_connections{0};
  std::atomic<uint64_t> frames{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> truncated{0};
  std::atomic<uint64_t> bad_framing{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> rejected_per_source{0};
  std::atomic<uint64_t> evicted_idle{0};
  std::atomic<uint64_t> idle_closed{0};
  std::atomic<uint64_t> first_line_timeouts{0};
  std::atomic<uint64_t> receive_errors{0};

  ListenerStats snapshot() const {
    ListenerStats s;
    s.udp_datagrams = udp_datagrams.load(std::memory_order_relaxed);
    s.udp_kernel_drops = udp_kernel_drops.load(std::memory_order_relaxed);
    s.tcp_connections = tcp_connections.load(std::memory_order_relaxed);
    s.tcp_open_connections = tcp_open_connections.load(std::memory_order_relaxed);
    s.frames = frames.load(std::memory_order_relaxed);
    s.bytes = bytes.load(std::memory_order_relaxed);
    s.truncated = truncated.load(std::memory_order_relaxed);
    s.bad_framing = bad_framing.load(std::memory_order_relaxed);
    s.rejected_connections = rejected_connections.load(std::memory_order_relaxed);
    s.rejected_per_source = rejected_per_source.load(std::memory_order_relaxed);
    s.evicted_idle = evicted_idle.load(std::memory_order_relaxed);
    s.idle_closed = idle_closed.load(std::memory_order_relaxed);
    s.first_line_timeouts = first_line_timeouts.load(std::memory_order_relaxed);
    s.receive_errors = receive_errors.load(std::memory_order_relaxed);
    return s;
  }
};

inline void bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.fetch_add(by, std::memory_order_relaxed);
}

// Everything the UDP and TCP parts need to hand a line over and to report a
// problem; built by the listener thread, passed down by reference, never stored.
struct LineDelivery {
  const LineSink& sink;
  const Clock& clock;
  ListenerCounters& counters;
  spdlog::logger& log;
  RateLimitedLog& anomaly_log;  // one budget for all of the listener's warnings

  void deliver(std::string_view line, std::string_view sender_ip, int64_t receive_time_us,
               bool truncated) const {
    bump(counters.frames);
    if (truncated) bump(counters.truncated);
    sink(ReceivedLine{line, sender_ip, receive_time_us, truncated});
  }

  // A rate-limited warning: a flood of bad input costs counters, not a disk.
  template <typename... Args>
  void warn(spdlog::format_string_t<Args...> format, Args&&... args) const {
    uint64_t suppressed = 0;
    if (!anomaly_log.allow(suppressed)) return;
    log.warn(format, std::forward<Args>(args)...);
    if (suppressed > 0) log.warn("({} similar warnings suppressed)", suppressed);
  }
};

}  // namespace regwatch::agent::syslog
