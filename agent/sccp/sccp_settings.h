#pragma once
// What the SCCP watcher is told (agent config `sccp:`); defaults follow CUCM's
// (30 s keepalives, unregistration after 3 missed) so that a phone is flagged
// before CUCM gives up on it.
#include <cstdint>
#include <vector>

namespace regwatch::agent::sccp {

struct SccpSettings {
  std::vector<uint16_t> ports{2000};      // SCCP in clear: decoded
  std::vector<uint16_t> tls_ports{2443};  // SCCP over TLS: connection and timing only
  double keepalive_miss_factor = 2.0;     // keepalive_missed after this many silent intervals
  uint32_t default_keepalive_s = 30;      // for connections seen without their RegisterAck
  uint32_t unanswered_after_ms = 5000;    // keepalive_unanswered after this long without an ack
  uint32_t latency_window_s = 10;         // keepalive_latency per CM node per window
  double slow_threshold_ms = 1000;        // a phone is slow above this ack latency...
  uint32_t slow_min_phones = 3;           // ...and a CM is slow when at least this many phones
  double slow_fraction = 0.5;             // ...and this share of its phones are slow in a window
  size_t max_connections = 200'000;       // beyond it new connections are counted and ignored
  size_t max_held_bytes_per_direction = 64 * 1024;
  size_t max_held_bytes_total = 64 * 1024 * 1024;  // all connections' out-of-order bytes together
  uint32_t idle_connection_timeout_s = 600;  // forget a connection silent this long (packet time)
  bool operator==(const SccpSettings&) const = default;
};

}  // namespace regwatch::agent::sccp
