#include "agent/app/agent_metrics.h"

#include <array>
#include <numeric>

#include "agent/app/line_pipeline.h"
#include "agent/app/live_capture.h"
#include "agent/shipper/shipper.h"
#include "agent/snmp/poll_scheduler.h"
#include "agent/snmp/trap_receiver.h"
#include "agent/spool/spool.h"
#include "agent/syslog/syslog_listener.h"

namespace regwatch::agent {
namespace {

using metrics::MetricType;
using metrics::Sample;
using Samples = std::vector<Sample>;

double d(uint64_t value) {
  return static_cast<double>(value);
}

// The shipper's state as one of a few words: what "is this agent delivering?" needs.
std::string shipper_state(const shipper::ShipperStats& stats) {
  if (stats.connected) return "connected";
  if (stats.refused_by_all) return "refused";
  return stats.last_error.empty() ? "connecting" : "retrying";
}

}  // namespace

std::string input_of_drop_reason(const std::string& reason) {
  if (reason.starts_with("syslog_")) return "syslog";
  if (reason.starts_with("snmp_trap") || reason.starts_with("trap_")) return "snmp_trap";
  if (reason.starts_with("capture_")) return "sccp_capture";
  return "other";
}

AgentMetrics::AgentMetrics(AgentMetricSources sources, metrics::Registry& registry)
    : sources_(std::move(sources)) {
  const auto& s = sources_;
  auto add = [&](const char* name, const char* help, MetricType type,
                 const std::vector<std::string>& labels, metrics::Collect collect) {
    handles_.push_back(registry.callback(name, help, type, labels, std::move(collect)));
  };

  // Reading: lines, datagrams, packets, PDUs.
  add("regwatch_agent_lines_read_total", "Syslog lines read (UDP and TCP).", MetricType::counter,
      {"input"}, [&s] {
        Samples out;
        if (s.listener) out.push_back({{"syslog"}, d(s.listener->stats().frames)});
        return out;
      });
  add("regwatch_agent_packets_read_total",
      "Packets read: syslog UDP datagrams, SNMP trap PDUs, captured frames (SCCP capture).",
      MetricType::counter, {"input"}, [&s] {
        Samples out;
        if (s.listener) out.push_back({{"syslog"}, d(s.listener->stats().udp_datagrams)});
        if (s.traps) out.push_back({{"snmp_trap"}, d(s.traps->stats().received)});
        if (s.capture) out.push_back({{"sccp_capture"}, d(s.capture->stats().packets)});
        return out;
      });

  // Events: parsed, spooled, lost to a full spool.
  add("regwatch_agent_events_parsed_total",
      "Events made from what an input read (a syslog line the parser does not know is still an "
      "event: syslog_other).",
      MetricType::counter, {"input"}, [&s] {
        Samples out;
        if (s.pipeline) out.push_back({{"syslog"}, d(s.pipeline->counts().events)});
        const std::array<std::pair<const char*, const InputTally*>, 3> tallies{
            {{"snmp_poll", s.snmp_poll_tally},
             {"snmp_trap", s.snmp_trap_tally},
             {"sccp_capture", s.capture_tally}}};
        for (const auto& [input, tally] : tallies) {
          if (tally) out.push_back({{input}, d(tally->spooled + tally->dropped)});
        }
        return out;
      });
  add("regwatch_agent_events_spooled_total", "Events written to the spool, by input.",
      MetricType::counter, {"input"}, [&s] {
        Samples out;
        if (s.pipeline) {
          const auto counts = s.pipeline->counts();
          out.push_back({{"syslog"}, d(counts.events - counts.spool_dropped)});
        }
        const std::array<std::pair<const char*, const InputTally*>, 3> tallies{
            {{"snmp_poll", s.snmp_poll_tally},
             {"snmp_trap", s.snmp_trap_tally},
             {"sccp_capture", s.capture_tally}}};
        for (const auto& [input, tally] : tallies) {
          if (tally) out.push_back({{input}, d(tally->spooled)});
        }
        return out;
      });
  add("regwatch_agent_input_drops_total",
      "What inputs lost before it became an event, by input and reason (the same totals the "
      "agent reports to the collector as agent_drops; SCCP capture: the kernel's pcap_stats "
      "drops), plus events lost to a full spool (reason spool_full).",
      MetricType::counter, {"input", "reason"}, [&s] {
        Samples out;
        if (s.input_drops) {
          for (const auto& [reason, total] : s.input_drops())
            out.push_back({{input_of_drop_reason(reason), reason}, d(total)});
        }
        if (s.capture) {
          out.push_back({{"sccp_capture", "capture_kernel_drop"}, d(s.capture->kernel_drops())});
        }
        if (s.pipeline)
          out.push_back({{"syslog", "spool_full"}, d(s.pipeline->counts().spool_dropped)});
        const std::array<std::pair<const char*, const InputTally*>, 3> tallies{
            {{"snmp_poll", s.snmp_poll_tally},
             {"snmp_trap", s.snmp_trap_tally},
             {"sccp_capture", s.capture_tally}}};
        for (const auto& [input, tally] : tallies) {
          if (tally) out.push_back({{input, "spool_full"}, d(tally->dropped)});
        }
        return out;
      });

  // The spool.
  if (s.spool) {
    add("regwatch_agent_spool_bytes", "Bytes the spool's segment files hold on disk.",
        MetricType::gauge, {}, [&s] {
          return Samples{{{}, d(s.spool->stats().bytes_on_disk)}};
        });
    add("regwatch_agent_spool_max_bytes", "The spool's bound on disk (spool.max_size).",
        MetricType::gauge, {}, [&s] {
          return Samples{{{}, d(s.spool_max_bytes)}};
        });
    add("regwatch_agent_spool_records_total", "Records appended to the spool (its last seq).",
        MetricType::counter, {}, [&s] {
          return Samples{{{}, d(s.spool->stats().last_seq)}};
        });
    add("regwatch_agent_spool_unacked_records",
        "Records in the spool the collector has not acknowledged yet.", MetricType::gauge, {},
        [&s] {
          const auto stats = s.spool->stats();
          return Samples{{{}, d(stats.last_seq - std::min(stats.acked_seq, stats.last_seq))}};
        });
    add("regwatch_agent_spool_segments", "Segment files of the spool.", MetricType::gauge, {},
        [&s] {
          return Samples{{{}, d(s.spool->stats().segments)}};
        });
    add("regwatch_agent_spool_dropped_total",
        "Records the spool dropped by its drop policy because it was full.", MetricType::counter,
        {}, [&s] {
          return Samples{{{}, d(s.spool->stats().dropped_total)}};
        });
  }

  // The shipper.
  if (s.shipper) {
    add("regwatch_agent_shipper_state",
        "1 for the shipper's state now (connected, connecting, retrying, refused), 0 for the "
        "others.",
        MetricType::gauge, {"state"}, [&s] {
          const std::string now = shipper_state(s.shipper->stats());
          Samples out;
          for (const char* state : {"connected", "connecting", "retrying", "refused"})
            out.push_back({{state}, now == state ? 1.0 : 0.0});
          return out;
        });
    add("regwatch_agent_shipper_stream_failures_total",
        "Streams to the collector that ended with an error.", MetricType::counter, {}, [&s] {
          return Samples{{{}, d(s.shipper->stats().failures)}};
        });
    add("regwatch_agent_shipper_ack_stalls_total",
        "Streams given up because the collector owed an ack for collector.ack_timeout_s (the "
        "connection up, no ack): counted in the stream failures too.",
        MetricType::counter, {}, [&s] {
          return Samples{{{}, d(s.shipper->stats().ack_stalls)}};
        });
    add("regwatch_agent_collector_failovers_total",
        "Times shipping resumed on another collector than the one that worked last (the "
        "collector.address list).",
        MetricType::counter, {}, [&s] {
          return Samples{{{}, d(s.shipper->stats().failovers)}};
        });
    add("regwatch_agent_collector_current",
        "1 for the configured collector the agent ships to now (or tries next), 0 for the others.",
        MetricType::gauge, {"collector"}, [&s] {
          const std::string now = s.shipper->stats().collector;
          Samples out;
          for (const auto& address : s.shipper->collectors())
            out.push_back({{address}, address == now ? 1.0 : 0.0});
          return out;
        });
    add("regwatch_agent_acked_events_total",
        "Events the collector acknowledged, by its answer: stored or duplicate.",
        MetricType::counter, {"result"}, [&s] {
          const auto stats = s.shipper->stats();
          return Samples{{{"stored"}, d(stats.events_stored)},
                         {{"duplicate"}, d(stats.duplicates)}};
        });
  }

  // SNMP polling, by configured target (the duration histogram is the scheduler's).
  if (s.snmp) {
    add("regwatch_snmp_polls_total", "Polls of an SNMP target.", MetricType::counter, {"target"},
        [&s] {
          Samples out;
          for (const auto& t : s.snmp->target_counts()) out.push_back({{t.name}, d(t.polls)});
          return out;
        });
    add("regwatch_snmp_poll_failures_total",
        "Polls of an SNMP target that failed (timeout, refused, an error from the device).",
        MetricType::counter, {"target"}, [&s] {
          Samples out;
          for (const auto& t : s.snmp->target_counts()) out.push_back({{t.name}, d(t.failures)});
          return out;
        });
    add("regwatch_agent_snmp_target_incomplete",
        "1 while an SNMP target answers but lacks what its role needs (missing names the MIB or "
        "table; see the snmp_data_missing event and the agent's log for the fix), else 0.",
        MetricType::gauge, {"target", "role", "missing"}, [&s] {
          Samples out;
          for (const auto& t : s.snmp->target_data_states())
            out.push_back({{t.name, t.role, t.need.missing}, t.need.is_missing ? 1.0 : 0.0});
          return out;
        });
  }
  if (s.traps) {
    add("regwatch_snmp_traps_received_total",
        "SNMP trap and inform PDUs received (accepted or not; the refused ones are in "
        "regwatch_agent_input_drops_total{input=\"snmp_trap\"}).",
        MetricType::counter, {}, [&s] {
          return Samples{{{}, d(s.traps->stats().received)}};
        });
  }
  if (s.capture) {
    add("regwatch_sccp_phones_tracked", "Distinct phones the SCCP capture has seen register.",
        MetricType::gauge, {}, [&s] {
          return Samples{{{}, d(s.capture->stats().phones)}};
        });
    add("regwatch_boot_phones_tracked",
        "Phones the boot-chain analyzers follow now (from DHCP or their downloads).",
        MetricType::gauge, {}, [&s] {
          return Samples{{{}, d(s.capture->boot_stats().clients)}};
        });
    add("regwatch_boot_files_total",
        "Boot-chain downloads (TFTP and HTTP 6970) by file kind or failure: outcome fetched or "
        "failed.",
        MetricType::counter, {"outcome", "kind"}, [&s] {
          Samples out;
          const auto stats = s.capture->boot_stats();
          for (const auto& [kind, n] : stats.files_fetched)
            out.push_back({{"fetched", kind}, d(n)});
          for (const auto& [why, n] : stats.files_failed) out.push_back({{"failed", why}, d(n)});
          return out;
        });
    add("regwatch_sip_registrations_tracked",
        "SIP registrations (a phone's lines) the SIP capture follows now, and their phones.",
        MetricType::gauge, {"of"}, [&s] {
          const auto stats = s.capture->sip_stats();
          return Samples{{{"lines"}, d(stats.registrations)}, {{"phones"}, d(stats.phones)}};
        });
    add("regwatch_sip_messages_total",
        "SIP messages the capture decoded, by method or status (REGISTER, 200, 401, ...).",
        MetricType::counter, {"type"}, [&s] {
          Samples out;
          for (const auto& [type, n] : s.capture->sip_stats().messages_by_type)
            out.push_back({{type}, d(n)});
          return out;
        });
    add("regwatch_sip_anomalies_total",
        "SIP packets the capture could not use, by what was wrong (sip_not_sip, sip_bad_length, "
        "tcp_gap, ...), and bounds that bit (phones_full, transactions_full, ...).",
        MetricType::counter, {"anomaly"}, [&s] {
          Samples out;
          for (const auto& [name, n] : s.capture->sip_stats().anomalies)
            out.push_back({{name}, d(n)});
          return out;
        });
    add("regwatch_boot_anomalies_total",
        "Boot-chain packets the analyzers could not use, by what was wrong (dhcp_truncated_option, "
        "tftp_block_gap, http_gap, ...), and bounds that bit (boot_clients_full, ...).",
        MetricType::counter, {"anomaly"}, [&s] {
          Samples out;
          for (const auto& [name, n] : s.capture->boot_stats().anomalies)
            out.push_back({{name}, d(n)});
          return out;
        });
  }
}

}  // namespace regwatch::agent
