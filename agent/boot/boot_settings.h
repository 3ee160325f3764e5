#pragma once
// What the boot-chain analyzers watch and the bounds they keep (agent config `boot:`,
// docs/boot-chain.md). Defaults are what a voice VLAN needs; every bound is also a counted drop
// when it bites (BootStats::anomalies).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace regwatch::agent::boot {

struct BootSettings {
  bool enabled = true;  // the boot chain rides on the SCCP capture unless turned off
  std::vector<uint16_t> dhcp_ports = {67, 68};  // UDP: server and client
  std::vector<uint16_t> tftp_ports = {69};      // UDP: read requests (data on server-picked ports)
  std::vector<uint16_t> http_ports = {6970};    // TCP: config over HTTP (6971 is HTTPS: hidden)
  // A transfer with no packet for this long has stopped: no_answer before the server's first
  // packet, timeout after it.
  uint32_t transfer_timeout_s = 10;
  // A client's DISCOVERs without an OFFER for this long: dhcp_unanswered.
  uint32_t dhcp_offer_timeout_s = 30;
  // A Cisco phone leased without option 150/66 that fetched nothing for this long: stalled.
  uint32_t no_tftp_grace_s = 60;
  // A server whose requests went unanswered for this long (and at least 2 of them): unanswered.
  uint32_t server_silence_s = 15;
  uint32_t max_clients = 100'000;   // phones tracked at once
  uint32_t max_transfers = 20'000;  // TFTP / HTTP downloads in flight at once
  uint32_t client_idle_s = 3600;    // a client quiet this long is forgotten
  // Config files are kept in memory while they arrive, to read their CM group: up to this size.
  size_t max_config_bytes = 256 * 1024;
  // ... and for all downloads in flight together.
  size_t max_config_bytes_total = 32 * 1024 * 1024;
  // HTTP requests a connection may have outstanding (pipelined) before it is no longer followed.
  uint32_t max_pipelined_requests = 16;
  bool operator==(const BootSettings&) const = default;
};

}  // namespace regwatch::agent::boot
