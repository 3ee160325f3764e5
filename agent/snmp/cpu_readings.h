#pragma once
// One reading per CPU of a device, with the CPU's name, built from the tables that carry them:
// CISCO-PROCESS-MIB cpmCPUTotalTable (indexed by cpmCPUTotalIndex, pointing at ENTITY-MIB
// through cpmCPUTotalPhysicalIndex) on switches, HOST-RESOURCES-MIB hrProcessorLoad elsewhere.
// Pure: the poller fetches the columns and hands them in.
//
// Why names: on a stack or an SVL pair each member has its own CPU row ("Switch 1 - CPU",
// "Switch 2 - CPU"); the member whose CPU is pegged is the one whose phones lose CDP and PoE.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace regwatch::agent::snmp {

struct CpuReading {
  std::string name;  // entPhysicalName, or "CPU <index>" when the device names none
  double percent = 0;
  std::optional<double> five_minute_percent;
  uint32_t physical_index = 0;  // entPhysicalIndex, 0 when none
};

// The cpmCPUTotalTable columns of one poll, each keyed by cpmCPUTotalIndex.
struct CpmCpuColumns {
  std::map<uint32_t, uint64_t> five_second;     // cpmCPUTotal5secRev: the rows that count
  std::map<uint32_t, uint64_t> five_minute;     // cpmCPUTotal5minRev
  std::map<uint32_t, uint64_t> physical_index;  // cpmCPUTotalPhysicalIndex (0: no entity)
};

// One reading per five_second row, in cpmCPUTotalIndex order. entity_names maps
// entPhysicalIndex -> entPhysicalName; a row whose entity is unknown or unnamed is
// "CPU <cpmCPUTotalIndex>". Values over 100 are not percentages: such rows are left out and
// counted in rejected (the caller counts them as wrong-type values).
std::vector<CpuReading> join_cpm_rows(const CpmCpuColumns& columns,
                                      const std::map<uint32_t, std::string>& entity_names,
                                      uint64_t& rejected);

// The entPhysicalIndex values the rows point at (non-zero, each once): what to fetch names for.
std::vector<uint32_t> entities_of(const CpmCpuColumns& columns);

// The busiest reading (the first of equals), or nullptr for none.
const CpuReading* busiest_of(const std::vector<CpuReading>& readings);

}  // namespace regwatch::agent::snmp
