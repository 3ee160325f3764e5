#pragma once
// regwatch-collector's configuration. Member initialisers are the defaults
// (printed by --print-default-config); nothing else restates them.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alerts/alerting_config.h"
#include "collector/correlate/correlator.h"
#include "common/ingest_message_size.h"
#include "common/result.h"
#include "common/yaml_config.h"

namespace regwatch::collector {

// A token with a role (access_tokens): `name` is who presents it, recorded as the author of the
// silences it makes. Roles: agent (ingest as the agent id `name`), viewer (queries), operator
// (queries and silences).
struct AccessToken {
  std::string name;
  std::string role;
  std::string token;
  bool operator==(const AccessToken&) const = default;
};

// With mTLS, what a client certificate may do (client_certificates.h): by default ingest as
// the agent id equal to its identity and that agent's replays.
struct CertificateGrantConfig {
  std::string identity;
  std::vector<std::string> agent_ids;  // role agent only; empty: the identity itself
  std::string role = "agent";          // agent, viewer or operator
  bool operator==(const CertificateGrantConfig&) const = default;
};
struct ClientCertificateSettings {
  std::string identity = "common_name";  // common_name, dns_san or uri_san
  std::vector<CertificateGrantConfig> agents;
  bool operator==(const ClientCertificateSettings&) const = default;
};

// What Ingest streams may take from the collector.
struct IngestSettings {
  // gRPC's receive limit; at least what an agent's largest batch needs.
  uint64_t max_message_bytes = kDefaultIngestMaxMessageBytes;
  // Concurrent streams per token name, certificate identity, or (anonymous) agent id.
  uint32_t max_streams_per_identity = 4;
  // Batches read but not yet committed, all streams together; past it streams stop reading.
  uint64_t pending_bytes_budget = uint64_t{256} << 20;
};

struct SilenceSettings {
  uint32_t max_duration_s = 7 * 24 * 3600;  // a longer silence is refused
};

// The HTTP side (collector/http/): the JSON API, the dashboard, /metrics. Same transport rule as
// gRPC: plaintext only on loopback; elsewhere TLS, with the gRPC certificate unless these name one.
struct HttpSettings {
  std::string listen = "127.0.0.1:7480";  // "" = no HTTP
  std::string tls_cert_file;              // default: the collector's tls_cert_file
  std::string tls_key_file;
  // Where people reach the dashboard (https://regwatch.example.net/): pages and pushes link to
  // the incident's page under it (generatorURL, the webhook's externalURL). "" = no links.
  std::string external_url;
  bool metrics_require_token = false;  // /metrics, /-/healthy, /-/ready need a viewer's token
};

struct CollectorConfig {
  std::string listen = "127.0.0.1:7443";
  std::string db = "/var/lib/regwatch/collector/regwatch.db";
  uint32_t retention_days = 90;  // by the time events were stored; 0 keeps everything
  std::string log_level = "info";
  std::string log_format = "text";  // text, json or logfmt (common/logging.h)
  // TLS: required unless listening on loopback. client_ca_file turns on mTLS
  // (agents must present a certificate signed by it).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  // agent_id -> token: each an access token with role agent. With any token configured
  // (here or in access_tokens), every ingest stream must present its agent's token (an
  // agent's replays, "<agent_id>/replay-...", present the agent's) and every query a viewer's
  // or operator's (access_policy.h).
  std::map<std::string, std::string> tokens;
  std::string tokens_file;  // YAML map agent_id: token, merged into tokens
  std::vector<AccessToken> access_tokens;
  // Off loopback, start-up is refused without tokens or a client CA unless this is set.
  bool allow_anonymous = false;
  ClientCertificateSettings client_certificates;
  SilenceSettings silences;
  IngestSettings ingest;
  uint32_t max_pending_batches_per_stream = 4;
  uint32_t query_threads = 2;
  HttpSettings http;
  correlate::CorrelationSettings correlation;  // burst thresholds and windows
  alerts::AlertingConfig alerting;             // no receivers: no notifications
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
// Whether anyone could connect unauthenticated from the network (listening off loopback with
// neither tokens nor a client CA, and no allow_anonymous): --check-config reports it with the
// rest (exit 1), a start refuses to start (exit 2).
void check_collector_exposure(const CollectorConfig& config, config::ConfigErrors& errors);

// Both steps on a file alone (tests): the config, or every problem, with file and line.
Result<CollectorConfig> load_collector_config(const std::string& path);
// check_collector_config without a file: Ok, or every problem, one a line.
Status validate_collector_config(const CollectorConfig& config);
std::string default_collector_config_yaml();

}  // namespace regwatch::collector
