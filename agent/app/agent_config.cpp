#include "agent/app/agent_config.h"

#include <unistd.h>

#include <cctype>
#include <set>
#include <sstream>
#include <string_view>

#include "agent/app/boot_config.h"
#include "agent/app/config_values.h"
#include "agent/app/sip_config.h"
#include "agent/spool/spool.h"
#include "agent/syslog/syslog_listener.h"
#include "common/ingest_message_size.h"
#include "common/metrics/metrics_listen.h"
#include "common/net_address.h"
#include "common/net_prefix.h"
#include "common/udp_receive_buffer.h"
#include "common/yaml_config.h"

namespace regwatch::agent {
namespace {

bool receive_buffer_size_ok(uint32_t bytes) {
  return bytes >= kMinUdpReceiveBufferBytes && bytes <= kMaxUdpReceiveBufferBytes;
}

std::string receive_buffer_size_rule() {
  return "must be " + std::to_string(kMinUdpReceiveBufferBytes) + " to " +
         std::to_string(kMaxUdpReceiveBufferBytes) + " bytes";
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "agent";
  return buf;
}

// The SNMPv3 keys a polling target and a trap user share (same member names).
template <typename V3>
void read_v3_security(config::YamlMap& item, V3& v3) {
  item.read("auth_protocol", v3.auth_protocol);
  item.read("auth_passphrase_env", v3.auth_passphrase_env);
  item.read("auth_passphrase_file", v3.auth_passphrase_file);
  item.read("priv_protocol", v3.priv_protocol);
  item.read("priv_passphrase_env", v3.priv_passphrase_env);
  item.read("priv_passphrase_file", v3.priv_passphrase_file);
}

// The TCP connection limits (issue 17), checked here, where each key's line is known.
void read_tcp_limits(config::YamlMap& section, SyslogSettings& settings) {
  const std::string limit = std::to_string(syslog::kMaxTcpConnectionsLimit);
  section.read("max_tcp_connections", settings.max_tcp_connections);
  if (settings.max_tcp_connections == 0 ||
      settings.max_tcp_connections > syslog::kMaxTcpConnectionsLimit) {
    section.error("max_tcp_connections", "must be 1 to " + limit);
  }
  section.read("max_tcp_connections_per_source", settings.max_tcp_connections_per_source);
  if (settings.max_tcp_connections_per_source > syslog::kMaxTcpConnectionsLimit) {
    section.error("max_tcp_connections_per_source", "must be 0 (no limit) to " + limit);
  }
  section.read("tcp_idle_timeout_s", settings.tcp_idle_timeout_s);
  if (settings.tcp_idle_timeout_s == 0) section.error("tcp_idle_timeout_s", "must be at least 1");
  section.read("tcp_first_line_timeout_s", settings.tcp_first_line_timeout_s);
  // Above tcp_idle_timeout_s it is harmless (the shorter applies), so not an error: a
  // short tcp_idle_timeout_s alone must not fail on a key the file does not set.
  if (settings.tcp_first_line_timeout_s == 0) {
    section.error("tcp_first_line_timeout_s", "must be at least 1");
  }
}

void read_config(const YAML::Node& node, AgentConfig& config, config::ConfigErrors& errors) {
  config::YamlMap root(node, "", errors);
  root.read("agent_id", config.agent_id);
  root.read("log_level", config.log_level);
  root.read("log_format", config.log_format);
  auto link = root.child("collector");
  link.read("address", config.collector.address);
  link.read("token", config.collector.token);
  link.read("token_file", config.collector.token_file);
  link.read("tls", config.collector.tls);
  link.read("tls_ca_file", config.collector.tls_ca_file);
  link.read("tls_cert_file", config.collector.tls_cert_file);
  link.read("tls_key_file", config.collector.tls_key_file);
  link.read("tls_server_name", config.collector.tls_server_name);
  link.read("batch_max_events", config.collector.batch_max_events);
  link.read("max_batches_in_flight", config.collector.max_batches_in_flight);
  link.read("backoff_initial_ms", config.collector.backoff_initial_ms);
  link.read("backoff_max_ms", config.collector.backoff_max_ms);
  link.read("ack_timeout_s", config.collector.ack_timeout_s);
  link.finish();
  auto spool = root.child("spool");
  spool.read("dir", config.spool.dir);
  spool.read("max_size", config.spool.max_size);        // checked with the flags applied
  spool.read("drop_policy", config.spool.drop_policy);  // likewise
  spool.read("fsync_interval_ms", config.spool.fsync_interval_ms);
  spool.finish();
  auto syslog = root.child("syslog");
  syslog.read("udp", config.syslog.udp);
  syslog.read("tcp", config.syslog.tcp);
  read_tcp_limits(syslog, config.syslog);
  syslog.read("udp_receive_buffer_bytes", config.syslog.udp_receive_buffer_bytes);
  if (!receive_buffer_size_ok(config.syslog.udp_receive_buffer_bytes)) {
    syslog.error("udp_receive_buffer_bytes", receive_buffer_size_rule());
  }
  syslog.read("udp_queue_max_datagrams", config.syslog.udp_queue_max_datagrams);
  if (config.syslog.udp_queue_max_datagrams == 0 ||
      config.syslog.udp_queue_max_datagrams > kMaxConfiguredUdpQueueDatagrams) {
    syslog.error("udp_queue_max_datagrams",
                 "must be 1 to " + std::to_string(kMaxConfiguredUdpQueueDatagrams));
  }
  syslog.read("udp_queue_max_bytes", config.syslog.udp_queue_max_bytes);
  if (config.syslog.udp_queue_max_bytes < kMinConfiguredUdpQueueBytes ||
      config.syslog.udp_queue_max_bytes > kMaxConfiguredUdpQueueBytes) {
    syslog.error("udp_queue_max_bytes", "must be " + std::to_string(kMinConfiguredUdpQueueBytes) +
                                            " to " + std::to_string(kMaxConfiguredUdpQueueBytes) +
                                            " bytes");
  }
  syslog.read("assume_utc_offset", config.syslog.assume_utc_offset);
  if (!parse_utc_offset_minutes(config.syslog.assume_utc_offset).ok()) {
    syslog.error("assume_utc_offset", "must look like +00:00 or -05:00");
  }
  syslog.finish();
  for (auto& item : root.list("origin_senders")) {
    OriginSenderConfig entry;
    item.read("origin", entry.origin);
    if (entry.origin.empty()) item.error("origin", "is required (the host name its events carry)");
    item.read("from", entry.from);
    if (entry.from.empty())
      item.error("from", "needs at least one address or subnet allowed to send for the origin");
    for (const auto& allowed : entry.from) {
      if (auto prefix = NetPrefix::parse(allowed); !prefix.ok())
        item.error("from", prefix.error().message);
    }
    item.finish();
    config.origin_senders.push_back(std::move(entry));
  }
  auto snmp = root.child("snmp");
  snmp.read("community", config.snmp.community);
  snmp.read("traps", config.snmp.traps);  // checked with the flags applied
  snmp.read("trap_receive_buffer_bytes", config.snmp.trap_receive_buffer_bytes);
  if (!receive_buffer_size_ok(config.snmp.trap_receive_buffer_bytes)) {
    snmp.error("trap_receive_buffer_bytes", receive_buffer_size_rule());
  }
  snmp.read("workers", config.snmp.workers);
  snmp.read("cpu_threshold_percent", config.snmp.cpu_threshold_percent);
  snmp.read("cpu_duration_s", config.snmp.cpu_duration_s);
  snmp.read("interface_errors_per_poll", config.snmp.interface_errors_per_poll);
  for (auto& item : snmp.list("targets")) {
    SnmpTargetConfig t;
    item.read("name", t.name);
    item.read("address", t.address);
    if (t.address.empty()) item.error("address", "is required (HOST:PORT)");
    item.read("role", t.role);
    if (t.role != "cucm" && t.role != "switch" && t.role != "server")
      item.error("role", "must be cucm, switch or server");
    item.read("version", t.version);
    if (t.version != "1" && t.version != "2c" && t.version != "3")
      item.error("version", "must be 1, 2c or 3");
    item.read("community", t.community);
    item.read("user", t.user);
    read_v3_security(item, t);
    item.read("interval_s", t.interval_s);
    if (t.interval_s == 0) item.error("interval_s", "must be at least 1");
    item.read("timeout_ms", t.timeout_ms);
    item.read("retries", t.retries);
    item.read("bulk_repetitions", t.bulk_repetitions);
    item.read("max_rows", t.max_rows);
    item.read("cpu", t.cpu);
    item.read("interfaces", t.interfaces);
    if (t.version == "3" && t.user.empty()) item.error("user", "is required for SNMPv3");
    item.finish();
    config.snmp.targets.push_back(std::move(t));
  }
  for (auto& item : snmp.list("trap_users")) {
    SnmpTrapUserConfig u;
    item.read("user", u.user);
    if (u.user.empty()) item.error("user", "is required");
    item.read("engine_id", u.engine_id);
    read_v3_security(item, u);
    if (u.auth_protocol != "SHA" && u.auth_protocol != "MD5")
      item.error("auth_protocol", "must be SHA or MD5");
    if (u.priv_protocol != "AES" && u.priv_protocol != "DES")
      item.error("priv_protocol", "must be AES or DES");
    item.finish();
    config.snmp.trap_users.push_back(std::move(u));
  }
  snmp.finish();
  auto sccp = root.child("sccp");
  auto& ss = config.sccp.settings;
  sccp.read("capture", config.sccp.capture);
  sccp.read("filter", config.sccp.filter);
  read_port_list(sccp, "ports", ss.ports);
  read_port_list(sccp, "tls_ports", ss.tls_ports);
  sccp.read("keepalive_miss_factor", ss.keepalive_miss_factor);
  if (ss.keepalive_miss_factor < 1)
    sccp.error("keepalive_miss_factor", "must be at least 1 (intervals)");
  sccp.read("default_keepalive_s", ss.default_keepalive_s);
  if (ss.default_keepalive_s == 0) sccp.error("default_keepalive_s", "must be at least 1");
  sccp.read("unanswered_after_ms", ss.unanswered_after_ms);
  sccp.read("latency_window_s", ss.latency_window_s);
  if (ss.latency_window_s == 0) sccp.error("latency_window_s", "must be at least 1");
  sccp.read("slow_threshold_ms", ss.slow_threshold_ms);
  sccp.read("slow_min_phones", ss.slow_min_phones);
  sccp.read("slow_fraction", ss.slow_fraction);
  if (ss.slow_fraction <= 0 || ss.slow_fraction > 1)
    sccp.error("slow_fraction", "must be above 0 and at most 1");
  uint64_t max_connections = ss.max_connections;
  sccp.read("max_connections", max_connections);
  ss.max_connections = static_cast<size_t>(max_connections);
  sccp.read("idle_connection_timeout_s", ss.idle_connection_timeout_s);
  for (auto [key, field] :
       {std::pair{"max_held_bytes_per_direction", &ss.max_held_bytes_per_direction},
        std::pair{"max_held_bytes_total", &ss.max_held_bytes_total}}) {
    uint64_t value = *field;
    sccp.read(key, value);
    *field = static_cast<size_t>(value);
  }
  sccp.finish();
  read_boot(root.child("boot"), config.boot);
  read_sip(root.child("sip"), config.sip);
  auto metrics = root.child("metrics");
  metrics.read("listen", config.metrics.listen);  // checked with the flags applied
  metrics.read("tls_cert", config.metrics.tls_cert);
  metrics.read("tls_key", config.metrics.tls_key);
  metrics.finish();
  root.finish();
}

}  // namespace

std::vector<std::string> collector_addresses(const CollectorLink& link) {
  std::vector<std::string> addresses;
  std::string_view rest = link.address;
  for (;;) {
    const size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front())))
      item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())))
      item.remove_suffix(1);
    addresses.emplace_back(item);
    if (comma == std::string_view::npos) return addresses;
    rest.remove_prefix(comma + 1);
  }
}

Result<int> parse_utc_offset_minutes(const std::string& text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') {
    return make_error("bad_offset", "'" + text + "' is not a UTC offset like +01:00");
  }
  auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1; };
  for (size_t i : {1u, 2u, 4u, 5u}) {
    if (digit(i) < 0)
      return make_error("bad_offset", "'" + text + "' is not a UTC offset like +01:00");
  }
  int minutes = (digit(1) * 10 + digit(2)) * 60 + digit(4) * 10 + digit(5);
  if (minutes > 14 * 60) return make_error("bad_offset", "'" + text + "' is beyond +-14:00");
  return text[0] == '-' ? -minutes : minutes;
}

void read_agent_config_file(const std::string& path, AgentConfig& config,
                            config::ConfigErrors& errors) {
  auto node = config::load_yaml_file(path);
  if (!node.ok()) {
    errors.add_whole(node.error().message);
    return;
  }
  read_config(*node, config, errors);
}

namespace {

// An SNMPv3 passphrase comes from an environment variable or a file (snmp_setup.cpp).
template <typename V3>
void check_v3_secrets(const V3& v3, const std::string& at, config::ConfigErrors& errors) {
  config::check_env_set(v3.auth_passphrase_env, at + ".auth_passphrase_env", errors);
  config::check_readable_file(v3.auth_passphrase_file, at + ".auth_passphrase_file", errors);
  config::check_env_set(v3.priv_passphrase_env, at + ".priv_passphrase_env", errors);
  config::check_readable_file(v3.priv_passphrase_file, at + ".priv_passphrase_file", errors);
}

// Every collector address: HOST:PORT, each once, plaintext only to loopback; each error names
// the address (a list may hold several) and, through add_at, the line of collector.address.
void check_collector_addresses(const CollectorLink& link, config::ConfigErrors& errors) {
  std::set<std::string> seen;
  for (const auto& address : collector_addresses(link)) {
    if (address.empty()) {
      errors.add_at("collector.address",
                    "'" + link.address +
                        "' has an empty address: give HOST:PORT, or several separated by commas");
      continue;
    }
    if (!seen.insert(address).second) {
      errors.add_at("collector.address", "'" + address + "' is listed twice");
      continue;
    }
    auto collector = parse_endpoint(address);
    if (!collector.ok()) {
      errors.add_at("collector.address", "'" + address + "': " + collector.error().message);
    } else if (!link.tls && !is_loopback_host(collector->host)) {
      errors.add_at("collector.address",
                    "the collector " + address +
                        " is not on loopback: plaintext is only allowed on loopback; set "
                        "collector.tls: true and collector.tls_ca_file (or --tls-ca)");
    }
  }
}

void check_endpoint(const std::string& value, const char* path, config::ConfigErrors& errors) {
  if (!value.empty() && !parse_endpoint(value).ok())
    errors.add_at(path, "'" + value + "' must be HOST:PORT or \"\" (off)");
}

}  // namespace

void check_agent_config(const AgentConfig& config, config::ConfigErrors& errors) {
  config::check_log_level(config.log_level, "log_level", errors);
  config::check_log_format(config.log_format, "log_format", errors);
  if (config.agent_id.empty()) errors.add_at("agent_id", "must not be empty");
  const auto& link = config.collector;
  check_collector_addresses(link, errors);
  if (link.tls && link.tls_cert_file.empty() != link.tls_key_file.empty()) {
    errors.add_at("collector.tls_cert_file",
                  "collector.tls_cert_file and collector.tls_key_file go together");
  }
  if (!link.token.empty() && !link.token_file.empty())
    errors.add_at("collector.token_file", "set collector.token or collector.token_file, not both");
  config::check_readable_file(link.token_file, "collector.token_file", errors);
  config::check_readable_file(link.tls_ca_file, "collector.tls_ca_file", errors);
  config::check_readable_file(link.tls_cert_file, "collector.tls_cert_file", errors);
  config::check_readable_file(link.tls_key_file, "collector.tls_key_file", errors);
  if (link.batch_max_events == 0 || link.batch_max_events > kAgentBatchMaxEvents) {
    errors.add_at("collector.batch_max_events",
                  "must be in 1.." + std::to_string(kAgentBatchMaxEvents) +
                      " (a batch must fit the collector's message size limit)");
  }
  if (link.max_batches_in_flight == 0)
    errors.add_at("collector.max_batches_in_flight", "must be >= 1");
  if (link.ack_timeout_s == 0) errors.add_at("collector.ack_timeout_s", "must be >= 1");
  auto size = config::parse_size(config.spool.max_size);
  if (!size.ok()) {
    errors.add_at("spool.max_size", size.error().message);
  } else if (*size < (1u << 20)) {
    errors.add_at("spool.max_size", "must be at least 1MiB");
  }
  if (!spool::parse_drop_policy(config.spool.drop_policy)) {
    errors.add_at("spool.drop_policy",
                  "must be drop_oldest or drop_newest, not '" + config.spool.drop_policy + "'");
  }
  check_endpoint(config.syslog.udp, "syslog.udp", errors);
  check_endpoint(config.syslog.tcp, "syslog.tcp", errors);
  check_endpoint(config.snmp.traps, "snmp.traps", errors);
  for (size_t i = 0; i < config.snmp.targets.size(); ++i)
    check_v3_secrets(config.snmp.targets[i], "snmp.targets[" + std::to_string(i) + "]", errors);
  if (!config.metrics.listen.empty()) {
    const metrics::MetricsListen listen{config.metrics.listen, config.metrics.tls_cert,
                                        config.metrics.tls_key};
    if (auto refused = metrics::check_metrics_listen(listen); !refused.ok()) {
      errors.add_at(refused.error().code == "tls_pair" ? "metrics.tls_cert" : "metrics.listen",
                    refused.error().message);
    }
  }
  config::check_readable_file(config.metrics.tls_cert, "metrics.tls_cert", errors);
  config::check_readable_file(config.metrics.tls_key, "metrics.tls_key", errors);
  for (size_t i = 0; i < config.snmp.trap_users.size(); ++i) {
    check_v3_secrets(config.snmp.trap_users[i], "snmp.trap_users[" + std::to_string(i) + "]",
                     errors);
  }
}

Result<AgentConfig> load_agent_config(const std::string& path) {
  AgentConfig config;
  config::ConfigErrors errors;
  read_agent_config_file(path, config, errors);
  if (config.agent_id.empty()) config.agent_id = host_name();
  check_agent_config(config, errors);
  if (!errors.empty()) return make_error("config_invalid", errors.format(path));
  return config;
}

Status validate_agent_config(const AgentConfig& config) {
  config::ConfigErrors errors;
  check_agent_config(config, errors);
  if (errors.empty()) return Ok{};
  return make_error("config_invalid", errors.format(""));
}

std::string default_agent_config_yaml() {
  const AgentConfig d;
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "agent_id" << YAML::Value << "" << YAML::Comment("default: this host's name");
  out << YAML::Key << "log_level" << YAML::Value << d.log_level;
  out << YAML::Key << "log_format" << YAML::Value << d.log_format
      << YAML::Comment("text, json or logfmt; under systemd text goes to the journal");
  out << YAML::Key << "collector" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "address" << YAML::Value << d.collector.address
      << YAML::Comment("HOST:PORT, or several in order of preference: a:7443,b:7443 (failover)");
  out << YAML::Key << "token" << YAML::Value << d.collector.token;
  out << YAML::Key << "token_file" << YAML::Value << d.collector.token_file;
  out << YAML::Key << "tls" << YAML::Value << d.collector.tls
      << YAML::Comment("required unless the collector is on loopback");
  out << YAML::Key << "tls_ca_file" << YAML::Value << d.collector.tls_ca_file;
  out << YAML::Key << "tls_cert_file" << YAML::Value << d.collector.tls_cert_file;
  out << YAML::Key << "tls_key_file" << YAML::Value << d.collector.tls_key_file;
  out << YAML::Key << "tls_server_name" << YAML::Value << d.collector.tls_server_name;
  out << YAML::Key << "batch_max_events" << YAML::Value << d.collector.batch_max_events;
  out << YAML::Key << "max_batches_in_flight" << YAML::Value << d.collector.max_batches_in_flight;
  out << YAML::Key << "backoff_initial_ms" << YAML::Value << d.collector.backoff_initial_ms;
  out << YAML::Key << "backoff_max_ms" << YAML::Value << d.collector.backoff_max_ms;
  out << YAML::Key << "ack_timeout_s" << YAML::Value << d.collector.ack_timeout_s
      << YAML::Comment("a collector owing an ack this long is given up on: fail over");
  out << YAML::EndMap;
  out << YAML::Key << "spool" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "dir" << YAML::Value << d.spool.dir;
  out << YAML::Key << "max_size" << YAML::Value << d.spool.max_size;
  out << YAML::Key << "drop_policy" << YAML::Value << d.spool.drop_policy
      << YAML::Comment("drop_oldest or drop_newest, when the spool is full");
  out << YAML::Key << "fsync_interval_ms" << YAML::Value << d.spool.fsync_interval_ms;
  out << YAML::EndMap;
  out << YAML::Key << "syslog" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "udp" << YAML::Value << d.syslog.udp << YAML::Comment("\"\" disables");
  out << YAML::Key << "tcp" << YAML::Value << d.syslog.tcp << YAML::Comment("\"\" disables");
  out << YAML::Key << "max_tcp_connections" << YAML::Value << d.syslog.max_tcp_connections
      << YAML::Comment("when full, a new connection evicts the longest-idle one");
  out << YAML::Key << "max_tcp_connections_per_source" << YAML::Value
      << d.syslog.max_tcp_connections_per_source
      << YAML::Comment("per sender address; 0: no limit");
  out << YAML::Key << "tcp_idle_timeout_s" << YAML::Value << d.syslog.tcp_idle_timeout_s;
  out << YAML::Key << "tcp_first_line_timeout_s" << YAML::Value << d.syslog.tcp_first_line_timeout_s
      << YAML::Comment("idle timeout until a connection sent a complete line");
  out << YAML::Key << "udp_receive_buffer_bytes" << YAML::Value << d.syslog.udp_receive_buffer_bytes
      << YAML::Comment("kernel receive buffer; capped by net.core.rmem_max (docs/device-setup.md)");
  out << YAML::Key << "udp_queue_max_datagrams" << YAML::Value << d.syslog.udp_queue_max_datagrams
      << YAML::Comment("queue behind the UDP socket; beyond it: agent_drops syslog_queue_full");
  out << YAML::Key << "udp_queue_max_bytes" << YAML::Value << d.syslog.udp_queue_max_bytes;
  out << YAML::Key << "assume_utc_offset" << YAML::Value << d.syslog.assume_utc_offset
      << YAML::Comment("for device clocks that log without a zone");
  out << YAML::EndMap;
  out << YAML::Key << "origin_senders" << YAML::Value << YAML::BeginSeq << YAML::EndSeq
      << YAML::Comment("who may send for a CUCM node or switch; see deploy/agent.example.yaml");
  out << YAML::Key << "snmp" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "community" << YAML::Value << d.snmp.community;
  out << YAML::Key << "traps" << YAML::Value << d.snmp.traps
      << YAML::Comment("trap/inform receiver; \"\" disables");
  out << YAML::Key << "trap_receive_buffer_bytes" << YAML::Value << d.snmp.trap_receive_buffer_bytes
      << YAML::Comment("its kernel receive buffer; capped by net.core.rmem_max");
  out << YAML::Key << "workers" << YAML::Value << d.snmp.workers;
  out << YAML::Key << "cpu_threshold_percent" << YAML::Value << d.snmp.cpu_threshold_percent;
  out << YAML::Key << "cpu_duration_s" << YAML::Value << d.snmp.cpu_duration_s;
  out << YAML::Key << "interface_errors_per_poll" << YAML::Value
      << d.snmp.interface_errors_per_poll;
  out << YAML::Key << "targets" << YAML::Value << YAML::BeginSeq << YAML::EndSeq
      << YAML::Comment("see deploy/agent.example.yaml");
  out << YAML::Key << "trap_users" << YAML::Value << YAML::BeginSeq << YAML::EndSeq
      << YAML::Comment("SNMPv3 trap/inform users; see deploy/agent.example.yaml");
  out << YAML::EndMap;
  const auto& ss = d.sccp.settings;
  out << YAML::Key << "sccp" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "capture" << YAML::Value << d.sccp.capture
      << YAML::Comment("interface for live capture (needs CAP_NET_RAW); \"\" = off");
  out << YAML::Key << "filter" << YAML::Value << d.sccp.filter
      << YAML::Comment("BPF; \"\" = built from the ports");
  out << YAML::Key << "ports" << YAML::Value << YAML::Flow
      << std::vector<uint32_t>(ss.ports.begin(), ss.ports.end());
  out << YAML::Key << "tls_ports" << YAML::Value << YAML::Flow
      << std::vector<uint32_t>(ss.tls_ports.begin(), ss.tls_ports.end())
      << YAML::Comment("connection and timing only");
  out << YAML::Key << "keepalive_miss_factor" << YAML::Value << ss.keepalive_miss_factor
      << YAML::Comment("keepalive_missed after this many silent intervals (CUCM gives up after 3)");
  out << YAML::Key << "default_keepalive_s" << YAML::Value << ss.default_keepalive_s;
  out << YAML::Key << "unanswered_after_ms" << YAML::Value << ss.unanswered_after_ms;
  out << YAML::Key << "latency_window_s" << YAML::Value << ss.latency_window_s;
  out << YAML::Key << "slow_threshold_ms" << YAML::Value << ss.slow_threshold_ms;
  out << YAML::Key << "slow_min_phones" << YAML::Value << ss.slow_min_phones;
  out << YAML::Key << "slow_fraction" << YAML::Value << ss.slow_fraction;
  out << YAML::Key << "max_connections" << YAML::Value << static_cast<uint64_t>(ss.max_connections);
  out << YAML::Key << "idle_connection_timeout_s" << YAML::Value << ss.idle_connection_timeout_s;
  out << YAML::Key << "max_held_bytes_per_direction" << YAML::Value
      << static_cast<uint64_t>(ss.max_held_bytes_per_direction);
  out << YAML::Key << "max_held_bytes_total" << YAML::Value
      << static_cast<uint64_t>(ss.max_held_bytes_total)
      << YAML::Comment("out-of-order bytes of all connections together");
  out << YAML::EndMap;
  write_boot(out, d.boot);
  write_sip(out, d.sip);
  out << YAML::Key << "metrics" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "listen" << YAML::Value << d.metrics.listen
      << YAML::Comment("/metrics for Prometheus, e.g. 127.0.0.1:9481; \"\" = off");
  out << YAML::Key << "tls_cert" << YAML::Value << d.metrics.tls_cert
      << YAML::Comment("with tls_key: HTTPS, required off loopback");
  out << YAML::Key << "tls_key" << YAML::Value << d.metrics.tls_key;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace regwatch::agent
