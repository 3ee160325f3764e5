#include "agent/snmp/target_poller.h"

#include "common/logging.h"
#include "common/net_address.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace regwatch::agent::snmp {
namespace {

// OIDs (cisco/cisco-mibs: v2/CISCO-CCM-MIB.my, CISCO-PROCESS-MIB.my, IF-MIB.my and the
// others named beside each constant).
constexpr char kSysUpTime[] = "1.3.6.1.2.1.1.3.0";
constexpr char kHrProcessorLoad[] = "1.3.6.1.2.1.25.3.3.1.2";
constexpr char kCpmCpuTotal5secRev[] = "1.3.6.1.4.1.9.9.109.1.1.1.1.6";
constexpr char kCpmCpuTotal5minRev[] = "1.3.6.1.4.1.9.9.109.1.1.1.1.8";
constexpr char kCpmCpuTotalPhysicalIndex[] = "1.3.6.1.4.1.9.9.109.1.1.1.1.2";
constexpr char kEntPhysicalName[] = "1.3.6.1.2.1.47.1.1.1.1.7";  // ENTITY-MIB
constexpr char kIfDescr[] = "1.3.6.1.2.1.2.2.1.2";
constexpr char kIfName[] = "1.3.6.1.2.1.31.1.1.1.1";
constexpr char kIfAlias[] = "1.3.6.1.2.1.31.1.1.1.18";
constexpr char kIfOperStatus[] = "1.3.6.1.2.1.2.2.1.8";
constexpr char kIfInDiscards[] = "1.3.6.1.2.1.2.2.1.13";
constexpr char kIfInErrors[] = "1.3.6.1.2.1.2.2.1.14";
constexpr char kIfOutDiscards[] = "1.3.6.1.2.1.2.2.1.19";
constexpr char kIfOutErrors[] = "1.3.6.1.2.1.2.2.1.20";
constexpr char kIfHcInOctets[] = "1.3.6.1.2.1.31.1.1.1.6";
constexpr char kIfHcOutOctets[] = "1.3.6.1.2.1.31.1.1.1.10";
constexpr char kDot3StatsFcsErrors[] = "1.3.6.1.2.1.10.7.2.1.3";
constexpr char kCcmRegisteredPhones[] = "1.3.6.1.4.1.9.9.156.1.5.5.0";
constexpr char kCcmUnregisteredPhones[] = "1.3.6.1.4.1.9.9.156.1.5.6.0";
constexpr char kCcmRejectedPhones[] = "1.3.6.1.4.1.9.9.156.1.5.7.0";
constexpr char kCcmPartiallyRegisteredPhones[] = "1.3.6.1.4.1.9.9.156.1.5.31.0";
constexpr char kStatusTableLastAdded[] = "1.3.6.1.4.1.9.9.156.1.5.27.0";
constexpr char kFailedTableLastAdded[] = "1.3.6.1.4.1.9.9.156.1.5.28.0";
constexpr char kStatusPhoneIndex[] = "1.3.6.1.4.1.9.9.156.1.2.4.1.2";
constexpr char kStatusUpdateTime[] = "1.3.6.1.4.1.9.9.156.1.2.4.1.3";
constexpr char kStatusUpdateType[] = "1.3.6.1.4.1.9.9.156.1.2.4.1.4";
constexpr char kStatusUnregReason[] = "1.3.6.1.4.1.9.9.156.1.2.4.1.6";
constexpr char kStatusRegFailReason[] = "1.3.6.1.4.1.9.9.156.1.2.4.1.7";
constexpr char kPhoneName[] = "1.3.6.1.4.1.9.9.156.1.2.1.1.20";
constexpr char kPhoneIpv4[] = "1.3.6.1.4.1.9.9.156.1.2.1.1.21";
constexpr char kFailedTime[] = "1.3.6.1.4.1.9.9.156.1.2.3.1.2";
constexpr char kFailedName[] = "1.3.6.1.4.1.9.9.156.1.2.3.1.3";
constexpr char kFailedMac[] = "1.3.6.1.4.1.9.9.156.1.2.3.1.7";
constexpr char kFailedIpv4[] = "1.3.6.1.4.1.9.9.156.1.2.3.1.8";
constexpr char kFailedRegFailReason[] = "1.3.6.1.4.1.9.9.156.1.2.3.1.12";
constexpr uint32_t kMaxTableRowsPerPoll = 500;
constexpr char kCdpCacheAddress[] = "1.3.6.1.4.1.9.9.23.1.2.1.1.4";
constexpr char kCdpCacheDeviceId[] = "1.3.6.1.4.1.9.9.23.1.2.1.1.6";
constexpr char kCdpCachePlatform[] = "1.3.6.1.4.1.9.9.23.1.2.1.1.8";
constexpr char kCdpCacheNativeVlan[] = "1.3.6.1.4.1.9.9.23.1.2.1.1.11";
constexpr char kCdpCacheVlanId[] = "1.3.6.1.4.1.9.9.23.1.2.1.1.14";
// lldpRemSysName, indexed timeMark.localPortNum.remIndex; lldpLocPortId by localPortNum.
constexpr char kLldpRemSysName[] = "1.0.8802.1.1.2.1.4.1.1.9";
constexpr char kLldpLocPortIdSubtype[] = "1.0.8802.1.1.2.1.3.7.1.2";
constexpr char kLldpLocPortId[] = "1.0.8802.1.1.2.1.3.7.1.3";
constexpr char kLldpLocPortDesc[] = "1.0.8802.1.1.2.1.3.7.1.4";
// LLDP-EXT-MED-MIB (TIA-1057) lldpXMedRemMediaPolicyVlanID, INDEX lldpRemTimeMark,
// lldpRemLocalPortNum, lldpRemIndex, lldpXMedRemMediaPolicyAppType (voice = 1).
constexpr char kLldpMedRemPolicyVlanId[] = "1.0.8802.1.1.2.1.5.4795.1.3.2.1.2";

std::string ipv4_text(const VarBind& bind) {
  if ((bind.type != ValueType::kIpAddress && bind.type != ValueType::kOctets) ||
      bind.octets.size() != 4)
    return {};
  const auto* b = reinterpret_cast<const unsigned char*>(bind.octets.data());
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
         std::to_string(b[3]);
}

Oid oid_of(const char* dotted) {
  return *parse_oid(dotted);
}

DataAnswer answer_of(const VarBind& bind) {
  switch (bind.type) {
    case ValueType::kNoSuchObject: return DataAnswer::kNoSuchObject;
    case ValueType::kNoSuchInstance: return DataAnswer::kNoSuchInstance;
    case ValueType::kEndOfMib: return DataAnswer::kNoRows;
    default: return DataAnswer::kData;
  }
}

// Rate-limited by the tracker: once when it starts, every remind interval, once resolved.
void log_data_missing(const regwatch::v1::Event& event) {
  static const auto kLog = component_logger("agent.snmp");
  if (event.snmp_data_missing().resolved()) {
    kLog->info("{}", data_missing_log_text(event));
  } else {
    kLog->warn("{}", data_missing_log_text(event));
  }
}

}  // namespace

TargetPoller::TargetPoller(PollTarget target, ThresholdSettings cpu, InterfaceSettings interfaces,
                           const Clock& clock)
    : target_(std::move(target)),
      clock_(clock),
      cpu_(target_.role, cpu),
      interfaces_(interfaces),
      topology_(target_.name),
      data_gaps_(target_.name, target_.snmp.address, target_.role,
                 data_needs(target_.role, target_.cpu, target_.interfaces, target_.ccm_counts)) {}

Result<WalkResult> TargetPoller::walk(const char* oid) {
  auto result = client_->walk(oid_of(oid));
  if (result.ok() && result->truncated) counters_.truncated_walks.fetch_add(1);
  if (result.ok())
    data_gaps_.saw(oid_of(oid), result->rows.empty() ? DataAnswer::kNoRows : DataAnswer::kData);
  return result;
}

Status TargetPoller::poll_cpu(const PollContext& context, std::vector<regwatch::v1::Event>& out) {
  auto readings = target_.role == "switch" ? cpm_cpu_readings() : hr_processor_readings();
  if (!readings.ok()) return readings.error();
  for (auto& e : cpu_.on_poll(context, *readings)) out.push_back(std::move(e));
  return Ok{};
}

Result<std::vector<CpuReading>> TargetPoller::hr_processor_readings() {
  auto table = walk(kHrProcessorLoad);
  if (!table.ok()) return table.error();
  std::vector<CpuReading> readings;
  for (const auto& row : table->rows) {
    uint64_t value = 0;
    if (!row.as_unsigned(value) || value > 100) {
      counters_.wrong_type.fetch_add(1);
      continue;
    }
    readings.push_back(
        {"CPU " + std::to_string(row.oid.back()), static_cast<double>(value), std::nullopt, 0});
  }
  return readings;
}

Result<std::vector<CpuReading>> TargetPoller::cpm_cpu_readings() {
  // The 5 s column decides which CPUs there are (and fails the poll if unreachable); the
  // 5 min column and the entity names only describe them, so their absence is no failure.
  CpmCpuColumns columns;
  auto numbers = [&](const char* oid, std::map<uint32_t, uint64_t>& into) -> Status {
    auto table = walk(oid);
    if (!table.ok()) return table.error();
    for (const auto& row : table->rows) {
      uint64_t value = 0;
      if (row.as_unsigned(value)) {
        into[row.oid.back()] = value;
      } else {
        counters_.wrong_type.fetch_add(1);
      }
    }
    return Ok{};
  };
  if (auto s = numbers(kCpmCpuTotal5secRev, columns.five_second); !s.ok()) return s.error();
  if (!columns.five_second.empty()) {
    (void)numbers(kCpmCpuTotal5minRev, columns.five_minute);
    (void)numbers(kCpmCpuTotalPhysicalIndex, columns.physical_index);
  }
  std::map<uint32_t, std::string> names;
  std::vector<Oid> name_oids;
  const std::vector<uint32_t> entities = entities_of(columns);
  for (const uint32_t entity : entities) {
    name_oids.push_back(oid_of(kEntPhysicalName));
    name_oids.back().push_back(entity);
  }
  if (!name_oids.empty()) {
    if (auto values = client_->get(name_oids); values.ok()) {
      for (size_t i = 0; i < values->size() && i < entities.size(); ++i) {
        if ((*values)[i].type == ValueType::kOctets) names[entities[i]] = (*values)[i].octets;
      }
    }
  }
  uint64_t rejected = 0;
  auto readings = join_cpm_rows(columns, names, rejected);
  counters_.wrong_type.fetch_add(rejected);
  return readings;
}

Status TargetPoller::poll_interfaces(const PollContext& context,
                                     std::vector<regwatch::v1::Event>& out) {
  std::map<uint32_t, InterfaceRow> rows;
  auto column = [&](const char* oid, auto apply) -> Status {
    auto table = walk(oid);
    if (!table.ok()) return table.error();
    const size_t base_length = oid_of(oid).size();
    for (const auto& bind : table->rows) {
      if (bind.oid.size() != base_length + 1) continue;  // ifIndex is the only index
      InterfaceRow& row = rows[bind.oid.back()];
      row.if_index = bind.oid.back();
      apply(row, bind);
    }
    return Ok{};
  };
  auto text = [](std::string InterfaceRow::*field) {
    return [field](InterfaceRow& row, const VarBind& bind) {
      if (bind.type == ValueType::kOctets) row.*field = bind.octets;
    };
  };
  auto counter = [this](std::optional<uint64_t> InterfaceRow::*field, ValueType expected) {
    return [this, field, expected](InterfaceRow& row, const VarBind& bind) {
      if (bind.type != expected) {
        counters_.wrong_type.fetch_add(1);
        return;
      }
      row.*field = bind.unsigned_value;
    };
  };
  // ifName first: a target without IF-MIB fails here once, not ten times.
  if (auto s = column(kIfName, text(&InterfaceRow::name)); !s.ok()) return s;
  if (rows.empty()) return Ok{};
  const std::pair<const char*, std::function<void(InterfaceRow&, const VarBind&)>> columns[] = {
      {kIfAlias, text(&InterfaceRow::alias)},
      {kIfOperStatus,
       [this](InterfaceRow& row, const VarBind& bind) {
         if (bind.type != ValueType::kInteger) {
           counters_.wrong_type.fetch_add(1);
           return;
         }
         row.oper_status = static_cast<uint32_t>(bind.integer);
       }},
      {kIfInErrors, counter(&InterfaceRow::in_errors, ValueType::kCounter32)},
      {kIfOutErrors, counter(&InterfaceRow::out_errors, ValueType::kCounter32)},
      {kIfInDiscards, counter(&InterfaceRow::in_discards, ValueType::kCounter32)},
      {kIfOutDiscards, counter(&InterfaceRow::out_discards, ValueType::kCounter32)},
      {kIfHcInOctets, counter(&InterfaceRow::hc_in_octets, ValueType::kCounter64)},
      {kIfHcOutOctets, counter(&InterfaceRow::hc_out_octets, ValueType::kCounter64)},
      {kDot3StatsFcsErrors, counter(&InterfaceRow::fcs_errors, ValueType::kCounter32)},
  };
  for (const auto& [oid, apply] : columns) {
    if (auto s = column(oid, apply); !s.ok()) return s;
  }
  std::vector<InterfaceRow> list;
  if_names_.clear();
  if_aliases_.clear();
  for (auto& [index, row] : rows) {
    if_names_[index] = row.name;
    if_aliases_[index] = row.alias;
    list.push_back(std::move(row));
  }
  publish_interface_names();
  for (auto& e : interfaces_.on_poll(context, list)) out.push_back(std::move(e));
  return Ok{};
}

Status TargetPoller::poll_ccm(const PollContext& context, std::vector<regwatch::v1::Event>& out) {
  auto values = client_->get({oid_of(kCcmRegisteredPhones), oid_of(kCcmUnregisteredPhones),
                              oid_of(kCcmRejectedPhones), oid_of(kCcmPartiallyRegisteredPhones)});
  if (!values.ok()) return values.error();
  if (!values->empty()) data_gaps_.saw(oid_of(kCcmRegisteredPhones), answer_of((*values)[0]));
  uint64_t numbers[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < 4 && i < values->size(); ++i) {
    const auto& bind = (*values)[i];
    if (bind.type == ValueType::kNoSuchObject || bind.type == ValueType::kNoSuchInstance) {
      if (i == 0) return Ok{};  // not a CUCM node (or its CCM agent is down): nothing to say
      continue;
    }
    if (!bind.as_unsigned(numbers[i])) counters_.wrong_type.fetch_add(1);
  }
  out.push_back(ccm_.on_poll(context, numbers[0], numbers[1], numbers[2], numbers[3]));
  return Ok{};
}

Status TargetPoller::poll_ccm_tables(const PollContext& context,
                                     std::vector<regwatch::v1::Event>& out) {
  auto indexes = client_->get({oid_of(kStatusTableLastAdded), oid_of(kFailedTableLastAdded)});
  if (!indexes.ok()) return indexes.error();
  uint64_t last_status = 0, last_failed = 0;
  if (indexes->size() != 2 || !(*indexes)[0].as_unsigned(last_status) ||
      !(*indexes)[1].as_unsigned(last_failed)) {
    return Ok{};  // not a CUCM node, or its CCM agent is not running
  }
  // Column walks over the new rows only, joined by the row index.
  auto columns = [&](std::initializer_list<const char*> oids, const TableCursor::Range& range)
      -> Result<std::map<uint32_t, std::map<const char*, VarBind>>> {
    std::map<uint32_t, std::map<const char*, VarBind>> rows;
    for (const char* column : oids) {
      auto table = client_->walk(oid_of(column), range.after, range.through - range.after);
      if (!table.ok()) return table.error();
      const size_t base = oid_of(column).size();
      for (auto& bind : table->rows) {
        if (bind.oid.size() != base + 1 || bind.oid.back() > range.through) continue;
        rows[bind.oid.back()][column] = std::move(bind);
      }
    }
    return rows;
  };
  auto number = [this](const std::map<const char*, VarBind>& row, const char* column) -> uint64_t {
    auto it = row.find(column);
    uint64_t value = 0;
    if (it != row.end() && !it->second.as_unsigned(value)) counters_.wrong_type.fetch_add(1);
    return value;
  };
  auto text = [](const std::map<const char*, VarBind>& row, const char* column) -> std::string {
    auto it = row.find(column);
    return it == row.end() ? std::string() : it->second.octets;
  };
  if (auto range =
          status_cursor_.advance(static_cast<uint32_t>(last_status), kMaxTableRowsPerPoll)) {
    auto rows = columns({kStatusPhoneIndex, kStatusUpdateTime, kStatusUpdateType,
                         kStatusUnregReason, kStatusRegFailReason},
                        *range);
    if (!rows.ok()) return rows.error();
    for (const auto& [index, row] : *rows) {
      StatusUpdateRow update;
      update.index = index;
      update.phone_index = static_cast<uint32_t>(number(row, kStatusPhoneIndex));
      update.update_time = text(row, kStatusUpdateTime);
      update.update_type = static_cast<uint32_t>(number(row, kStatusUpdateType));
      update.unreg_reason = static_cast<int32_t>(number(row, kStatusUnregReason));
      update.reg_fail_reason = static_cast<int32_t>(number(row, kStatusRegFailReason));
      if (update.phone_index != 0) {
        Oid name = oid_of(kPhoneName), ip = oid_of(kPhoneIpv4);
        name.push_back(update.phone_index);
        ip.push_back(update.phone_index);
        if (auto phone = client_->get({name, ip}); phone.ok() && phone->size() == 2) {
          if ((*phone)[0].type == ValueType::kOctets) update.device_name = (*phone)[0].octets;
          update.ip = ipv4_text((*phone)[1]);
        }
      }
      if (auto event = status_update_event(update, target_.name, context.time_us))
        out.push_back(std::move(*event));
    }
  }
  if (auto range =
          failed_cursor_.advance(static_cast<uint32_t>(last_failed), kMaxTableRowsPerPoll)) {
    auto rows =
        columns({kFailedTime, kFailedName, kFailedMac, kFailedIpv4, kFailedRegFailReason}, *range);
    if (!rows.ok()) return rows.error();
    for (const auto& [index, row] : *rows) {
      FailedRow failed;
      failed.index = index;
      failed.failed_time = text(row, kFailedTime);
      failed.name = text(row, kFailedName);
      failed.mac = text(row, kFailedMac);
      if (auto it = row.find(kFailedIpv4); it != row.end()) failed.ip = ipv4_text(it->second);
      failed.reg_fail_reason = static_cast<int32_t>(number(row, kFailedRegFailReason));
      out.push_back(failed_phone_event(failed, target_.name, context.time_us));
    }
  }
  return Ok{};
}

Status TargetPoller::poll_topology(const PollContext& context,
                                   std::vector<regwatch::v1::Event>& out) {
  if (if_names_.empty()) {  // interfaces not polled: port names from ifName alone
    auto names = walk(kIfName);
    if (!names.ok()) return names.error();
    for (const auto& bind : names->rows) {
      if (bind.type == ValueType::kOctets) if_names_[bind.oid.back()] = bind.octets;
    }
    publish_interface_names();
  }
  // cdpCacheTable is indexed by ifIndex.deviceIndex.
  std::map<std::pair<uint32_t, uint32_t>, Neighbour> neighbours;
  for (const char* column : {kCdpCacheDeviceId, kCdpCacheAddress, kCdpCachePlatform,
                             kCdpCacheNativeVlan, kCdpCacheVlanId}) {
    auto table = walk(column);
    if (!table.ok()) return table.error();
    const size_t base = oid_of(column).size();
    for (const auto& bind : table->rows) {
      if (bind.oid.size() != base + 2) continue;
      Neighbour& n = neighbours[{bind.oid[base], bind.oid[base + 1]}];
      n.if_index = bind.oid[base];
      uint64_t number = 0;
      if (column == kCdpCacheDeviceId) {
        n.device = bind.octets;
      } else if (column == kCdpCachePlatform) {
        n.platform = bind.octets;
      } else if (column == kCdpCacheAddress) {
        n.address = ipv4_text(bind);
      } else if (bind.as_unsigned(number)) {
        (column == kCdpCacheVlanId ? n.voice_vlan : n.native_vlan) = static_cast<uint32_t>(number);
      }
    }
  }
  std::vector<Neighbour> list;
  std::set<std::string> seen_by_cdp;
  for (auto& [key, n] : neighbours) {
    if (auto name = if_names_.find(n.if_index); name != if_names_.end()) n.port = name->second;
    seen_by_cdp.insert(n.device);
    list.push_back(std::move(n));
  }
  // LLDP: phones that do not speak CDP. A switch without LLDP-MIB just has no rows.
  auto lldp_names = walk(kLldpRemSysName);
  // The local port and VLAN walks only when a phone is among the neighbours: a core switch
  // with LLDP to its peers only costs one walk a poll.
  const bool lldp_phones =
      lldp_names.ok() &&
      std::any_of(lldp_names->rows.begin(), lldp_names->rows.end(),
                  [](const VarBind& bind) { return bind.octets.rfind("SEP", 0) == 0; });
  if (lldp_phones) {
    const auto local_ports = lldp_local_interfaces();
    const auto voice_vlans = lldp_med_voice_vlans();
    const size_t base = oid_of(kLldpRemSysName).size();
    for (const auto& bind : lldp_names->rows) {
      if (bind.oid.size() != base + 3 || bind.type != ValueType::kOctets ||
          seen_by_cdp.count(bind.octets))
        continue;
      Neighbour n;
      n.device = bind.octets;
      n.protocol = "lldp";
      if (auto port = local_ports.find(bind.oid[base + 1]); port != local_ports.end()) {
        n.if_index = port->second.if_index;
        n.port = port->second.name;
      }
      if (auto vlan = voice_vlans.find({bind.oid[base + 1], bind.oid[base + 2]});
          vlan != voice_vlans.end()) {
        n.voice_vlan = vlan->second;
      }
      list.push_back(std::move(n));
    }
  }
  for (auto& e : topology_.on_snapshot(context.time_us, list)) out.push_back(std::move(e));
  return Ok{};
}

std::map<uint32_t, LocalInterface> TargetPoller::lldp_local_interfaces() {
  // Every column may be missing (older agents have no subtype or description): a missing one
  // leaves fewer ways to match, never a failed poll.
  std::map<uint32_t, LldpLocalPort> ports;
  auto column = [&](const char* oid, auto apply) {
    auto table = walk(oid);
    if (!table.ok()) return;
    for (const auto& bind : table->rows) {
      LldpLocalPort& port = ports[bind.oid.back()];
      port.port_num = bind.oid.back();
      apply(port, bind);
    }
  };
  column(kLldpLocPortIdSubtype, [](LldpLocalPort& port, const VarBind& bind) {
    uint64_t subtype = 0;
    if (bind.as_unsigned(subtype) && subtype <= 7) port.id_subtype = static_cast<uint32_t>(subtype);
  });
  column(kLldpLocPortId, [](LldpLocalPort& port, const VarBind& bind) { port.id = bind.octets; });
  column(kLldpLocPortDesc,
         [](LldpLocalPort& port, const VarBind& bind) { port.description = bind.octets; });
  InterfaceNames interfaces;
  interfaces.name = if_names_;
  interfaces.alias = if_aliases_;  // this poll's interface walk read them already, if it ran
  auto text_column = [&](const char* oid, std::map<uint32_t, std::string>& into) {
    auto table = walk(oid);
    if (!table.ok()) return;
    for (const auto& bind : table->rows) {
      if (bind.type == ValueType::kOctets) into[bind.oid.back()] = bind.octets;
    }
  };
  text_column(kIfDescr, interfaces.description);
  if (interfaces.alias.empty()) text_column(kIfAlias, interfaces.alias);
  std::map<uint32_t, LocalInterface> out;
  for (const auto& [port_num, port] : ports)
    out[port_num] = resolve_lldp_local_port(port, interfaces);
  return out;
}

std::map<std::pair<uint32_t, uint32_t>, uint32_t> TargetPoller::lldp_med_voice_vlans() {
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> out;  // (local port, remote index) -> VLAN
  auto table = walk(kLldpMedRemPolicyVlanId);
  if (!table.ok())
    return out;  // no LLDP-MED: the VLAN stays unknown, the neighbour is still reported
  const size_t base = oid_of(kLldpMedRemPolicyVlanId).size();
  for (const auto& bind : table->rows) {
    if (bind.oid.size() < base + 4) continue;
    // The application type is one sub-identifier on most agents; as BITS it is
    // length-prefixed and voice is bit 1 (0x40).
    const auto app =
        std::vector<uint32_t>(bind.oid.begin() + static_cast<long>(base) + 3, bind.oid.end());
    const bool voice = app == std::vector<uint32_t>{1} || app == std::vector<uint32_t>{1, 0x40};
    uint64_t vlan = 0;
    if (!voice || !bind.as_unsigned(vlan) || vlan == 0 || vlan > 4094) continue;
    out[{bind.oid[base + 1], bind.oid[base + 2]}] = static_cast<uint32_t>(vlan);
  }
  return out;
}

void TargetPoller::publish_interface_names() {
  if (!directory_) return;
  // Traps come from the device's address, not from the name we gave it.
  auto endpoint = parse_endpoint(target_.snmp.address);
  directory_->publish(endpoint.ok() ? endpoint->host : target_.snmp.address, if_names_);
}

std::vector<regwatch::v1::Event> TargetPoller::poll_once() {
  std::vector<regwatch::v1::Event> events;
  counters_.polls.fetch_add(1);
  Status status = Ok{};
  if (!client_) {
    auto opened = SnmpClient::open(target_.snmp);
    if (opened.ok()) {
      client_ = std::move(opened).value();
    } else {
      status = opened.error();
    }
  }
  PollContext context{target_.name, 0, 0};
  data_gaps_.begin_poll();
  if (status.ok()) {
    auto uptime = client_->get({oid_of(kSysUpTime)});
    if (!uptime.ok()) {
      status = uptime.error();
    } else {
      context.time_us = clock_.now_us();
      uint64_t ticks = 0;
      if (!uptime->empty() && (*uptime)[0].as_unsigned(ticks))
        context.sys_uptime_ticks = static_cast<uint32_t>(ticks);
    }
  }
  if (status.ok() && target_.cpu) status = poll_cpu(context, events);
  if (status.ok() && target_.interfaces) status = poll_interfaces(context, events);
  if (status.ok() && target_.ccm_counts) status = poll_ccm(context, events);
  if (status.ok() && target_.ccm_counts) status = poll_ccm_tables(context, events);
  if (status.ok() && target_.topology) status = poll_topology(context, events);
  if (status.ok()) {
    consecutive_failures_ = 0;
    for (auto& e : data_gaps_.end_poll(clock_.now_us())) {
      log_data_missing(e);
      events.push_back(std::move(e));
    }
    return events;
  }
  counters_.failures.fetch_add(1);
  if (++consecutive_failures_ == 1) {
    regwatch::v1::Event failed;
    failed.set_event_time_us(clock_.now_us());
    failed.set_receive_time_us(failed.event_time_us());
    failed.set_origin(target_.name);
    failed.set_source(regwatch::v1::SOURCE_SNMP_POLL);
    failed.set_kind(regwatch::v1::SNMP_POLL_FAILED);
    failed.mutable_poll_failure()->set_target(target_.snmp.address);
    failed.mutable_poll_failure()->set_error(status.error().message);
    failed.mutable_poll_failure()->set_consecutive(consecutive_failures_);
    events.push_back(std::move(failed));
  }
  return events;
}

}  // namespace regwatch::agent::snmp
