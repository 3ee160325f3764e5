#pragma once
// What the SIP registration watcher is told (agent config `sip:`, docs/sip.md). Defaults follow
// CUCM's: it grants Expires 120 to a phone that asked for 3600, the phone refreshes about 5 s
// early, and CUCM allows about 15 s past the Expires before it unregisters the phone
// (../shared/domain/FACTS.md section 4), so a phone is flagged when CUCM gives up on it.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace regwatch::agent::sip {

struct SipSettings {
  bool enabled = true;                    // rides on the wire capture unless turned off
  std::vector<uint16_t> ports{5060};      // SIP in clear, UDP and TCP: decoded
  std::vector<uint16_t> tls_ports{5061};  // SIP over TLS: sessions, timing and resets only
  // keepalive_missed when no refresh came within the granted Expires plus this grace.
  uint32_t refresh_grace_s = 15;
  // keepalive_unanswered when a REGISTER has no final answer after this long (a CM that answers
  // late still counts in the latency windows).
  uint32_t unanswered_after_ms = 5000;
  // Per CM and window, as for SCCP (SccpSettings): REGISTER-to-final-answer latency.
  uint32_t latency_window_s = 10;
  double slow_threshold_ms = 1000;
  uint32_t slow_min_phones = 3;
  double slow_fraction = 0.5;
  // A phone rejected again with the same status is reported again after this long, not at each
  // retry (MPP phones retry every 30 s).
  uint32_t reject_repeat_s = 300;
  size_t max_phones = 200'000;        // registrations followed at once (beyond: counted, ignored)
  size_t max_transactions = 100'000;  // REGISTERs waiting for their answer at once
  size_t max_connections = 200'000;   // TCP and TLS connections followed at once
  size_t max_held_bytes_per_direction = 64 * 1024;
  size_t max_held_bytes_total = 64 * 1024 * 1024;
  uint32_t idle_connection_timeout_s = 600;  // forget a TCP connection silent this long
  uint32_t phone_forget_s = 86'400;          // forget a phone not heard of for this long
  bool operator==(const SipSettings&) const = default;
};

}  // namespace regwatch::agent::sip
