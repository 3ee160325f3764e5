#include "agent/app/boot_config.h"

#include <string>
#include <utility>
#include <vector>

#include "agent/app/config_values.h"

namespace regwatch::agent {

void read_boot(config::YamlMap section, boot::BootSettings& settings) {
  section.read("enabled", settings.enabled);
  read_port_list(section, "dhcp_ports", settings.dhcp_ports);
  read_port_list(section, "tftp_ports", settings.tftp_ports);
  read_port_list(section, "http_ports", settings.http_ports);
  read_at_least_one(section, "transfer_timeout_s", settings.transfer_timeout_s);
  read_at_least_one(section, "dhcp_offer_timeout_s", settings.dhcp_offer_timeout_s);
  read_at_least_one(section, "no_tftp_grace_s", settings.no_tftp_grace_s);
  read_at_least_one(section, "server_silence_s", settings.server_silence_s);
  read_at_least_one(section, "max_clients", settings.max_clients);
  read_at_least_one(section, "max_transfers", settings.max_transfers);
  read_at_least_one(section, "client_idle_s", settings.client_idle_s);
  uint64_t max_config_bytes = settings.max_config_bytes;
  section.read("max_config_bytes", max_config_bytes);
  settings.max_config_bytes = static_cast<size_t>(max_config_bytes);
  section.finish();
}

void write_boot(YAML::Emitter& out, const boot::BootSettings& d) {
  const auto ports = [](const std::vector<uint16_t>& p) {
    return std::vector<uint32_t>(p.begin(), p.end());
  };
  out << YAML::Key << "boot" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << d.enabled
      << YAML::Comment("DHCP, TFTP and HTTP 6970 on sccp.capture's interface (docs/boot-chain.md)");
  out << YAML::Key << "dhcp_ports" << YAML::Value << YAML::Flow << ports(d.dhcp_ports);
  out << YAML::Key << "tftp_ports" << YAML::Value << YAML::Flow << ports(d.tftp_ports)
      << YAML::Comment("read requests; transfers follow on the ports the server picks");
  out << YAML::Key << "http_ports" << YAML::Value << YAML::Flow << ports(d.http_ports)
      << YAML::Comment("config downloads over HTTP (6971 is HTTPS: not readable)");
  out << YAML::Key << "transfer_timeout_s" << YAML::Value << d.transfer_timeout_s
      << YAML::Comment("a download with no packet this long stopped (no_answer / timeout)");
  out << YAML::Key << "dhcp_offer_timeout_s" << YAML::Value << d.dhcp_offer_timeout_s
      << YAML::Comment("DISCOVERs without an OFFER this long: dhcp_unanswered");
  out << YAML::Key << "no_tftp_grace_s" << YAML::Value << d.no_tftp_grace_s
      << YAML::Comment("a phone leased without option 150/66 that fetched nothing this long");
  out << YAML::Key << "server_silence_s" << YAML::Value << d.server_silence_s
      << YAML::Comment("a TFTP server unanswering this long: tftp_server_unanswered");
  out << YAML::Key << "max_clients" << YAML::Value << d.max_clients;
  out << YAML::Key << "max_transfers" << YAML::Value << d.max_transfers;
  out << YAML::Key << "client_idle_s" << YAML::Value << d.client_idle_s;
  out << YAML::Key << "max_config_bytes" << YAML::Value << static_cast<uint64_t>(d.max_config_bytes)
      << YAML::Comment("configs are read for their CM group up to this size");
  out << YAML::EndMap;
}

}  // namespace regwatch::agent
