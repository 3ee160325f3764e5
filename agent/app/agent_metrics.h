#pragma once
// The live agent's Prometheus metrics (docs/metrics.md), read at scrape time from the counters
// its parts keep anyway (the pipeline's counts, the listener's, the spool's, the shipper's,
// the pollers', the trap receiver's, the capture's), so nothing is counted twice. The only
// counting of its own is InputTally: what the SNMP, trap and capture sinks spooled or lost
// to a full spool (the syslog pipeline counts its own).
//
// Inputs are labelled syslog, snmp_poll, snmp_trap and sccp_capture; SNMP targets by their
// configured name. Never a phone or a sender address (low cardinality: family.h).
//
// Threads: the metrics are read on the scraping thread; everything given must outlive this
// object, which unregisters its callbacks (waiting for a scrape in progress) when destroyed.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/metrics/registry.h"

namespace regwatch::agent {

class LinePipeline;
class LiveCapture;
namespace spool {
class Spool;
}
namespace shipper {
class Shipper;
}
namespace syslog {
class SyslogListener;
}
namespace snmp {
class PollScheduler;
class TrapReceiver;
}  // namespace snmp

// Events an input handed to the spool: kept, or dropped because the spool was full.
struct InputTally {
  std::atomic<uint64_t> spooled{0};
  std::atomic<uint64_t> dropped{0};
  void count(bool kept) { (kept ? spooled : dropped).fetch_add(1, std::memory_order_relaxed); }
};

// What the metrics read; null for a part this agent does not run.
struct AgentMetricSources {
  const LinePipeline* pipeline = nullptr;
  const syslog::SyslogListener* listener = nullptr;
  const spool::Spool* spool = nullptr;
  uint64_t spool_max_bytes = 0;
  const shipper::Shipper* shipper = nullptr;
  const snmp::PollScheduler* snmp = nullptr;
  const snmp::TrapReceiver* traps = nullptr;
  const LiveCapture* capture = nullptr;
  const InputTally* snmp_poll_tally = nullptr;
  const InputTally* snmp_trap_tally = nullptr;
  const InputTally* capture_tally = nullptr;
  // The inputs' drop totals by reason, as the drop reporter sends them to the collector
  // ("syslog_queue_full", "snmp_trap_unknown_community", ...).
  std::function<std::map<std::string, uint64_t>()> input_drops;
};

class AgentMetrics {
 public:
  explicit AgentMetrics(AgentMetricSources sources,
                        metrics::Registry& registry = metrics::default_registry());
  AgentMetrics(const AgentMetrics&) = delete;  // the callbacks hold on to sources_
  AgentMetrics& operator=(const AgentMetrics&) = delete;

 private:
  AgentMetricSources sources_;
  std::vector<metrics::CallbackHandle> handles_;
};

// The input a drop reason belongs to, by the reason's name: syslog, snmp_trap, sccp_capture.
std::string input_of_drop_reason(const std::string& reason);

}  // namespace regwatch::agent
