#include "agent/app/collector_channel.h"

#include <cctype>

#include "common/text_file.h"

namespace regwatch::agent {

Result<shipper::ShipperOptions> make_shipper_options(const AgentConfig& config) {
  shipper::ShipperOptions options;
  options.targets = collector_addresses(config.collector);
  options.agent_id = config.agent_id;
  options.token = config.collector.token;
  if (!config.collector.token_file.empty()) {
    auto token = read_text_file(config.collector.token_file, "token file");
    if (!token.ok()) return token.error();
    std::string trimmed = *token;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
      trimmed.pop_back();
    options.token = trimmed;
  }
  if (config.collector.tls) {
    grpc::SslCredentialsOptions tls;
    if (!config.collector.tls_ca_file.empty()) {
      auto ca = read_pem_file(config.collector.tls_ca_file, "CA file");
      if (!ca.ok()) return ca.error();
      tls.pem_root_certs = *ca;
    }
    if (!config.collector.tls_cert_file.empty()) {
      auto cert = read_pem_file(config.collector.tls_cert_file, "client certificate");
      if (!cert.ok()) return cert.error();
      auto key = read_pem_file(config.collector.tls_key_file, "client key");
      if (!key.ok()) return key.error();
      tls.pem_cert_chain = *cert;
      tls.pem_private_key = *key;
    }
    options.credentials = grpc::SslCredentials(tls);
    options.tls_server_name = config.collector.tls_server_name;
  } else {
    options.credentials = grpc::InsecureChannelCredentials();
  }
  options.limits.batch_max_events = config.collector.batch_max_events;
  options.limits.max_in_flight = config.collector.max_batches_in_flight;
  options.backoff_initial = std::chrono::milliseconds(config.collector.backoff_initial_ms);
  options.backoff_max = std::chrono::milliseconds(config.collector.backoff_max_ms);
  options.ack_timeout = std::chrono::seconds(config.collector.ack_timeout_s);
  return options;
}

}  // namespace regwatch::agent
