#include "agent/app/snmp_setup.h"

#include <cstdlib>

#include "common/net_address.h"
#include "common/text_file.h"

namespace regwatch::agent {
namespace {

Result<std::string> secret(const std::string& env, const std::string& file,
                           const std::string& what) {
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (!value || !*value)
      return make_error("snmp_secret", what + ": environment variable " + env + " is not set");
    return std::string(value);
  }
  if (!file.empty()) {
    auto text = read_text_file(file, what.c_str());
    if (!text.ok()) return text.error();
    std::string value = *text;
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
  }
  return std::string();
}

struct V3Passphrases {
  std::string auth, priv;
};

// Both SNMPv3 passphrases of a target or a trap user (same member names).
template <typename V3>
Result<V3Passphrases> v3_passphrases(const V3& v3, const std::string& auth_what,
                                     const std::string& priv_what) {
  auto auth = secret(v3.auth_passphrase_env, v3.auth_passphrase_file, auth_what);
  if (!auth.ok()) return auth.error();
  auto priv = secret(v3.priv_passphrase_env, v3.priv_passphrase_file, priv_what);
  if (!priv.ok()) return priv.error();
  return V3Passphrases{*auth, *priv};
}

}  // namespace

Result<std::vector<std::unique_ptr<snmp::TargetPoller>>> make_snmp_pollers(
    const AgentConfig& config, const Clock& clock, snmp::InterfaceDirectory* directory) {
  snmp::ThresholdSettings cpu;
  cpu.threshold = config.snmp.cpu_threshold_percent;
  cpu.duration_us = int64_t{config.snmp.cpu_duration_s} * 1'000'000;
  snmp::InterfaceSettings interfaces{config.snmp.interface_errors_per_poll};
  std::vector<std::unique_ptr<snmp::TargetPoller>> pollers;
  for (const auto& t : config.snmp.targets) {
    snmp::PollTarget target;
    auto endpoint = parse_endpoint(t.address);
    target.name = !t.name.empty() ? t.name : endpoint.ok() ? endpoint->host : t.address;
    target.role = t.role;
    target.interval_s = t.interval_s;
    target.cpu = t.cpu;
    target.interfaces = t.interfaces;
    target.ccm_counts = t.role == "cucm";
    target.topology = t.role == "switch";
    auto& s = target.snmp;
    s.address = t.address;
    s.version = t.version;
    s.community = t.community.empty() ? config.snmp.community : t.community;
    s.user = t.user;
    s.auth_protocol = t.auth_protocol;
    s.priv_protocol = t.priv_protocol;
    s.timeout = std::chrono::milliseconds(t.timeout_ms);
    s.retries = static_cast<int>(t.retries);
    s.bulk_repetitions = t.bulk_repetitions;
    s.max_rows = t.max_rows;
    if (t.version == "3") {
      auto passphrases = v3_passphrases(t, "SNMPv3 auth passphrase of " + target.name,
                                        "SNMPv3 privacy passphrase of " + target.name);
      if (!passphrases.ok()) return passphrases.error();
      s.auth_passphrase = passphrases->auth;
      s.priv_passphrase = passphrases->priv;
      if (s.auth_passphrase.empty()) s.auth_protocol.clear();
      if (s.priv_passphrase.empty()) s.priv_protocol.clear();
    }
    auto poller = std::make_unique<snmp::TargetPoller>(std::move(target), cpu, interfaces, clock);
    if (directory) poller->publish_interfaces_to(*directory);
    pollers.push_back(std::move(poller));
  }
  return pollers;
}

Result<std::unique_ptr<snmp::PollScheduler>> make_snmp_scheduler(
    const AgentConfig& config, snmp::EventSink sink, const Clock& clock,
    snmp::InterfaceDirectory* directory) {
  auto pollers = make_snmp_pollers(config, clock, directory);
  if (!pollers.ok()) return pollers.error();
  return std::make_unique<snmp::PollScheduler>(std::move(pollers).value(), config.snmp.workers,
                                               std::move(sink));
}

Result<snmp::TrapReceiverOptions> make_trap_receiver_options(const AgentConfig& config) {
  snmp::TrapReceiverOptions options;
  auto endpoint = parse_endpoint(config.snmp.traps);
  if (!endpoint.ok()) return endpoint.error();
  options.endpoint = *endpoint;
  options.community = config.snmp.community;
  options.receive_buffer_bytes = config.snmp.trap_receive_buffer_bytes;
  for (const auto& u : config.snmp.trap_users) {
    snmp::UsmUserSpec spec;
    spec.name = u.user;
    spec.engine_id = u.engine_id;
    const std::string who = "SNMPv3 trap user " + u.user;
    auto passphrases =
        v3_passphrases(u, "auth passphrase of " + who, "privacy passphrase of " + who);
    if (!passphrases.ok()) return passphrases.error();
    spec.auth_passphrase = passphrases->auth;
    spec.priv_passphrase = passphrases->priv;
    if (!spec.auth_passphrase.empty()) spec.auth_protocol = u.auth_protocol;
    if (!spec.priv_passphrase.empty()) spec.priv_protocol = u.priv_protocol;
    options.users.push_back(std::move(spec));
  }
  return options;
}

}  // namespace regwatch::agent
