#include "collector/app/collector_config.h"

#include "common/net_address.h"
#include "common/yaml_config.h"

namespace regwatch::collector {
namespace {

void read_config(YAML::Node node, CollectorConfig& config, config::ConfigErrors& errors) {
  config::YamlMap root(node, "", errors);
  root.read("listen", config.listen);
  if (!parse_endpoint(config.listen).ok()) root.error("listen", "must be HOST:PORT");
  root.read("db", config.db);
  root.read("retention_days", config.retention_days);
  root.read("log_level", config.log_level);
  root.read("tls_cert_file", config.tls_cert_file);
  root.read("tls_key_file", config.tls_key_file);
  root.read("tls_client_ca_file", config.tls_client_ca_file);
  root.read("tokens", config.tokens);
  root.read("tokens_file", config.tokens_file);
  root.read("max_pending_batches_per_stream", config.max_pending_batches_per_stream);
  root.read("query_threads", config.query_threads);
  auto alerting = root.child("alerting");
  alerts::read_alerting_config(alerting, config.alerting);
  alerting.finish();
  root.finish();
}

}  // namespace

Result<CollectorConfig> load_collector_config(const std::string& path) {
  auto node = config::load_yaml_file(path);
  if (!node.ok()) return node.error();
  CollectorConfig config;
  config::ConfigErrors errors;
  read_config(*node, config, errors);
  if (!config.tokens_file.empty()) {
    auto tokens = config::load_yaml_file(config.tokens_file);
    if (!tokens.ok()) return tokens.error();
    YAML::Node holder;
    holder["tokens"] = *tokens;
    config::YamlMap file_root(holder, config.tokens_file, errors);
    std::map<std::string, std::string> from_file;
    file_root.read("tokens", from_file);
    config.tokens.insert(from_file.begin(), from_file.end());
  }
  if (!errors.empty()) return make_error("config_invalid", errors.format(path));
  return config;
}

Status validate_collector_config(const CollectorConfig& config) {
  std::string problems;
  auto listen = parse_endpoint(config.listen);
  if (!listen.ok()) {
    problems += "listen: " + listen.error().message + "\n";
  } else if (config.tls_cert_file.empty() && !is_loopback_host(listen->host)) {
    problems += "listen " + config.listen +
                " is not loopback: plaintext is only allowed on loopback; set tls_cert_file and "
                "tls_key_file (or --tls-cert/--tls-key)\n";
  }
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    problems += "tls_cert_file and tls_key_file go together\n";
  }
  if (!config.tls_client_ca_file.empty() && config.tls_cert_file.empty()) {
    problems += "tls_client_ca_file (mTLS) needs tls_cert_file and tls_key_file\n";
  }
  if (config.db.empty()) problems += "db must not be empty\n";
  if (config.max_pending_batches_per_stream == 0) {
    problems += "max_pending_batches_per_stream must be >= 1\n";
  }
  if (config.query_threads == 0) problems += "query_threads must be >= 1\n";
  problems += alerts::alerting_config_problems(config.alerting);
  for (const auto& [agent, token] : config.tokens) {
    if (token.size() < 8) problems += "tokens." + agent + ": a token needs at least 8 characters\n";
  }
  if (problems.empty()) return Ok{};
  return make_error("config_invalid", problems);
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
  out << YAML::Key << "tls_cert_file" << YAML::Value << d.tls_cert_file;
  out << YAML::Key << "tls_key_file" << YAML::Value << d.tls_key_file;
  out << YAML::Key << "tls_client_ca_file" << YAML::Value << d.tls_client_ca_file
      << YAML::Comment("set to require agent certificates (mTLS)");
  out << YAML::Key << "tokens" << YAML::Value << YAML::BeginMap << YAML::EndMap
      << YAML::Comment("agent_id: token; empty = no token check");
  out << YAML::Key << "tokens_file" << YAML::Value << d.tokens_file;
  out << YAML::Key << "max_pending_batches_per_stream" << YAML::Value
      << d.max_pending_batches_per_stream;
  out << YAML::Key << "query_threads" << YAML::Value << d.query_threads;
  out << YAML::Key << "alerting" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "receivers" << YAML::Value << YAML::BeginSeq << YAML::EndSeq
      << YAML::Comment("none: no notifications; see deploy/collector.example.yaml");
  out << YAML::Key << "group_wait_s" << YAML::Value << d.alerting.group_wait_s
      << YAML::Comment("the first page waits this long so it carries the causes");
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
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace regwatch::collector
