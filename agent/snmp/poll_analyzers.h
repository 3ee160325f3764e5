#pragma once
// What one SNMP poll of a target means, as events. Pure: the poller hands in
// the values it fetched and the poll's time; these classes keep the per-target
// state needed for deltas and transitions (one instance per target), and never
// fetch anything themselves.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/snmp/counter_delta.h"
#include "agent/snmp/cpu_readings.h"
#include "agent/snmp/threshold_tracker.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::snmp {

struct PollContext {
  std::string origin;   // the target's name
  int64_t time_us = 0;  // when the response arrived
  uint32_t sys_uptime_ticks = 0;
};

// cpu_sample every poll; cpu_high / cpu_normal on transitions of the average. Every event
// carries each CPU by name (members) and the busiest one's name (busiest), so a stack's or SVL
// pair's busy member is named.
class CpuAnalyzer {
 public:
  CpuAnalyzer(std::string role, ThresholdSettings settings)
      : role_(std::move(role)), tracker_(settings), settings_(settings) {}
  std::vector<regwatch::v1::Event> on_poll(const PollContext& poll,
                                           const std::vector<CpuReading>& readings);
  // Unnamed CPUs ("CPU 1", "CPU 2", ... in order).
  std::vector<regwatch::v1::Event> on_poll(const PollContext& poll,
                                           const std::vector<double>& per_cpu_percent);

 private:
  std::string role_;
  ThresholdTracker tracker_;
  ThresholdSettings settings_;
};

struct InterfaceRow {
  uint32_t if_index = 0;
  std::string name;
  std::string alias;
  std::optional<uint32_t> oper_status;  // 1 up, 2 down, ... 7 lowerLayerDown
  std::optional<uint64_t> in_errors, out_errors, in_discards, out_discards;  // Counter32
  std::optional<uint64_t> fcs_errors;                                        // Counter32
  std::optional<uint64_t> hc_in_octets, hc_out_octets;                       // Counter64
};

struct InterfaceSettings {
  uint64_t errors_per_poll = 10;  // in+out errors, discards and FCS errors together
};

// interface_errors when error deltas cross the threshold; link_down / link_up
// when ifOperStatus changes between polls (not on the first poll).
class InterfaceAnalyzer {
 public:
  explicit InterfaceAnalyzer(InterfaceSettings settings) : settings_(settings) {}
  std::vector<regwatch::v1::Event> on_poll(const PollContext& poll,
                                           const std::vector<InterfaceRow>& rows);
  uint64_t discontinuities() const { return discontinuities_; }

 private:
  struct State {
    std::optional<uint32_t> oper_status;
    CounterTracker in_errors{CounterWidth::k32}, out_errors{CounterWidth::k32};
    CounterTracker in_discards{CounterWidth::k32}, out_discards{CounterWidth::k32};
    CounterTracker fcs_errors{CounterWidth::k32};
    CounterTracker in_octets{CounterWidth::k64}, out_octets{CounterWidth::k64};
    std::optional<int64_t> previous_time_us;
  };
  InterfaceSettings settings_;
  std::map<uint32_t, State> interfaces_;
  uint64_t discontinuities_ = 0;
};

// registered_phones every poll, with the change since the previous poll (what
// RTMT's NumberOfRegisteredPhonesDropped watches).
class CcmCountsAnalyzer {
 public:
  regwatch::v1::Event on_poll(const PollContext& poll, uint64_t registered, uint64_t unregistered,
                              uint64_t rejected, uint64_t partially);

 private:
  std::optional<uint64_t> previous_registered_;
};

}  // namespace regwatch::agent::snmp
