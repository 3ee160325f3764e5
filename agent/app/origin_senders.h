#pragma once
// The agent's sender list (config origin_senders): which addresses may speak for a CUCM
// node or a switch. A syslog line or trap that names a listed origin but arrives from an
// address not allowed for it is kept (it is evidence: someone is forging) but flagged
// Provenance.spoofed, counted and warned about; the collector never lets it drive an
// incident, a condition or a page. Origins not on the list are not checked, and neither is
// anything without a sender address (replay: an archive has none).
//
// Threads: check() may run on several input threads at once (syslog, traps); the list is
// fixed at construction.
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/app/agent_config.h"
#include "common/logging.h"
#include "common/net_prefix.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent {

class OriginSenders {
 public:
  // The entries must have passed the config check (their prefixes parse).
  explicit OriginSenders(const std::vector<OriginSenderConfig>& entries);

  // Flags the event spoofed when its origin is listed and its provenance's sender address
  // is not allowed for it; returns whether it did.
  bool check(regwatch::v1::Event& event);

  uint64_t spoofed() const { return spoofed_.load(std::memory_order_relaxed); }
  bool empty() const { return allowed_.empty(); }

 private:
  std::map<std::string, std::vector<NetPrefix>> allowed_;  // by short_host(origin)
  std::atomic<uint64_t> spoofed_{0};
  RateLimitedLog warnings_;
};

}  // namespace regwatch::agent
