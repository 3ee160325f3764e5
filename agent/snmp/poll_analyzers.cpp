#include "agent/snmp/poll_analyzers.h"

#include <string>

namespace regwatch::agent::snmp {
namespace {

regwatch::v1::Event base_event(const PollContext& poll, regwatch::v1::EventKind kind) {
  regwatch::v1::Event e;
  e.set_event_time_us(poll.time_us);
  e.set_receive_time_us(poll.time_us);
  e.set_origin(poll.origin);
  e.set_source(regwatch::v1::SOURCE_SNMP_POLL);
  e.set_kind(kind);
  return e;
}

}  // namespace

std::vector<regwatch::v1::Event> CpuAnalyzer::on_poll(const PollContext& poll,
                                                      const std::vector<double>& per_cpu_percent) {
  std::vector<CpuReading> readings;
  readings.reserve(per_cpu_percent.size());
  for (const double percent : per_cpu_percent) {
    readings.push_back({"CPU " + std::to_string(readings.size() + 1), percent, std::nullopt, 0});
  }
  return on_poll(poll, readings);
}

std::vector<regwatch::v1::Event> CpuAnalyzer::on_poll(const PollContext& poll,
                                                      const std::vector<CpuReading>& readings) {
  std::vector<regwatch::v1::Event> events;
  const CpuReading* busiest = busiest_of(readings);
  if (!busiest) return events;
  double total = 0;
  for (const auto& reading : readings) total += reading.percent;
  const double average = total / static_cast<double>(readings.size());
  auto sample = base_event(poll, regwatch::v1::CPU_SAMPLE);
  auto* cpu = sample.mutable_cpu();
  cpu->set_percent(average);
  cpu->set_max_percent(busiest->percent);
  cpu->set_busiest(busiest->name);
  cpu->set_cpus(static_cast<uint32_t>(readings.size()));
  cpu->set_role(role_);
  cpu->set_threshold_percent(settings_.threshold);
  for (const auto& reading : readings) {
    auto* member = cpu->add_members();
    member->set_name(reading.name);
    member->set_percent(reading.percent);
    if (reading.five_minute_percent) member->set_five_minute_percent(*reading.five_minute_percent);
    member->set_physical_index(reading.physical_index);
  }
  events.push_back(sample);
  const TransitionEvent change = tracker_.update(poll.time_us, average);
  if (change.transition != Transition::kNone) {
    auto transition =
        base_event(poll, change.transition == Transition::kBecameHigh ? regwatch::v1::CPU_HIGH
                                                                      : regwatch::v1::CPU_NORMAL);
    *transition.mutable_cpu() = *cpu;
    transition.mutable_cpu()->set_since_us(change.since_us);
    transition.mutable_cpu()->set_peak_percent(change.peak);
    // The condition began with the first sample of the run: that is its event time.
    transition.set_event_time_us(change.since_us);
    events.push_back(transition);
  }
  return events;
}

std::vector<regwatch::v1::Event> InterfaceAnalyzer::on_poll(const PollContext& poll,
                                                            const std::vector<InterfaceRow>& rows) {
  std::vector<regwatch::v1::Event> events;
  for (const auto& row : rows) {
    State& state = interfaces_[row.if_index];
    if (row.oper_status && state.oper_status && *row.oper_status != *state.oper_status &&
        (*row.oper_status == 1 || *state.oper_status == 1)) {
      auto link =
          base_event(poll, *row.oper_status == 1 ? regwatch::v1::LINK_UP : regwatch::v1::LINK_DOWN);
      auto* iface = link.mutable_interface();
      iface->set_interface(row.name);
      iface->set_if_index(row.if_index);
      iface->set_state(*row.oper_status == 1 ? "up" : "down");
      events.push_back(link);
    }
    if (row.oper_status) state.oper_status = row.oper_status;

    auto delta = [&](CounterTracker& tracker,
                     const std::optional<uint64_t>& value) -> std::optional<CounterDelta> {
      if (!value) return std::nullopt;
      auto d = tracker.update(CounterSample{*value, poll.sys_uptime_ticks, poll.time_us});
      if (!d && tracker.last_discontinuity() != Discontinuity::kFirstSample) ++discontinuities_;
      return d;
    };
    const auto in_errors = delta(state.in_errors, row.in_errors);
    const auto out_errors = delta(state.out_errors, row.out_errors);
    const auto in_discards = delta(state.in_discards, row.in_discards);
    const auto out_discards = delta(state.out_discards, row.out_discards);
    const auto fcs = delta(state.fcs_errors, row.fcs_errors);
    const auto in_octets = delta(state.in_octets, row.hc_in_octets);
    const auto out_octets = delta(state.out_octets, row.hc_out_octets);
    const std::optional<int64_t> previous_time = state.previous_time_us;
    state.previous_time_us = poll.time_us;
    auto value = [](const std::optional<CounterDelta>& d) { return d ? d->delta : 0; };
    const uint64_t bad = value(in_errors) + value(out_errors) + value(in_discards) +
                         value(out_discards) + value(fcs);
    if (bad < settings_.errors_per_poll || !previous_time) continue;
    auto event = base_event(poll, regwatch::v1::INTERFACE_ERRORS);
    auto* counters = event.mutable_interface_counters();
    counters->set_if_index(row.if_index);
    counters->set_interface(row.name);
    counters->set_alias(row.alias);
    counters->set_in_errors(value(in_errors));
    counters->set_out_errors(value(out_errors));
    counters->set_in_discards(value(in_discards));
    counters->set_out_discards(value(out_discards));
    counters->set_fcs_errors(value(fcs));
    counters->set_interval_s(static_cast<double>(poll.time_us - *previous_time) / 1e6);
    if (in_octets) counters->set_in_bits_per_s(in_octets->per_second * 8);
    if (out_octets) counters->set_out_bits_per_s(out_octets->per_second * 8);
    events.push_back(event);
  }
  return events;
}

regwatch::v1::Event CcmCountsAnalyzer::on_poll(const PollContext& poll, uint64_t registered,
                                               uint64_t unregistered, uint64_t rejected,
                                               uint64_t partially) {
  auto event = base_event(poll, regwatch::v1::REGISTERED_PHONES);
  auto* counts = event.mutable_registered_phones();
  counts->set_registered(registered);
  counts->set_unregistered(unregistered);
  counts->set_rejected(rejected);
  counts->set_partially_registered(partially);
  if (previous_registered_) {
    counts->set_change_from_previous(static_cast<int64_t>(registered) -
                                     static_cast<int64_t>(*previous_registered_));
  }
  previous_registered_ = registered;
  return event;
}

}  // namespace regwatch::agent::snmp
