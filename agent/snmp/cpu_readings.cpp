#include "agent/snmp/cpu_readings.h"

#include <set>

namespace regwatch::agent::snmp {

std::vector<CpuReading> join_cpm_rows(const CpmCpuColumns& columns,
                                      const std::map<uint32_t, std::string>& entity_names,
                                      uint64_t& rejected) {
  std::vector<CpuReading> readings;
  for (const auto& [index, value] : columns.five_second) {
    if (value > 100) {
      ++rejected;
      continue;
    }
    CpuReading reading;
    reading.percent = static_cast<double>(value);
    if (auto five = columns.five_minute.find(index);
        five != columns.five_minute.end() && five->second <= 100) {
      reading.five_minute_percent = static_cast<double>(five->second);
    }
    if (auto entity = columns.physical_index.find(index);
        entity != columns.physical_index.end() && entity->second <= UINT32_MAX) {
      reading.physical_index = static_cast<uint32_t>(entity->second);
    }
    if (auto name = entity_names.find(reading.physical_index);
        reading.physical_index != 0 && name != entity_names.end() && !name->second.empty()) {
      reading.name = name->second;
    } else {
      reading.name = "CPU " + std::to_string(index);
    }
    readings.push_back(std::move(reading));
  }
  return readings;
}

std::vector<uint32_t> entities_of(const CpmCpuColumns& columns) {
  std::set<uint32_t> entities;
  for (const auto& [index, entity] : columns.physical_index) {
    if (entity != 0 && entity <= UINT32_MAX && columns.five_second.count(index))
      entities.insert(static_cast<uint32_t>(entity));
  }
  return {entities.begin(), entities.end()};
}

const CpuReading* busiest_of(const std::vector<CpuReading>& readings) {
  const CpuReading* busiest = nullptr;
  for (const auto& reading : readings) {
    if (!busiest || reading.percent > busiest->percent) busiest = &reading;
  }
  return busiest;
}

}  // namespace regwatch::agent::snmp
