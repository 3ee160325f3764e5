// regwatch-agent: receives syslog from CUCM nodes and switches, turns it into
// typed events, and streams them to the collector through a durable spool.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "agent/app/agent_config.h"
#include "agent/app/agent_modes.h"
#include "agent/app/pcap_decode.h"
#include "common/build_version.h"
#include "common/logging.h"

namespace {

int run_agent(int argc, char** argv) {
  using namespace regwatch::agent;
  CLI::App app{
      "regwatch-agent: receives syslog from CUCM nodes and switches, turns it into typed events\n"
      "(phone_unregistered, heartbeat_low, link_down, ...), and streams them to the collector\n"
      "through a durable on-disk spool, so a collector or network outage loses nothing.\n\n"
      "Examples:\n"
      "  regwatch-agent --spool-dir /var/lib/regwatch/agent/spool\n"
      "      listen on 127.0.0.1:5514 (UDP and TCP), ship to 127.0.0.1:7443\n"
      "  regwatch-agent --syslog-udp 0.0.0.0:514 --collector collector.noc:7443 --tls-ca ca.pem\n"
      "  regwatch-agent --replay-syslog /var/log/remote/cucm-2026-11-20.log\n"
      "      load an archived log for a postmortem, wait for the collector, print a summary\n"
      "      with what the collector stored and what it had already; the events go under agent\n"
      "      id <agent id>/replay-<first 12 hex of the file's SHA-256>, apart from the live\n"
      "      stream, so replaying the same file again stores nothing twice (it says\n"
      "      \"already stored\" and exits 0)\n"
      "  zcat cucm-2026-11-20.log.gz | regwatch-agent --replay-syslog -\n"
      "      the same from a stream (also <(zcat ...)): read once, into a copy of its own\n"
      "  regwatch-agent --replay-pcap voice-vlan.pcapng\n"
      "      decode SCCP registrations and keepalives, and the phones' boot chain (DHCP, TFTP,\n"
      "      HTTP 6970 config downloads), from a capture, same as live\n"
      "  regwatch-agent --decode-pcap boot.pcap\n"
      "      print each DHCP and TFTP packet and each SIP message (port 5060, UDP and TCP) as\n"
      "      the agent reads it, one JSON line each, numbered as tshark numbers frames (no\n"
      "      collector needed)\n"
      "  regwatch-agent --replay-syslog cucm-grown.log --replay-agent-id edge-1/cucm-archive "
      "--allow-duplicates\n"
      "      load a grown file under the id it was loaded under before: only its new lines are\n"
      "      stored (without --allow-duplicates this exits 5, since under a given id the events\n"
      "      already stored may be another archive's)\n"
      "  regwatch-agent --capture eth0.110\n"
      "      watch SCCP keepalives and the phones' boot chain live on the voice VLAN (with syslog\n"
      "      and SNMP as configured)\n"
      "  regwatch-agent --config /etc/regwatch/agent.yaml --metrics 127.0.0.1:9481\n"
      "      also serve /metrics for Prometheus on loopback\n"
      "  regwatch-agent --config /etc/regwatch/agent.yaml --check-config\n"
      "      every problem start-up would refuse, each with its line; exit 1 if any\n\n"
      "Exit codes: 0 done; 1 usage or configuration; 2 cannot start (or read a file); 3 the\n"
      "collector refused this agent (token, certificate); 4 replay stopped or timed out before\n"
      "everything was acknowledged (replay again: it is stored once); 5 replay acknowledged but\n"
      "not all of it stored now (the spool dropped events, or, under --replay-agent-id, the\n"
      "collector already had events under that id; see --allow-duplicates)\n"};
  app.set_version_flag("--version", regwatch::version_line("regwatch-agent"));
  std::string config_file;
  bool print_default = false;
  std::string collector, agent_id, spool_dir, syslog_udp, syslog_tcp, token, token_file;
  std::string tls_ca, tls_cert, tls_key, tls_server_name, spool_max, drop_policy, log_level;
  std::vector<std::string> replay_files;
  int replay_timeout = 0;
  app.add_option("--config", config_file, "YAML config file (see --print-default-config)")
      ->check(CLI::ExistingFile);
  app.add_flag("--print-default-config", print_default, "print the default config and exit");
  bool check_config = false;
  app.add_flag("--check-config", check_config,
               "check the config (file and flags) as start-up does, report every problem with its "
               "line, and exit: 0 valid, 1 not");
  app.add_option("--collector", collector,
                 "collector HOST:PORT, or several in order of preference (a:7443,b:7443): ships "
                 "to the first that works and fails over to the next when it fails (default "
                 "127.0.0.1:7443)");
  app.add_option("--agent-id", agent_id, "this agent's name (default: the host name)");
  app.add_option("--spool-dir", spool_dir, "directory of the durable spool");
  app.add_option("--spool-max-size", spool_max, "bound of the spool on disk, e.g. 256MiB");
  app.add_option("--drop-policy", drop_policy,
                 "when the spool is full: drop_oldest or drop_newest");
  app.add_option("--syslog-udp", syslog_udp, "HOST:PORT to receive syslog on UDP (\"\" = off)");
  app.add_option("--syslog-tcp", syslog_tcp, "HOST:PORT to receive syslog on TCP (\"\" = off)");
  // A file, a stream such as <(zcat archive.gz), or "-" for standard input (streams are copied
  // once to a file of the replay's own: agent/app/replay_input.h).
  const CLI::Validator file_or_stdin(
      [](std::string& value) { return value == "-" ? std::string() : CLI::ExistingFile(value); },
      "FILE|-");
  app.add_option("--replay-syslog", replay_files,
                 "archived syslog file to load (repeatable; - or <(zcat FILE.gz) read a stream); "
                 "exits when the collector has it all")
      ->check(file_or_stdin);
  std::vector<std::string> pcap_files;
  app.add_option(
         "--replay-pcap", pcap_files,
         "capture file (pcap/pcapng) to decode for SCCP and the boot chain (repeatable; - reads "
         "standard input); packet times become event times")
      ->check(file_or_stdin);
  std::string capture_interface;
  app.add_option(
      "--capture", capture_interface,
      "interface to watch SCCP and the boot chain on live (e.g. eth0.110, any, lo; needs root or "
      "CAP_NET_RAW)");
  std::string decode_file;
  app.add_option("--decode-pcap", decode_file,
                 "print the DHCP and TFTP packets and the SIP messages (port 5060, UDP and TCP) of "
                 "a capture as decoded, one JSON line each, and exit")
      ->check(CLI::ExistingFile);
  app.add_option("--replay-timeout", replay_timeout,
                 "give up waiting for the collector after this many seconds (0 = wait)");
  std::string replay_agent_id;
  app.add_option(
      "--replay-agent-id", replay_agent_id,
      "agent id to replay under (default: <agent id>/replay-<SHA-256 of the files, 12 hex>); "
      "a collector with tokens takes <agent id>/... under <agent id>'s token");
  bool allow_duplicates = false;
  app.add_flag(
      "--allow-duplicates", allow_duplicates,
      "replay: exit 0 even when, under --replay-agent-id, the collector already had some events");
  std::string snmp_community, snmp_traps;
  app.add_option("--snmp-traps", snmp_traps,
                 "HOST:PORT to receive SNMP traps and informs on (\"\" = off)");
  app.add_option(
      "--snmp-community", snmp_community,
      "SNMP v1/v2c community for targets that set none (see the snmp section of the config)");
  app.add_option("--token", token, "this agent's token for the collector");
  app.add_option("--token-file", token_file, "file holding the token");
  app.add_option("--tls-ca", tls_ca, "CA of the collector's certificate: turns TLS on");
  app.add_option("--tls-cert", tls_cert, "client certificate for mTLS (PEM)");
  app.add_option("--tls-key", tls_key, "client key for mTLS (PEM)");
  app.add_option("--tls-server-name", tls_server_name,
                 "name to verify in the collector's certificate");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  std::string log_format;
  app.add_option("--log-format", log_format,
                 "text (default), json or logfmt: one object or key=value line per log line");
  std::string metrics_listen;
  app.add_option("--metrics", metrics_listen,
                 "HOST:PORT to serve /metrics for Prometheus on (config metrics.listen; \"\" = "
                 "off); plaintext only on loopback, else set metrics.tls_cert and tls_key");
  CLI11_PARSE(app, argc, argv);

  if (print_default) {
    std::cout << default_agent_config_yaml();
    return kExitOk;
  }
  if (!decode_file.empty()) return decode_pcap_to_stdout(decode_file);
  // --check-config, a real start and a reload (SIGHUP) run the same steps (agent_config.h),
  // so they refuse the same configs with the same words. Flags override the file.
  const auto read_config = [&](AgentConfig& config, regwatch::config::ConfigErrors& errors) {
    if (!config_file.empty()) read_agent_config_file(config_file, config, errors);
    auto set = [](std::string& target, const std::string& value) {
      if (!value.empty()) target = value;
    };
    set(config.collector.address, collector);
    set(config.agent_id, agent_id);
    set(config.spool.dir, spool_dir);
    set(config.spool.max_size, spool_max);
    set(config.spool.drop_policy, drop_policy);
    if (app.count("--syslog-udp")) config.syslog.udp = syslog_udp;
    if (app.count("--syslog-tcp")) config.syslog.tcp = syslog_tcp;
    set(config.collector.token, token);
    set(config.collector.token_file, token_file);
    if (!tls_ca.empty()) config.collector.tls = true;
    set(config.collector.tls_ca_file, tls_ca);
    set(config.collector.tls_cert_file, tls_cert);
    set(config.collector.tls_key_file, tls_key);
    set(config.collector.tls_server_name, tls_server_name);
    set(config.log_level, log_level);
    set(config.log_format, log_format);
    set(config.snmp.community, snmp_community);
    if (app.count("--snmp-traps")) config.snmp.traps = snmp_traps;
    if (app.count("--metrics")) config.metrics.listen = metrics_listen;
    if (config.agent_id.empty()) {
      char host[256] = {};
      gethostname(host, sizeof host - 1);
      config.agent_id = host[0] ? host : "agent";
    }
    check_agent_config(config, errors);
  };
  AgentConfig config;
  regwatch::config::ConfigErrors errors;
  read_config(config, errors);
  if (!errors.empty()) {
    std::cerr << "regwatch-agent: invalid configuration (" << errors.size()
              << (errors.size() == 1 ? " problem" : " problems") << "):\n"
              << errors.format(config_file);
    return kExitUsage;
  }
  if (check_config) {
    std::cout << "configuration is valid\n";
    return 0;
  }
  // Both checked above.
  regwatch::set_log_level(config.log_level);
  regwatch::set_log_format(*regwatch::parse_log_format(config.log_format));
  if (app.count("--capture")) config.sccp.capture = capture_interface;
  if (!replay_files.empty() || !pcap_files.empty()) {
    ReplayRequest request;
    request.syslog_files = replay_files;
    request.pcap_files = pcap_files;
    request.timeout_seconds = replay_timeout;
    request.agent_id = replay_agent_id;
    request.allow_duplicates = allow_duplicates;
    return run_replay(config, request);
  }
  if (!replay_agent_id.empty() || allow_duplicates) {
    std::cerr << "regwatch-agent: --replay-agent-id and --allow-duplicates go with --replay-syslog "
                 "or --replay-pcap\n";
    return kExitUsage;
  }
  // The capture interface is a flag only; a reload keeps it (sccp is read only at start).
  const ConfigReader reread(config_file, [&]() -> regwatch::Result<AgentConfig> {
    AgentConfig next;
    regwatch::config::ConfigErrors next_errors;
    read_config(next, next_errors);
    if (!next_errors.empty())
      return regwatch::make_error("config", next_errors.format(config_file));
    if (app.count("--capture")) next.sccp.capture = capture_interface;
    return next;
  });
  return run_live(config, config_file.empty() ? ConfigReader() : reread);
}

}  // namespace

int main(int argc, char** argv) {
  // Nothing is meant to throw past here; if something does (out of memory, a library's
  // exception), say so and exit as a failed start rather than std::terminate's abort.
  try {
    return run_agent(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "regwatch-agent: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "regwatch-agent: an unknown exception\n";
  }
  return regwatch::agent::kExitStartFailed;
}
