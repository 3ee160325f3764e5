#include "collector/app/collector_server.h"

#include <grpcpp/grpcpp.h>

#include <filesystem>

#include "alerts/label_matcher.h"
#include "common/logging.h"
#include "common/net_address.h"
#include "common/text_file.h"

namespace regwatch::collector {
namespace {

constexpr int kMaxMessageBytes = 64 << 20;

Result<std::shared_ptr<grpc::ServerCredentials>> make_credentials(const CollectorConfig& config) {
  if (config.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  auto cert = read_pem_file(config.tls_cert_file, "TLS certificate");
  if (!cert.ok()) return cert.error();
  auto key = read_pem_file(config.tls_key_file, "TLS key");
  if (!key.ok()) return key.error();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!config.tls_client_ca_file.empty()) {
    auto ca = read_pem_file(config.tls_client_ca_file, "client CA");
    if (!ca.ok()) return ca.error();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// tokens are agents' (role agent); access_tokens name their role (checked valid at config time).
std::vector<Principal> principals(const CollectorConfig& config) {
  std::vector<Principal> all;
  for (const auto& [agent, token] : config.tokens) all.push_back({agent, Role::kAgent, token});
  for (const auto& t : config.access_tokens)
    all.push_back({t.name, parse_role(t.role).value_or(Role::kViewer), t.token});
  return all;
}

}  // namespace

Result<std::unique_ptr<CollectorServer>> CollectorServer::start(const CollectorConfig& config,
                                                                const Clock& clock) {
  auto log = component_logger("collector");
  std::unique_ptr<CollectorServer> server(new CollectorServer());

  // 1. The store: migrations run here, so a bad database stops us before we listen.
  const auto db_dir = std::filesystem::path(config.db).parent_path();
  if (!db_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(db_dir, ec);
    if (ec) return make_error("db_dir", "cannot create " + db_dir.string() + ": " + ec.message());
  }
  auto writer = store::EventWriter::open(config.db);
  if (!writer.ok()) return writer.error();
  log->info("database {} ready (schema version {})", config.db, (*writer)->schema_version());

  // 2. Credentials and access policy.
  auto credentials = make_credentials(config);
  if (!credentials.ok()) return credentials.error();
  server->policy_ =
      std::make_unique<AccessPolicy>(!config.tls_cert_file.empty(), principals(config));
  if (auto at = parse_endpoint(config.listen);
      config.allow_anonymous && at.ok() && !is_loopback_host(at->host) && config.tokens.empty() &&
      config.access_tokens.empty() && config.tls_client_ca_file.empty()) {
    log->warn(
        "allow_anonymous: anyone who reaches {} may ingest as any agent, read everything "
        "and silence alerts; configure tokens or tls_client_ca_file",
        config.listen);
  }

  // 3. Services.
  if (!config.alerting.receivers.empty()) {
    server->alerts_ = std::make_unique<alerts::AlertDispatcher>(config.alerting, config.db, clock);
    if (auto started = server->alerts_->start(); !started.ok()) return started.error();
  }
  server->correlation_ = std::make_unique<CorrelationRunner>(config.db, config.correlation, clock);
  if (server->alerts_) {
    server->correlation_->on_incidents(
        [dispatcher = server->alerts_.get()](std::vector<store::KeyedIncident> incidents) {
          dispatcher->on_incidents(std::move(incidents));
        });
  }
  if (auto started = server->correlation_->start(); !started.ok()) return started.error();
  server->conditions_ = std::make_unique<ConditionRunner>(config.db, config.alerting, clock,
                                                          server->connected_agents_);
  if (server->alerts_) {
    server->conditions_->on_alerts(
        [dispatcher = server->alerts_.get()](std::vector<store::KeyedIncident> alerts) {
          dispatcher->on_incidents(std::move(alerts));
        });
  }
  if (auto started = server->conditions_->start(); !started.ok()) return started.error();
  ingest::CommitQueueOptions commit_options;
  commit_options.retention_days = config.retention_days;
  commit_options.on_stored = [runner = server->correlation_.get(),
                              conditions = server->conditions_.get()](int64_t lo, int64_t hi) {
    runner->on_stored(lo, hi);
    conditions->on_stored();
  };
  server->commits_ =
      std::make_unique<ingest::CommitQueue>(std::move(writer).value(), commit_options, clock);
  server->ingest_ = std::make_unique<ingest::IngestService>(*server->commits_, *server->policy_,
                                                            config.max_pending_batches_per_stream,
                                                            server->connected_agents_);
  auto queries = query::QueryService::create(
      config.db, config.query_threads, *server->policy_,
      alerts::alert_label_names(config.alerting.external_labels), config.silences.max_duration_s);
  if (!queries.ok()) return queries.error();
  server->queries_ = std::move(queries).value();

  // 4. Listen.
  auto endpoint = parse_endpoint(config.listen);
  if (!endpoint.ok()) return endpoint.error();
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(endpoint->to_string(), *credentials, &selected_port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  // Agents send keepalive pings so a dead collector is noticed; allow them.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Without this, gRPC sets SO_REUSEPORT and a second collector would silently
  // share the port (and half the agents) with the first.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(server->ingest_.get());
  builder.RegisterService(server->queries_.get());
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || selected_port == 0) {
    return make_error("listen", "cannot listen on " + config.listen +
                                    " (address in use, or not an address of this host?)");
  }
  Endpoint bound = *endpoint;
  bound.port = static_cast<uint16_t>(selected_port);
  server->listening_on_ = bound.to_string();
  log->info("listening on {} ({})", server->listening_on_,
            config.tls_cert_file.empty()        ? "plaintext, loopback only"
            : config.tls_client_ca_file.empty() ? "TLS"
                                                : "mTLS");
  return server;
}

void CollectorServer::wait() {
  if (server_) server_->Wait();
}

void CollectorServer::shutdown() {
  if (server_) {
    // Give in-flight streams a moment to get their last acks out.
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  if (commits_) commits_->stop();
  if (correlation_) correlation_->stop();  // after the last commit: its range is correlated first
  if (conditions_) conditions_->stop();
  if (alerts_) alerts_->stop();  // after the last pass: its incidents are routed
}

CollectorServer::~CollectorServer() {
  shutdown();
  server_.reset();
  queries_.reset();
}

}  // namespace regwatch::collector
