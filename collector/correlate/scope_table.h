#pragma once
// Interning for the correlator: the phones and the scopes of one correlate() call get dense
// ids, so its per-event work indexes vectors instead of comparing names in ordered maps (at
// 100,000 phones that was most of a pass). Internal to collector/correlate.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collector/correlate/incident.h"

namespace regwatch::collector::correlate {

// Narrow to broad: the order in which a scope explains a burst best. The TFTP server a stalled
// phone asked (BootStall.tftp_server) comes last: it is a logical scope (a cluster's phones
// share its few TFTP servers), so when a switch's or a subnet's phones are exactly those stalled
// at one server, the place where they hang off names the incident, unless its top cause is the
// server itself (tftp_unavailable, scope_choice.h).
enum class ScopeType : uint8_t { kModule, kSwitch, kVlan, kSubnet, kCmNode, kCluster, kTftpServer };
inline constexpr std::array<std::string_view, 7> kScopeTypeNames = {
    "module", "switch", "vlan", "subnet", "cm_node", "cluster", "tftp_server"};

// Scopes by id, in order of first sight. Ids are only meaningful within one table.
class ScopeTable {
 public:
  uint32_t id(ScopeType type, std::string name) {
    std::string key;
    key.reserve(name.size() + 1);
    key.push_back(static_cast<char>('0' + static_cast<int>(type)));
    key += name;
    const auto [it, added] = ids_.try_emplace(std::move(key), static_cast<uint32_t>(types_.size()));
    if (added) {
      scopes_.push_back({std::string(kScopeTypeNames[static_cast<size_t>(type)]), std::move(name)});
      types_.push_back(type);
    }
    return it->second;
  }
  const Scope& scope(uint32_t id) const { return scopes_[id]; }
  ScopeType type(uint32_t id) const { return types_[id]; }
  size_t size() const { return types_.size(); }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<Scope> scopes_;
  std::vector<ScopeType> types_;
};

// Names by id, for names that outlive the table (views into the events being correlated).
class NameTable {
 public:
  uint32_t id(std::string_view name) {
    const auto [it, added] = ids_.try_emplace(name, static_cast<uint32_t>(names_.size()));
    if (added) names_.push_back(name);
    return it->second;
  }
  std::string_view name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }
  void reserve(size_t n) {
    ids_.reserve(n);
    names_.reserve(n);
  }

 private:
  std::unordered_map<std::string_view, uint32_t> ids_;
  std::vector<std::string_view> names_;
};

}  // namespace regwatch::collector::correlate
