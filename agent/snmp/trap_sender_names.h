#pragma once
// Names trap senders as the agent's SNMP targets are named: a linkDown from 10.1.1.5 is from
// "sw-3f" when sw-3f is polled at 10.1.1.5, so traps, polls and the switch names in CDP
// topology all say the same host, and correlation places a trap's port on its switch.
//
// An address shared by several targets (simulators on one host, two ports) names none of them:
// its traps keep the address. Targets given by host name are resolved once, when built; one
// that does not resolve is left out (its traps keep their address) and reported in `unnamed`.
//
// Thread-safe after construction (read-only).
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace regwatch::agent::snmp {

class TrapSenderNames {
 public:
  // targets: (name, address as configured: "HOST" or "HOST:PORT").
  explicit TrapSenderNames(const std::vector<std::pair<std::string, std::string>>& targets);
  // The target name for a trap's source IP, if exactly one target is at that address.
  std::optional<std::string> name_of(const std::string& sender_ip) const;
  // The host that target is configured and polled by ("sw-3f.example.net" or the address
  // itself), which is what the pollers key what they learn by; the sender's IP otherwise.
  std::string polled_host_of(const std::string& sender_ip) const;
  // Why some targets' traps will keep their address, one line each (for the start-up log).
  const std::vector<std::string>& unnamed() const { return unnamed_; }

 private:
  struct Target {
    std::string name;
    std::string host;  // as configured
  };
  std::map<std::string, Target> by_address_;
  std::vector<std::string> unnamed_;
};

}  // namespace regwatch::agent::snmp
