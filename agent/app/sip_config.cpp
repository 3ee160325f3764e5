#include "agent/app/sip_config.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "agent/app/config_values.h"

namespace regwatch::agent {

void read_sip(config::YamlMap section, sip::SipSettings& s) {
  section.read("enabled", s.enabled);
  read_port_list(section, "ports", s.ports);
  read_port_list(section, "tls_ports", s.tls_ports);
  section.read("refresh_grace_s", s.refresh_grace_s);
  read_at_least_one(section, "unanswered_after_ms", s.unanswered_after_ms);
  read_at_least_one(section, "latency_window_s", s.latency_window_s);
  section.read("slow_threshold_ms", s.slow_threshold_ms);
  if (s.slow_threshold_ms <= 0) section.error("slow_threshold_ms", "must be above 0");
  section.read("slow_min_phones", s.slow_min_phones);
  section.read("slow_fraction", s.slow_fraction);
  if (s.slow_fraction <= 0 || s.slow_fraction > 1) {
    section.error("slow_fraction", "must be above 0 and at most 1");
  }
  section.read("reject_repeat_s", s.reject_repeat_s);
  read_at_least_one(section, "max_phones", s.max_phones);
  read_at_least_one(section, "max_transactions", s.max_transactions);
  read_at_least_one(section, "max_connections", s.max_connections);
  read_at_least_one(section, "max_held_bytes_per_direction", s.max_held_bytes_per_direction);
  read_at_least_one(section, "max_held_bytes_total", s.max_held_bytes_total);
  read_at_least_one(section, "idle_connection_timeout_s", s.idle_connection_timeout_s);
  read_at_least_one(section, "phone_forget_s", s.phone_forget_s);
  section.finish();
}

void write_sip(YAML::Emitter& out, const sip::SipSettings& d) {
  const auto ports = [](const std::vector<uint16_t>& p) {
    return std::vector<uint32_t>(p.begin(), p.end());
  };
  const auto size = [](size_t n) { return static_cast<uint64_t>(n); };
  out << YAML::Key << "sip" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << d.enabled
      << YAML::Comment("SIP REGISTERs on sccp.capture's interface (docs/sip.md)");
  out << YAML::Key << "ports" << YAML::Value << YAML::Flow << ports(d.ports)
      << YAML::Comment("UDP and TCP, decoded");
  out << YAML::Key << "tls_ports" << YAML::Value << YAML::Flow << ports(d.tls_ports)
      << YAML::Comment("sessions, timing and resets only");
  out << YAML::Key << "refresh_grace_s" << YAML::Value << d.refresh_grace_s
      << YAML::Comment("keepalive_missed this long past the granted Expires (CUCM allows ~15 s)");
  out << YAML::Key << "unanswered_after_ms" << YAML::Value << d.unanswered_after_ms
      << YAML::Comment("a REGISTER without a final answer this long: keepalive_unanswered");
  out << YAML::Key << "latency_window_s" << YAML::Value << d.latency_window_s;
  out << YAML::Key << "slow_threshold_ms" << YAML::Value << d.slow_threshold_ms;
  out << YAML::Key << "slow_min_phones" << YAML::Value << d.slow_min_phones;
  out << YAML::Key << "slow_fraction" << YAML::Value << d.slow_fraction;
  out << YAML::Key << "reject_repeat_s" << YAML::Value << d.reject_repeat_s
      << YAML::Comment("the same reject of one phone is said again after this long");
  out << YAML::Key << "max_phones" << YAML::Value << size(d.max_phones);
  out << YAML::Key << "max_transactions" << YAML::Value << size(d.max_transactions);
  out << YAML::Key << "max_connections" << YAML::Value << size(d.max_connections);
  out << YAML::Key << "max_held_bytes_per_direction" << YAML::Value
      << size(d.max_held_bytes_per_direction);
  out << YAML::Key << "max_held_bytes_total" << YAML::Value << size(d.max_held_bytes_total);
  out << YAML::Key << "idle_connection_timeout_s" << YAML::Value << d.idle_connection_timeout_s;
  out << YAML::Key << "phone_forget_s" << YAML::Value << d.phone_forget_s;
  out << YAML::EndMap;
}

}  // namespace regwatch::agent
