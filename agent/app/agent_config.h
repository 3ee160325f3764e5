#pragma once
// regwatch-agent's configuration: one YAML file, loaded into these structs.
// The member initialisers ARE the defaults (printed by --print-default-config);
// nothing else may restate them.
#include <cstdint>
#include <string>
#include <vector>

#include "agent/boot/boot_settings.h"
#include "agent/sccp/sccp_settings.h"
#include "agent/sip/sip_settings.h"
#include "common/result.h"
#include "common/yaml_config.h"

namespace regwatch::agent {

// The collector(s) the agent ships to. Several addresses share the token and the TLS settings.
struct CollectorLink {
  // HOST:PORT, or several separated by commas ("a:7443,b:7443"): the order is the preference;
  // the agent ships to one at a time and fails over (docs/architecture.md, "Several collectors").
  std::string address = "127.0.0.1:7443";
  std::string token;          // per-agent token the collector checks
  std::string token_file;     // alternative to token: read from this file (trimmed)
  bool tls = false;           // required unless the collector is on loopback
  std::string tls_ca_file;    // CA that signed the collector's certificate
  std::string tls_cert_file;  // client certificate, for mTLS
  std::string tls_key_file;
  std::string tls_server_name;  // override the name checked in the collector's certificate
  uint32_t batch_max_events = 1000;
  uint32_t max_batches_in_flight = 8;  // bounds the shipper's memory
  uint32_t backoff_initial_ms = 200;
  uint32_t backoff_max_ms = 30000;
  // A collector that owes an ack this long is given up on (shipper.h: ShipperOptions::ack_timeout).
  uint32_t ack_timeout_s = 30;
  bool operator==(const CollectorLink&) const = default;
};

// collector.address (or --collector) as its list of addresses, in order, blanks around each
// trimmed; an empty entry stays in the list as "" (the config check reports it).
std::vector<std::string> collector_addresses(const CollectorLink& link);

struct SpoolSettings {
  std::string dir = "/var/lib/regwatch/agent/spool";
  std::string max_size = "256MiB";
  std::string drop_policy = "drop_oldest";  // or drop_newest
  uint32_t fsync_interval_ms = 1000;
  bool operator==(const SpoolSettings&) const = default;
};

inline constexpr uint32_t kMaxConfiguredUdpQueueDatagrams = 10'000'000;
inline constexpr uint64_t kMinConfiguredUdpQueueBytes = 1ull << 20;
inline constexpr uint64_t kMaxConfiguredUdpQueueBytes = 4ull << 30;

struct SyslogSettings {
  std::string udp = "127.0.0.1:5514";  // "" disables
  std::string tcp = "127.0.0.1:5514";  // "" disables
  uint32_t max_tcp_connections = 256;  // when full, the longest-idle connection is evicted
  uint32_t tcp_idle_timeout_s = 600;
  // Open TCP connections one address may hold (0: no limit), so one peer cannot take every slot.
  uint32_t max_tcp_connections_per_source = 32;
  // Idle timeout of a TCP connection that has not sent a complete line yet (the shorter of
  // this and tcp_idle_timeout_s applies).
  uint32_t tcp_first_line_timeout_s = 10;
  // Kernel receive buffer of the UDP socket (SO_RCVBUF; capped by net.core.rmem_max
  // unless the agent may use SO_RCVBUFFORCE): what a burst can queue while the agent is busy.
  uint32_t udp_receive_buffer_bytes = 8u * 1024 * 1024;
  // The agent's own queue behind the UDP socket (issue 17): a burst waits here
  // for parsing and spooling; past either bound a datagram is dropped and
  // reported as agent_drops "syslog_queue_full".
  uint32_t udp_queue_max_datagrams = 200'000;  // 1..kMaxConfiguredUdpQueueDatagrams
  uint64_t udp_queue_max_bytes = 128ull
                                 << 20;  // kMinConfiguredUdpQueueBytes..kMaxConfiguredUdpQueueBytes
  // Offset of device clocks that log without a zone (IOS default), e.g. "+01:00".
  std::string assume_utc_offset = "+00:00";
  bool operator==(const SyslogSettings&) const = default;
};

struct SnmpTargetConfig {
  std::string name;             // origin of its events; default: the address's host
  std::string address;          // HOST:PORT (port 161 if none)
  std::string role = "server";  // cucm, switch, server
  std::string version = "2c";   // 1, 2c, 3
  std::string community;        // default: snmp.community
  std::string user;             // v3
  std::string auth_protocol = "SHA";
  std::string auth_passphrase_env;   // v3 secrets come from the environment or a file,
  std::string auth_passphrase_file;  // never from the config itself, never logged
  std::string priv_protocol = "AES";
  std::string priv_passphrase_env;
  std::string priv_passphrase_file;
  uint32_t interval_s = 60;
  uint32_t timeout_ms = 2000;
  uint32_t retries = 1;
  uint32_t bulk_repetitions =
      10;  // CUCM: at most 5 (Cisco CUCM Managed Services Guide 12.5(1), SNMP limits)
  uint32_t max_rows = 10000;
  bool cpu = true;
  bool interfaces = true;
  bool operator==(const SnmpTargetConfig&) const = default;
};

// An SNMPv3 user whose traps and informs the agent accepts.
struct SnmpTrapUserConfig {
  std::string user;
  std::string engine_id;  // the sender's, for v3 TRAPs; "" = this agent's (INFORMs)
  std::string auth_protocol = "SHA";
  std::string auth_passphrase_env;
  std::string auth_passphrase_file;
  std::string priv_protocol = "AES";
  std::string priv_passphrase_env;
  std::string priv_passphrase_file;
  bool operator==(const SnmpTrapUserConfig&) const = default;
};

struct SnmpSettings {
  std::string community = "public";       // v1/v2c traps must carry it; default for targets
  std::string traps = "127.0.0.1:10162";  // trap/inform receiver; "" disables
  uint32_t trap_receive_buffer_bytes = 8u * 1024 * 1024;  // its kernel receive buffer
  uint32_t workers = 8;
  double cpu_threshold_percent = 90;  // RTMT CallProcessingNodeCpuPegging: 90 % ...
  uint32_t cpu_duration_s = 60;       // ... for 60 s
  uint64_t interface_errors_per_poll = 10;
  std::vector<SnmpTargetConfig> targets;
  std::vector<SnmpTrapUserConfig> trap_users;
  bool operator==(const SnmpSettings&) const = default;
};

// The SCCP watcher: live capture and what it flags (agent/sccp/sccp_settings.h).
struct SccpConfig {
  std::string capture;  // interface for live capture; "" = off
  std::string filter;   // BPF filter; "" = built from the ports
  sccp::SccpSettings settings;
  bool operator==(const SccpConfig&) const = default;
};

// Who may speak for an origin (issue 17: forged syslog). Events whose origin is `origin`
// (a host name, compared without case and domain, or an address) must arrive from one of
// `from` (addresses or subnets: the device itself and any relay that forwards for it);
// from anywhere else they are kept but flagged spoofed. Origins not listed are not checked.
struct OriginSenderConfig {
  std::string origin;
  std::vector<std::string> from;
  bool operator==(const OriginSenderConfig&) const = default;
};

// /metrics for Prometheus (docs/metrics.md): off unless listen is set. Plaintext only on a
// loopback address; anywhere else tls_cert and tls_key are required (HTTPS).
struct MetricsSettings {
  std::string listen;  // HOST:PORT, e.g. 127.0.0.1:9481; "" = off
  std::string tls_cert;
  std::string tls_key;
  bool operator==(const MetricsSettings&) const = default;
};

struct AgentConfig {
  std::string agent_id;  // default: the host name
  std::string log_level = "info";
  std::string log_format = "text";  // text, json or logfmt (common/logging.h)
  CollectorLink collector;
  SpoolSettings spool;
  SyslogSettings syslog;
  SnmpSettings snmp;
  SccpConfig sccp;
  // The boot chain on the same capture as SCCP (agent/boot/boot_settings.h): `boot:`.
  boot::BootSettings boot;
  // SIP registration on the same capture (agent/sip/sip_settings.h): `sip:`.
  sip::SipSettings sip;
  std::vector<OriginSenderConfig> origin_senders;
  MetricsSettings metrics;
};

// Start-up in two steps, each collecting every problem into errors (nothing thrown):
// read the file (syntax, types, unknown keys, per-key rules), then, after the command
// line's flags were applied, check everything start-up relies on (log level, addresses,
// TLS rules, the token/TLS/passphrase files readable, the SNMPv3 secrets' environment
// variables set, sizes). --check-config and a real start run exactly these, so a config
// that passes the check starts, and one that fails it is refused with the same messages.
void read_agent_config_file(const std::string& path, AgentConfig& config,
                            config::ConfigErrors& errors);
void check_agent_config(const AgentConfig& config, config::ConfigErrors& errors);

// Both steps on a file alone (tests): the config, or every problem with its key path and line.
Result<AgentConfig> load_agent_config(const std::string& path);
// check_agent_config without a file: Ok, or every problem, one a line.
Status validate_agent_config(const AgentConfig& config);
std::string default_agent_config_yaml();
// "+01:00" -> 60; error for anything else.
Result<int> parse_utc_offset_minutes(const std::string& text);

}  // namespace regwatch::agent
