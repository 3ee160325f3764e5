#pragma once
// The agent's sender list (config origin_senders): which addresses may speak for a CUCM
// node or a switch. A syslog line or trap that names a listed origin but arrives from an
// address not allowed for it is kept (it is evidence: someone is forging) but flagged
// Provenance.spoofed, counted and warned about; the collector never lets it drive an
// incident, a condition or a page. Origins not on the list are not checked, and neither is
// anything without a sender address (replay: an archive has none).
//
// Threads: check() may run on several input threads at once (syslog, traps); replace() (a
// reload) from any thread: each check sees the list before or after, never a mix.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
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

  // A reload (SIGHUP): the list from now on. The entries passed the config check.
  void replace(const std::vector<OriginSenderConfig>& entries);

  uint64_t spoofed() const { return spoofed_.load(std::memory_order_relaxed); }
  bool empty() const { return allowed()->empty(); }

 private:
  using AllowedSenders = std::map<std::string, std::vector<NetPrefix>>;  // by short_host(origin)
  static std::shared_ptr<const AllowedSenders> build(
      const std::vector<OriginSenderConfig>& entries);
  std::shared_ptr<const AllowedSenders> allowed() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const AllowedSenders> allowed_;  // under mutex_
  std::atomic<uint64_t> spoofed_{0};
  RateLimitedLog warnings_;
};

}  // namespace regwatch::agent
