#pragma once
// The boot-chain analyzers' counts, for the agent's summary line, its log and /metrics.
#include <cstdint>
#include <map>
#include <string>

namespace regwatch::agent::boot {

struct BootStats {
  uint64_t dhcp_messages = 0;
  uint64_t tftp_packets = 0;
  uint64_t http_segments = 0;
  std::map<std::string, uint64_t> dhcp_by_type;   // "discover", "ack", ...
  std::map<std::string, uint64_t> files_fetched;  // by file kind ("config_signed", "other")
  std::map<std::string, uint64_t> files_failed;   // by failure ("not_found", "no_answer")
  std::map<std::string, uint64_t> anomalies;      // "dhcp_truncated_option", "tftp_bad_opcode"...
  std::map<std::string, uint64_t> events_by_kind;
  uint64_t clients = 0;  // phones and other DHCP/TFTP clients tracked now
  uint64_t transfers_in_flight = 0;
  uint64_t tracked_bytes = 0;  // an estimate of the analyzers' memory, for the bench
};

}  // namespace regwatch::agent::boot
