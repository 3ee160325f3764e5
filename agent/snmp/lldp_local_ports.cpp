#include "agent/snmp/lldp_local_ports.h"

#include <optional>

namespace regwatch::agent::snmp {
namespace {

constexpr uint32_t kSubtypeMacAddress = 3;
constexpr uint32_t kSubtypeNetworkAddress = 4;

// The one ifIndex whose value equals text; none when absent or ambiguous (two interfaces
// with the same alias say nothing about which one is meant).
std::optional<uint32_t> unique_match(const std::map<uint32_t, std::string>& column,
                                     const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::optional<uint32_t> found;
  for (const auto& [if_index, value] : column) {
    if (value != text) continue;
    if (found) return std::nullopt;
    found = if_index;
  }
  return found;
}

}  // namespace

LocalInterface resolve_lldp_local_port(const LldpLocalPort& port,
                                       const InterfaceNames& interfaces) {
  auto at = [&](uint32_t if_index) {
    auto name = interfaces.name.find(if_index);
    return LocalInterface{
        if_index, name != interfaces.name.end() && !name->second.empty() ? name->second : port.id};
  };
  const bool id_is_text =
      port.id_subtype != kSubtypeMacAddress && port.id_subtype != kSubtypeNetworkAddress;
  if (id_is_text) {
    if (auto found = unique_match(interfaces.name, port.id)) return at(*found);
    if (auto found = unique_match(interfaces.description, port.id)) return at(*found);
  }
  if (auto found = unique_match(interfaces.description, port.description)) return at(*found);
  if (auto found = unique_match(interfaces.name, port.description)) return at(*found);
  if (interfaces.name.count(port.port_num)) return at(port.port_num);
  if (id_is_text) {
    if (auto found = unique_match(interfaces.alias, port.id)) return at(*found);
  }
  return LocalInterface{0, port.id};
}

}  // namespace regwatch::agent::snmp
