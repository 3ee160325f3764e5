#pragma once
// Polls one SNMP target: fetches what its role needs (CPU table, IF-MIB and
// EtherLike columns, CISCO-CCM-MIB counts) and turns it into events through
// the pure analyzers. Values of the wrong type are counted and skipped, never
// trusted. After the first failure in a row it emits one snmp_poll_failed
// event (not one per poll), and counts the rest. A target that answers but lacks
// what its role needs (role_data.h) gets snmp_data_missing events and a WARN log
// line, rate-limited by its DataGapTracker.
//
// Threads: one poll at a time per instance (the scheduler guarantees it).
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/snmp/ccm_tables.h"
#include "agent/snmp/cpu_readings.h"
#include "agent/snmp/interface_directory.h"
#include "agent/snmp/lldp_local_ports.h"
#include "agent/snmp/poll_analyzers.h"
#include "agent/snmp/role_data.h"
#include "agent/snmp/snmp_client.h"
#include "agent/snmp/topology.h"
#include "common/clock.h"

namespace regwatch::agent::snmp {

struct PollTarget {
  std::string name;             // the origin of its events
  std::string role = "server";  // cucm, switch, server
  SnmpTargetSettings snmp;
  uint32_t interval_s = 60;
  bool cpu = true;
  bool interfaces = true;
  bool ccm_counts = false;  // on by default for role cucm
  bool topology = false;    // CDP neighbours; on by default for role switch
  // A reload keeps the poller (and what it learned) of a target whose settings are equal.
  bool operator==(const PollTarget&) const = default;
};

struct PollerCounters {
  std::atomic<uint64_t> polls{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> wrong_type{0};
  std::atomic<uint64_t> truncated_walks{0};
};

class TargetPoller {
 public:
  TargetPoller(PollTarget target, ThresholdSettings cpu, InterfaceSettings interfaces,
               const Clock& clock);
  std::vector<regwatch::v1::Event> poll_once();
  const PollTarget& target() const { return target_; }
  const PollerCounters& counters() const { return counters_; }
  // What its role needs and whether the target has it (thread-safe: for the metrics).
  const DataGapTracker& data_gaps() const { return data_gaps_; }
  // Interface names learned by polling go there too (for link traps); the
  // directory must outlive the poller.
  void publish_interfaces_to(InterfaceDirectory& directory) { directory_ = &directory; }

 private:
  Status poll_cpu(const PollContext& context, std::vector<regwatch::v1::Event>& out);
  Status poll_interfaces(const PollContext& context, std::vector<regwatch::v1::Event>& out);
  Status poll_ccm(const PollContext& context, std::vector<regwatch::v1::Event>& out);
  Status poll_ccm_tables(const PollContext& context, std::vector<regwatch::v1::Event>& out);
  Status poll_topology(const PollContext& context, std::vector<regwatch::v1::Event>& out);
  Result<WalkResult> walk(const char* oid);
  void publish_interface_names();
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> lldp_med_voice_vlans();
  // lldpLocPortNum -> the interface it is (agent/snmp/lldp_local_ports.h).
  std::map<uint32_t, LocalInterface> lldp_local_interfaces();
  Result<std::vector<CpuReading>> cpm_cpu_readings();       // switches: named, per member
  Result<std::vector<CpuReading>> hr_processor_readings();  // servers and CUCM nodes

  PollTarget target_;
  const Clock& clock_;
  std::unique_ptr<SnmpClient> client_;
  CpuAnalyzer cpu_;
  InterfaceAnalyzer interfaces_;
  CcmCountsAnalyzer ccm_;
  TableCursor status_cursor_;
  TableCursor failed_cursor_;
  TopologyTracker topology_;
  DataGapTracker data_gaps_;
  std::map<uint32_t, std::string> if_names_;    // from the last interface walk
  std::map<uint32_t, std::string> if_aliases_;  // likewise; empty when interfaces are not polled
  InterfaceDirectory* directory_ = nullptr;
  uint32_t consecutive_failures_ = 0;
  PollerCounters counters_;
};

}  // namespace regwatch::agent::snmp
