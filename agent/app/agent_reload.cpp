#include "agent/app/agent_reload.h"

#include "common/start_only_key.h"

namespace regwatch::agent {
using config::keep_start_only;

AgentReloadPlan plan_agent_reload(const AgentConfig& running, const AgentConfig& next) {
  AgentReloadPlan plan;
  plan.effective = next;
  AgentConfig& e = plan.effective;
  auto& changed = plan.needs_restart;
  keep_start_only("agent_id", running.agent_id, e.agent_id, changed);
  keep_start_only("collector", running.collector, e.collector, changed);
  keep_start_only("spool", running.spool, e.spool, changed);
  keep_start_only("syslog.udp", running.syslog.udp, e.syslog.udp, changed);
  keep_start_only("syslog.tcp", running.syslog.tcp, e.syslog.tcp, changed);
  // The listeners' limits: everything of syslog but the addresses and the parsing offset.
  {
    SyslogSettings limits = e.syslog;
    limits.udp = running.syslog.udp;
    limits.tcp = running.syslog.tcp;
    limits.assume_utc_offset = running.syslog.assume_utc_offset;
    if (!(limits == running.syslog)) {
      changed.emplace_back("syslog (listener limits and buffers)");
      const std::string offset = e.syslog.assume_utc_offset;
      e.syslog = running.syslog;
      e.syslog.assume_utc_offset = offset;
    }
  }
  keep_start_only("snmp.traps", running.snmp.traps, e.snmp.traps, changed);
  keep_start_only("snmp.trap_users", running.snmp.trap_users, e.snmp.trap_users, changed);
  keep_start_only("snmp.trap_receive_buffer_bytes", running.snmp.trap_receive_buffer_bytes,
                  e.snmp.trap_receive_buffer_bytes, changed);
  keep_start_only("snmp.community", running.snmp.community, e.snmp.community, changed);
  keep_start_only("snmp.workers", running.snmp.workers, e.snmp.workers, changed);
  keep_start_only("sccp", running.sccp, e.sccp, changed);
  keep_start_only("boot", running.boot, e.boot, changed);
  keep_start_only("sip", running.sip, e.sip, changed);
  keep_start_only("metrics", running.metrics, e.metrics, changed);

  plan.log_level = e.log_level != running.log_level || e.log_format != running.log_format;
  plan.parsing = e.syslog.assume_utc_offset != running.syslog.assume_utc_offset ||
                 !(e.origin_senders == running.origin_senders);
  plan.snmp_settings = e.snmp.cpu_threshold_percent != running.snmp.cpu_threshold_percent ||
                       e.snmp.cpu_duration_s != running.snmp.cpu_duration_s ||
                       e.snmp.interface_errors_per_poll != running.snmp.interface_errors_per_poll;
  plan.snmp_targets = plan.snmp_settings || !(e.snmp.targets == running.snmp.targets);
  return plan;
}

}  // namespace regwatch::agent
