#pragma once
// regwatch-collector's configuration. Member initialisers are the defaults
// (printed by --print-default-config); nothing else restates them.
#include <cstdint>
#include <map>
#include <string>

#include "alerts/alerting_config.h"
#include "collector/correlate/correlator.h"
#include "common/result.h"
#include "common/yaml_config.h"

namespace regwatch::collector {

struct CollectorConfig {
  std::string listen = "127.0.0.1:7443";
  std::string db = "/var/lib/regwatch-collector/regwatch.db";
  uint32_t retention_days = 90;      // by the time events were stored; 0 keeps everything
  std::string log_level = "info";
  // TLS: required unless listening on loopback. client_ca_file turns on mTLS
  // (agents must present a certificate signed by it).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  // agent_id -> token. When non-empty, every ingest stream must present its
  // agent's token (an agent's replays, "<agent_id>/replay-...", present the
  // agent's); the query service then accepts any configured token.
  std::map<std::string, std::string> tokens;
  std::string tokens_file;           // YAML map agent_id: token, merged into tokens
  uint32_t max_pending_batches_per_stream = 4;
  uint32_t query_threads = 2;
  correlate::CorrelationSettings correlation;  // burst thresholds and windows
  alerts::AlertingConfig alerting;  // no receivers: no notifications
};

// Start-up in two steps, each collecting every problem into errors (nothing thrown):
// read the file (syntax, types, unknown keys, matchers; tokens_file merged), then, after the
// command line's flags were applied, check everything start-up relies on (log level,
// listen address and TLS rules, the files it names readable, the secrets' environment
// variables set, receivers' URLs, ranges). --check-config and a real start run exactly
// these, so a config that passes the check starts and one that fails it is refused by a
// start with the same messages.
void read_collector_config_file(const std::string& path, CollectorConfig& config,
                                config::ConfigErrors& errors);
void check_collector_config(const CollectorConfig& config, config::ConfigErrors& errors);

// Both steps on a file alone (tests): the config, or every problem, with file and line.
Result<CollectorConfig> load_collector_config(const std::string& path);
// check_collector_config without a file: Ok, or every problem, one a line.
Status validate_collector_config(const CollectorConfig& config);
std::string default_collector_config_yaml();

}  // namespace regwatch::collector
