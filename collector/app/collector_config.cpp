#include "collector/app/collector_config.h"

#include <cmath>
#include <set>

#include "collector/auth/access_role.h"
#include "collector/auth/client_certificates.h"
#include "collector/store/store_backend.h"
#include "common/net_address.h"
#include "common/yaml_config.h"

namespace regwatch::collector {
namespace {

void read_config(const YAML::Node& node, CollectorConfig& config, config::ConfigErrors& errors) {
  config::YamlMap root(node, "", errors);
  root.read("listen", config.listen);  // checked with the flags applied
  root.read("db", config.db);
  root.read("retention_days", config.retention_days);
  root.read("log_level", config.log_level);
  root.read("log_format", config.log_format);
  root.read("tls_cert_file", config.tls_cert_file);
  root.read("tls_key_file", config.tls_key_file);
  root.read("tls_client_ca_file", config.tls_client_ca_file);
  root.read("tokens", config.tokens);
  root.read("tokens_file", config.tokens_file);
  for (auto& entry : root.list("access_tokens")) {
    AccessToken& t = config.access_tokens.emplace_back();
    entry.read("name", t.name);
    entry.read("role", t.role);
    entry.read("token", t.token);
    entry.finish();
  }
  root.read("allow_anonymous", config.allow_anonymous);
  auto certificates = root.child("client_certificates");
  certificates.read("identity", config.client_certificates.identity);
  for (auto& entry : certificates.list("agents")) {
    CertificateGrantConfig& grant = config.client_certificates.agents.emplace_back();
    entry.read("identity", grant.identity);
    entry.read("agent_ids", grant.agent_ids);
    entry.read("role", grant.role);
    entry.finish();
  }
  certificates.finish();
  auto ingest = root.child("ingest");
  ingest.read("max_message_bytes", config.ingest.max_message_bytes);
  ingest.read("max_streams_per_identity", config.ingest.max_streams_per_identity);
  ingest.read("pending_bytes_budget", config.ingest.pending_bytes_budget);
  ingest.finish();
  auto silences = root.child("silences");
  silences.read("max_duration_s", config.silences.max_duration_s);
  silences.finish();
  root.read("max_pending_batches_per_stream", config.max_pending_batches_per_stream);
  root.read("query_threads", config.query_threads);
  auto http = root.child("http");
  http.read("listen", config.http.listen);  // checked with the flags applied
  http.read("tls_cert_file", config.http.tls_cert_file);
  http.read("tls_key_file", config.http.tls_key_file);
  http.read("external_url", config.http.external_url);
  http.read("metrics_require_token", config.http.metrics_require_token);
  http.finish();
  auto correlation = root.child("correlation");
  auto& c = config.correlation;
  correlation.read("window_s", c.window_s);
  correlation.read("min_phones", c.min_phones);
  correlation.read("min_fraction", c.min_fraction);
  correlation.read("merge_s", c.merge_s);
  correlation.read("quiet_s", c.quiet_s);
  correlation.read("lookback_s", c.lookback_s);
  correlation.read("explain_fraction", c.explain_fraction);
  correlation.read("recovered_fraction", c.recovered_fraction);
  correlation.read("flap_drops", c.flap_drops);
  correlation.finish();
  auto alerting = root.child("alerting");
  alerts::read_alerting_config(alerting, config.alerting);
  alerting.finish();
  root.finish();
}

void check_client_certificates(const ClientCertificateSettings& settings,
                               config::ConfigErrors& errors) {
  if (!parse_certificate_identity_kind(settings.identity)) {
    errors.add_at("client_certificates.identity",
                  "'" + settings.identity + "' is not common_name, dns_san or uri_san");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < settings.agents.size(); ++i) {
    const auto& grant = settings.agents[i];
    const std::string at = "client_certificates.agents[" + std::to_string(i) + "]";
    if (grant.identity.empty()) {
      errors.add_at(at + ".identity", "must not be empty", at);
    } else if (!seen.insert(grant.identity).second) {
      errors.add_at(at + ".identity", "'" + grant.identity + "' is granted twice", at);
    }
    const auto role = parse_role(grant.role);
    if (!role) {
      errors.add_at(at + ".role", "'" + grant.role + "' is not agent, viewer or operator", at);
    } else if (*role != Role::kAgent && !grant.agent_ids.empty()) {
      errors.add_at(at + ".agent_ids",
                    "only role agent ingests; a " + grant.role + " certificate has no agent_ids",
                    at);
    }
    for (const auto& pattern : grant.agent_ids) {
      const auto star = pattern.find('*');
      if (pattern.empty() || (star != std::string::npos && star + 1 != pattern.size())) {
        errors.add_at(at + ".agent_ids",
                      "'" + pattern + "' is not an agent id or a prefix ending in '*'", at);
      }
    }
  }
}

void check_ingest_settings(const IngestSettings& ingest, config::ConfigErrors& errors) {
  if (ingest.max_message_bytes < kAgentBatchMaxMessageBytes ||
      ingest.max_message_bytes > (uint64_t{1} << 30)) {
    errors.add_at("ingest.max_message_bytes",
                  "must be in " + std::to_string(kAgentBatchMaxMessageBytes) + ".." +
                      std::to_string(uint64_t{1} << 30) + " (an agent's largest batch must fit)");
  }
  if (ingest.max_streams_per_identity == 0)
    errors.add_at("ingest.max_streams_per_identity", "must be >= 1");
  if (ingest.pending_bytes_budget < ingest.max_message_bytes)
    errors.add_at("ingest.pending_bytes_budget", "must be at least ingest.max_message_bytes");
}

}  // namespace

void read_collector_config_file(const std::string& path, CollectorConfig& config,
                                config::ConfigErrors& errors) {
  auto node = config::load_yaml_file(path);
  if (!node.ok()) {
    errors.add_whole(node.error().message);
    return;
  }
  read_config(*node, config, errors);
  if (config.tokens_file.empty()) return;
  auto tokens = config::load_yaml_file(config.tokens_file);
  if (!tokens.ok()) {
    errors.add_at("tokens_file", tokens.error().message);
    return;
  }
  YAML::Node holder;
  holder["tokens"] = *tokens;
  config::YamlMap file_root(holder, config.tokens_file, errors);
  std::map<std::string, std::string> from_file;
  file_root.read("tokens", from_file);
  config.tokens.insert(from_file.begin(), from_file.end());
}

namespace {

void check_http_settings(const CollectorConfig& config, config::ConfigErrors& errors) {
  const HttpSettings& http = config.http;
  if (http.tls_cert_file.empty() != http.tls_key_file.empty())
    errors.add_at("http.tls_cert_file", "http.tls_cert_file and http.tls_key_file go together");
  config::check_readable_file(http.tls_cert_file, "http.tls_cert_file", errors);
  config::check_readable_file(http.tls_key_file, "http.tls_key_file", errors);
  if (!http.external_url.empty() && http.external_url.rfind("http://", 0) != 0 &&
      http.external_url.rfind("https://", 0) != 0) {
    errors.add_at("http.external_url",
                  "'" + http.external_url +
                      "' is not an http:// or https:// URL (where people "
                      "reach the dashboard, e.g. https://regwatch.example.net/)");
  }
  if (http.listen.empty()) return;
  auto listen = parse_endpoint(http.listen);
  const bool has_tls = !http.tls_cert_file.empty() || !config.tls_cert_file.empty();
  if (!listen.ok()) {
    errors.add_at("http.listen", "'" + http.listen + "' is not HOST:PORT (or \"\" for no HTTP): " +
                                     listen.error().message);
  } else if (!has_tls && !is_loopback_host(listen->host)) {
    errors.add_at("http.listen", http.listen +
                                     " is not loopback: plaintext is only allowed on loopback; set "
                                     "http.tls_cert_file and http.tls_key_file (or the collector's "
                                     "tls_cert_file and tls_key_file)");
  }
}

}  // namespace

void check_collector_config(const CollectorConfig& config, config::ConfigErrors& errors) {
  config::check_log_level(config.log_level, "log_level", errors);
  config::check_log_format(config.log_format, "log_format", errors);
  auto listen = parse_endpoint(config.listen);
  if (!listen.ok()) {
    errors.add_at("listen", "'" + config.listen + "' is not HOST:PORT: " + listen.error().message);
  } else if (config.tls_cert_file.empty() && !is_loopback_host(listen->host)) {
    errors.add_at("listen", config.listen +
                                " is not loopback: plaintext is only allowed on loopback; set "
                                "tls_cert_file and tls_key_file (or --tls-cert/--tls-key)");
  }
  if (config.tls_cert_file.empty() != config.tls_key_file.empty())
    errors.add_at("tls_cert_file", "tls_cert_file and tls_key_file go together");
  if (!config.tls_client_ca_file.empty() && config.tls_cert_file.empty())
    errors.add_at("tls_client_ca_file", "mTLS needs tls_cert_file and tls_key_file");
  config::check_readable_file(config.tls_cert_file, "tls_cert_file", errors);
  config::check_readable_file(config.tls_key_file, "tls_key_file", errors);
  config::check_readable_file(config.tls_client_ca_file, "tls_client_ca_file", errors);
  if (config.db.empty()) {
    errors.add_at("db", "must not be empty");
  } else if (auto backend = store::open_store_backend(config.db); !backend.ok()) {
    // An unknown scheme (mysql://...): the start would refuse it (opening the backend connects
    // to nothing), so --check-config says so too, with the rest.
    errors.add_at("db", backend.error().message);
  }
  if (config.max_pending_batches_per_stream == 0)
    errors.add_at("max_pending_batches_per_stream", "must be >= 1");
  if (config.query_threads == 0) errors.add_at("query_threads", "must be >= 1");
  const auto& c = config.correlation;
  if (c.window_s == 0) errors.add_at("correlation.window_s", "must be >= 1");
  if (c.min_phones < 2)
    errors.add_at("correlation.min_phones", "must be >= 2 (one phone is no burst)");
  for (auto [name, value] : {std::pair{"min_fraction", c.min_fraction},
                             std::pair{"explain_fraction", c.explain_fraction},
                             std::pair{"recovered_fraction", c.recovered_fraction}}) {
    if (!(value > 0 && value <= 1))
      errors.add_at(std::string("correlation.") + name, "must be in (0, 1]");
  }
  if (c.quiet_s == 0) errors.add_at("correlation.quiet_s", "must be >= 1");
  if (c.flap_drops < 2) errors.add_at("correlation.flap_drops", "must be >= 2");
  alerts::check_alerting_config(config.alerting, errors);
  for (const auto& [agent, token] : config.tokens) {
    if (token.size() < 8)
      errors.add_at("tokens." + agent, "a token needs at least 8 characters", "tokens");
  }
  std::set<std::string> secrets;
  for (const auto& [agent, token] : config.tokens) secrets.insert(token);
  for (size_t i = 0; i < config.access_tokens.size(); ++i) {
    const auto& t = config.access_tokens[i];
    const std::string at = "access_tokens[" + std::to_string(i) + "]";
    if (t.name.empty()) errors.add_at(at + ".name", "must not be empty", at);
    if (t.role != "agent" && t.role != "viewer" && t.role != "operator")
      errors.add_at(at + ".role", "'" + t.role + "' is not agent, viewer or operator", at);
    if (t.token.size() < 8) {
      errors.add_at(at + ".token", "a token needs at least 8 characters", at);
    } else if (!secrets.insert(t.token).second) {
      errors.add_at(at + ".token", "the same token is configured twice", at);
    }
  }
  if (config.silences.max_duration_s == 0) errors.add_at("silences.max_duration_s", "must be >= 1");
  check_client_certificates(config.client_certificates, errors);
  if (!config.client_certificates.agents.empty() && config.tls_client_ca_file.empty()) {
    errors.add_at("client_certificates.agents",
                  "grants certificates, but no client certificates are asked for: set "
                  "tls_client_ca_file (mTLS)");
  }
  check_ingest_settings(config.ingest, errors);
  check_http_settings(config, errors);
}

void check_collector_exposure(const CollectorConfig& config, config::ConfigErrors& errors) {
  auto listen = parse_endpoint(config.listen);
  if (!listen.ok() || is_loopback_host(listen->host) || config.allow_anonymous) return;
  if (!config.tokens.empty() || !config.access_tokens.empty()) return;
  if (!config.tls_client_ca_file.empty()) return;
  errors.add_at("listen", config.listen +
                              " is not loopback and nothing authenticates clients: anyone who "
                              "reaches it could ingest as any agent, read everything and "
                              "silence alerts. Configure tokens (tokens, access_tokens) or "
                              "agent certificates (tls_client_ca_file), or set "
                              "allow_anonymous: true to accept that");
}

Result<CollectorConfig> load_collector_config(const std::string& path) {
  CollectorConfig config;
  config::ConfigErrors errors;
  read_collector_config_file(path, config, errors);
  check_collector_config(config, errors);
  check_collector_exposure(config, errors);
  if (!errors.empty()) return make_error("config_invalid", errors.format(path));
  return config;
}

Status validate_collector_config(const CollectorConfig& config) {
  config::ConfigErrors errors;
  check_collector_config(config, errors);
  if (errors.empty()) return Ok{};
  return make_error("config_invalid", errors.format(""));
}

std::string default_collector_config_yaml() {
  const CollectorConfig d;
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "listen" << YAML::Value << d.listen
      << YAML::Comment("plaintext only on loopback; elsewhere set the tls_* keys");
  out << YAML::Key << "db" << YAML::Value << d.db;
  out << YAML::Key << "retention_days" << YAML::Value << d.retention_days
      << YAML::Comment("by store time; 0 keeps everything");
  out << YAML::Key << "log_level" << YAML::Value << d.log_level;
  out << YAML::Key << "log_format" << YAML::Value << d.log_format
      << YAML::Comment("text, json or logfmt; under systemd text goes to the journal");
  out << YAML::Key << "tls_cert_file" << YAML::Value << d.tls_cert_file;
  out << YAML::Key << "tls_key_file" << YAML::Value << d.tls_key_file;
  out << YAML::Key << "tls_client_ca_file" << YAML::Value << d.tls_client_ca_file
      << YAML::Comment("set to require agent certificates (mTLS)");
  out << YAML::Key << "tokens" << YAML::Value << YAML::BeginMap << YAML::EndMap
      << YAML::Comment("agent_id: token (role agent); no tokens at all = no token check");
  out << YAML::Key << "tokens_file" << YAML::Value << d.tokens_file;
  out << YAML::Key << "access_tokens" << YAML::Value << YAML::BeginSeq << YAML::EndSeq
      << YAML::Comment("[{name, role: viewer|operator|agent, token}]; see the example config");
  out << YAML::Key << "allow_anonymous" << YAML::Value << d.allow_anonymous
      << YAML::Comment("off loopback, start without tokens or a client CA");
  out << YAML::Key << "client_certificates" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "identity" << YAML::Value << d.client_certificates.identity
      << YAML::Comment("with mTLS: common_name, dns_san or uri_san names the agent");
  out << YAML::Key << "agents" << YAML::Value << YAML::BeginSeq << YAML::EndSeq
      << YAML::Comment("[{identity, agent_ids: [...], role}]; none: identity = agent id");
  out << YAML::EndMap;
  out << YAML::Key << "ingest" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "max_message_bytes" << YAML::Value << d.ingest.max_message_bytes
      << YAML::Comment("a larger batch is refused (an agent's largest fits)");
  out << YAML::Key << "max_streams_per_identity" << YAML::Value << d.ingest.max_streams_per_identity
      << YAML::Comment("per token, certificate or (anonymous) agent id");
  out << YAML::Key << "pending_bytes_budget" << YAML::Value << d.ingest.pending_bytes_budget
      << YAML::Comment("uncommitted batches, all streams; past it streams wait");
  out << YAML::EndMap;
  out << YAML::Key << "silences" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "max_duration_s" << YAML::Value << d.silences.max_duration_s
      << YAML::Comment("a longer silence is refused");
  out << YAML::EndMap;
  out << YAML::Key << "max_pending_batches_per_stream" << YAML::Value
      << d.max_pending_batches_per_stream;
  out << YAML::Key << "query_threads" << YAML::Value << d.query_threads;
  out << YAML::Key << "http" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "listen" << YAML::Value << d.http.listen
      << YAML::Comment("the JSON API, the dashboard and /metrics; \"\" = off");
  out << YAML::Key << "tls_cert_file" << YAML::Value << d.http.tls_cert_file
      << YAML::Comment("default: tls_cert_file above; needed off loopback");
  out << YAML::Key << "tls_key_file" << YAML::Value << d.http.tls_key_file;
  out << YAML::Key << "external_url" << YAML::Value << d.http.external_url
      << YAML::Comment("the dashboard's URL as people reach it; pages link to it");
  out << YAML::Key << "metrics_require_token" << YAML::Value << d.http.metrics_require_token
      << YAML::Comment("/metrics and /-/ health need a viewer's token");
  out << YAML::EndMap;
  const auto& c = d.correlation;
  out.SetDoublePrecision(3);  // 0.2, not 0.20000000000000001
  out << YAML::Key << "correlation" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "window_s" << YAML::Value << c.window_s
      << YAML::Comment("a burst: this many seconds of drops in one scope ...");
  out << YAML::Key << "min_phones" << YAML::Value << c.min_phones
      << YAML::Comment("... from at least this many phones ...");
  out << YAML::Key << "min_fraction" << YAML::Value << c.min_fraction
      << YAML::Comment("... and this share of the scope's known phones");
  out << YAML::Key << "merge_s" << YAML::Value << c.merge_s
      << YAML::Comment("reports of one phone this close are one drop");
  out << YAML::Key << "quiet_s" << YAML::Value << c.quiet_s
      << YAML::Comment("a burst ends after this long without a drop");
  out << YAML::Key << "lookback_s" << YAML::Value << c.lookback_s
      << YAML::Comment("causes are looked for this long before the first drop");
  out << YAML::Key << "explain_fraction" << YAML::Value << c.explain_fraction
      << YAML::Comment("the narrowest scope holding this share of a burst is reported");
  out << YAML::Key << "recovered_fraction" << YAML::Value << c.recovered_fraction
      << YAML::Comment("resolved once this share registered again");
  out << YAML::Key << "flap_drops" << YAML::Value << c.flap_drops
      << YAML::Comment("a phone dropping this often in one burst is a flapper");
  out << YAML::EndMap;
  out << YAML::Key << "alerting" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "receivers" << YAML::Value << YAML::BeginSeq << YAML::EndSeq
      << YAML::Comment("none: no notifications; see deploy/collector.example.yaml");
  out << YAML::Key << "group_wait_s" << YAML::Value << d.alerting.group_wait_s
      << YAML::Comment("the first page waits this long so it carries the causes");
  out << YAML::Key << "group_interval_s" << YAML::Value << d.alerting.group_interval_s
      << YAML::Comment("a group's next notification waits this long (receivers' group_by)");
  out << YAML::Key << "repeat_interval_s" << YAML::Value << d.alerting.repeat_interval_s
      << YAML::Comment("an incident still open is notified again after this long");
  out << YAML::Key << "resend_interval_s" << YAML::Value << d.alerting.resend_interval_s
      << YAML::Comment("alertmanager receivers: firing alerts re-sent this often, valid 4x");
  out << YAML::Key << "max_incident_age_s" << YAML::Value << d.alerting.max_incident_age_s
      << YAML::Comment("older incidents (replays) never notify");
  out << YAML::Key << "retry_min_s" << YAML::Value << d.alerting.retry_min_s;
  out << YAML::Key << "retry_max_s" << YAML::Value << d.alerting.retry_max_s;
  out << YAML::Key << "give_up_after_s" << YAML::Value << d.alerting.give_up_after_s;
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const auto& rule : d.alerting.rules) {
    out << YAML::BeginMap << YAML::Key << "alert" << YAML::Value << rule.alert;
    out << YAML::Key << "classes" << YAML::Value << YAML::Flow << rule.classes;
    out << YAML::Key << "min_phones" << YAML::Value << rule.min_phones;
    out << YAML::Key << "severity" << YAML::Value << rule.severity;
    out << YAML::Key << "critical_min_phones" << YAML::Value << rule.critical_min_phones;
    out << YAML::Key << "critical_scopes" << YAML::Value << YAML::Flow << rule.critical_scopes;
    out << YAML::Key << "notify" << YAML::Value << rule.notify << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "evaluate_every_s" << YAML::Value << d.alerting.evaluate_every_s
      << YAML::Comment("conditions are evaluated this often (and soon after events arrive)");
  out << YAML::Key << "flap_hold_s" << YAML::Value << d.alerting.flap_hold_s
      << YAML::Comment("a condition no longer met resolves only after this long");
  out << YAML::Key << "flap_max_pages" << YAML::Value << d.alerting.flap_max_pages
      << YAML::Comment("pages per alert name and scope within flap_window_s...");
  out << YAML::Key << "flap_window_s" << YAML::Value << d.alerting.flap_window_s
      << YAML::Comment("... beyond which a scope that keeps bursting is not paged again");
  out << YAML::Key << "conditions" << YAML::Value << YAML::BeginSeq;
  for (const auto& rule : d.alerting.conditions) {
    out << YAML::BeginMap << YAML::Key << "alert" << YAML::Value << rule.alert;
    out << YAML::Key << "condition" << YAML::Value << rule.condition
        << YAML::Comment(alerts::condition_kinds().at(rule.condition));
    out << YAML::Key << "severity" << YAML::Value << rule.severity;
    out << YAML::Key << "window_s" << YAML::Value << rule.window_s;
    if (rule.threshold > 0 && rule.threshold == std::floor(rule.threshold)) {
      out << YAML::Key << "threshold" << YAML::Value << static_cast<int64_t>(rule.threshold);
    } else if (rule.threshold > 0) {
      out << YAML::Key << "threshold" << YAML::Value << rule.threshold;
    }
    out << YAML::Key << "notify" << YAML::Value << rule.notify << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "inhibit_rules" << YAML::Value << YAML::BeginSeq;
  for (const auto& rule : d.alerting.inhibit_rules) {
    const auto texts = [](const alerts::Matchers& matchers) {
      std::vector<std::string> list;
      for (const auto& m : matchers) list.push_back(m.to_string());
      return list;
    };
    out << YAML::BeginMap << YAML::Key << "source_matchers" << YAML::Value << YAML::Flow
        << texts(rule.source);
    out << YAML::Key << "target_matchers" << YAML::Value << YAML::Flow << texts(rule.target);
    out << YAML::Key << "equal" << YAML::Value << YAML::Flow << rule.equal << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace regwatch::collector
