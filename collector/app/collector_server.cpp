#include "collector/app/collector_server.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "alerts/label_matcher.h"
#include "collector/store/alerting_retention.h"
#include "collector/store/store_backend.h"
#include "common/bind_error.h"
#include "common/logging.h"
#include "common/metrics/build_info.h"
#include "common/metrics/registry.h"
#include "common/net_address.h"
#include "common/text_file.h"

namespace regwatch::collector {
namespace {

// Queries' answers (the agent sends batches, the collector only acks).
constexpr int kMaxSendMessageBytes = 64 << 20;

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

// The dispatcher's config: the collector's alerting, with payloads linking to the dashboard.
alerts::AlertingConfig alerting_of(const CollectorConfig& config) {
  alerts::AlertingConfig alerting = config.alerting;
  alerting.external_url = config.http.external_url;
  return alerting;
}

// With mTLS, what each certificate may do (checked valid at config time).
std::optional<ClientCertificatePolicy> certificate_policy(const CollectorConfig& config) {
  if (config.tls_client_ca_file.empty()) return std::nullopt;
  const auto& settings = config.client_certificates;
  std::vector<CertificateGrant> grants;
  for (const auto& g : settings.agents)
    grants.push_back({g.identity, g.agent_ids, parse_role(g.role).value_or(Role::kAgent)});
  return ClientCertificatePolicy(parse_certificate_identity_kind(settings.identity)
                                     .value_or(CertificateIdentityKind::kCommonName),
                                 std::move(grants));
}

// The leadership as the Status reply carries it.
regwatch::v1::LeaderStatus leader_status(const LeadershipStatus& from) {
  regwatch::v1::LeaderStatus to;
  to.set_in_pairs(from.uses_lease);
  to.set_this_leads(from.leading);
  to.set_this_collector(from.self);
  if (!from.uses_lease) {
    to.set_leader(from.self);
    return to;
  }
  to.set_leader(from.lease.holder);
  to.set_leader_address(from.lease.address);
  to.set_leader_since_us(from.lease.since_us);
  to.set_term(from.lease.term);
  to.set_lease_expires_us(from.lease.expires_us);
  to.set_lease_current(from.lease_current);
  return to;
}

}  // namespace

Result<std::unique_ptr<CollectorServer>> CollectorServer::start(const CollectorConfig& config,
                                                                const Clock& clock) {
  auto log = component_logger("collector");
  std::unique_ptr<CollectorServer> server(new CollectorServer());
  server->running_ = config;
  server->config_stamp_ = std::make_unique<config::ConfigStampHolder>(metrics::default_registry(),
                                                                      "regwatch_collector");
  // /metrics (served by the HTTP server) says which build this is (docs/metrics.md).
  metrics::register_build_info(metrics::default_registry());

  // 1. The store: migrations run here, so a bad database stops us before we listen.
  // The backend first: a URL it does not know is refused before a directory is made for it.
  auto backend = store::open_store_backend(config.db);
  if (!backend.ok()) return backend.error();
  const auto db_dir = (*backend)->is_local_file() ? std::filesystem::path(config.db).parent_path()
                                                  : std::filesystem::path();
  if (!db_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(db_dir, ec);
    if (ec) return make_error("db_dir", "cannot create " + db_dir.string() + ": " + ec.message());
  }
  auto writer = (*backend)->open_sink();
  if (!writer.ok()) return writer.error();
  log->info("database {} ready ({}, schema version {})", (*backend)->shown_location(),
            (*backend)->name(), (*writer)->schema_version());
  auto alerting_retention = store::AlertingRetention::open(config.db);
  if (!alerting_retention.ok()) return alerting_retention.error();

  // 2. Credentials and access policy.
  auto credentials = make_credentials(config);
  if (!credentials.ok()) return credentials.error();
  server->policy_ = std::make_unique<AccessPolicy>(!config.tls_cert_file.empty(),
                                                   principals(config), certificate_policy(config));
  if (auto at = parse_endpoint(config.listen);
      config.allow_anonymous && at.ok() && !is_loopback_host(at->host) && config.tokens.empty() &&
      config.access_tokens.empty() && config.tls_client_ca_file.empty()) {
    log->warn(
        "allow_anonymous: anyone who reaches {} may ingest as any agent, read everything "
        "and silence alerts; configure tokens or tls_client_ca_file",
        config.listen);
  }

  // 3. Services.
  // alerts/ declares the persistence it needs; the collector's SQLite stores provide it.
  server->alerts_ = std::make_unique<AlertDispatchSlot>(config.db, clock);
  // Collectors in pairs (PostgreSQL): correlation, conditions and dispatch wait for the lease
  // (Leadership, started once listening); a single collector on SQLite leads from the start.
  const bool in_pairs = store::is_postgresql_location(config.db);
  const auto leading = [raw = server.get()] { return raw->leading(); };
  if (in_pairs) (void)server->alerts_->lead(false);
  if (auto started = server->alerts_->replace(alerting_of(config)); !started.ok())
    return started.error();
  server->correlation_ = std::make_unique<CorrelationRunner>(config.db, config.correlation, clock);
  if (in_pairs) server->correlation_->follow_store(leading);
  server->correlation_->on_incidents(
      [dispatcher = server->alerts_.get(),
       changes = &server->incident_changes_](std::vector<store::KeyedIncident> incidents) {
        if (!incidents.empty()) changes->notify();
        dispatcher->on_incidents(std::move(incidents));
      });
  if (auto started = server->correlation_->start(); !started.ok()) return started.error();
  server->conditions_ = std::make_unique<ConditionRunner>(config.db, config.alerting, clock,
                                                          server->connected_agents_);
  if (in_pairs) server->conditions_->only_while(leading);
  server->conditions_->on_alerts(
      [dispatcher = server->alerts_.get(),
       changes = &server->incident_changes_](std::vector<store::KeyedIncident> alerts) {
        if (!alerts.empty()) changes->notify();
        dispatcher->on_incidents(std::move(alerts));
      });
  if (auto started = server->conditions_->start(); !started.ok()) return started.error();
  ingest::CommitQueueOptions commit_options;
  commit_options.retention_days = config.retention_days;
  commit_options.on_stored = [runner = server->correlation_.get(),
                              conditions = server->conditions_.get()](int64_t lo, int64_t hi) {
    runner->on_stored(lo, hi);
    conditions->on_stored();
  };
  server->commits_ = std::make_unique<ingest::CommitQueue>(
      std::move(writer).value(), commit_options, clock, std::move(alerting_retention).value());
  server->stream_limiter_ =
      std::make_unique<ingest::StreamLimiter>(config.ingest.max_streams_per_identity);
  server->pending_bytes_ =
      std::make_unique<ingest::PendingBytesBudget>(config.ingest.pending_bytes_budget);
  server->ingest_ = std::make_unique<ingest::IngestService>(
      *server->commits_, *server->policy_,
      ingest::IngestLimits{config.max_pending_batches_per_stream, *server->stream_limiter_,
                           *server->pending_bytes_, config.ingest.max_message_bytes},
      server->connected_agents_);
  auto queries = query::QueryService::create(
      config.db, config.query_threads, *server->policy_,
      alerts::alert_label_names(config.alerting.external_labels), config.silences.max_duration_s,
      correlate::DropRule(config.correlation.merge_s));
  if (!queries.ok()) return queries.error();
  server->queries_ = std::move(queries).value();
  server->queries_->set_config_stamp(server->config_stamp_.get());
  server->queries_->set_store_backend(std::string((*backend)->name()));
  server->queries_->set_connected_agents(
      [agents = &server->connected_agents_] { return agents->agent_ids(); });

  // 4. Listen.
  auto endpoint = parse_endpoint(config.listen);
  if (!endpoint.ok()) return endpoint.error();
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(endpoint->to_string(), *credentials, &selected_port);
  // gRPC's own receive limit at twice ingest.max_message_bytes: the ingest service refuses a
  // message over ingest.max_message_bytes itself, so that the refusal is counted and logged
  // (agents never build one: ingest_message_size.h), and gRPC's limit stays as the bound for
  // everything else, the query service's requests among them (refused there uncounted: gRPC
  // reports only a cancelled call). Neither saves memory: gRPC 1.51 reads a message whole
  // before it applies its limit (a 500 MB message with an 8 MiB limit raised the collector's
  // peak RSS by 490 MB); they spare the parse.
  const uint64_t grpc_limit = std::min<uint64_t>(2 * config.ingest.max_message_bytes,
                                                 uint64_t{std::numeric_limits<int>::max()});
  builder.SetMaxReceiveMessageSize(static_cast<int>(grpc_limit));
  builder.SetMaxSendMessageSize(kMaxSendMessageBytes);
  // What a stream has not read yet waits in gRPC's HTTP/2 buffers. Without BDP probing a
  // stream's window stays at the lookahead (gRPC still opens it for a message a pending read
  // waits for), so a stream that ingest.pending_bytes_budget holds back buffers at most
  // 1 MiB; with probing, windows grew to several messages per stream and the budget's
  // backpressure bound nothing (32 streams: 1 GB). 1 MiB still moves ~20 MB/s at 50 ms RTT.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1 << 20);
  // A backstop for everything gRPC allocates (connections, buffers). Under pressure gRPC
  // resets streams (RST_STREAM, ENHANCE_YOUR_CALM; agents retry), so it sits well above what
  // the budget allows: at 1x or 4x a 32 MiB budget it reset a third of the streams of a flood
  // the budget alone held to 380 MB.
  grpc::ResourceQuota quota("regwatch-collector");
  quota.Resize(static_cast<size_t>(std::clamp<uint64_t>(4 * config.ingest.pending_bytes_budget,
                                                        uint64_t{1} << 30, uint64_t{16} << 30)));
  builder.SetResourceQuota(quota);
  // Agents send keepalive pings so a dead collector is noticed; allow them.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // And ping them: a stream whose agent vanished without a FIN (link down, host reset) keeps
  // its place under ingest.max_streams_per_identity until gRPC notices; gRPC's default (2 h)
  // would lock a flapping agent out that long, this ends such streams in about a minute.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Without this, gRPC sets SO_REUSEPORT and a second collector would silently
  // share the port (and half the agents) with the first.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(server->ingest_.get());
  builder.RegisterService(server->queries_.get());
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || selected_port == 0) {
    // gRPC hides errno; the missing right is the reason we can tell apart.
    return make_error("listen", "cannot listen on " + config.listen + ": " +
                                    privileged_port_refusal(endpoint->port)
                                        .value_or("address in use, or not an address of this "
                                                  "host?"));
  }
  Endpoint bound = *endpoint;
  bound.port = static_cast<uint16_t>(selected_port);
  server->listening_on_ = bound.to_string();
  if (auto started = server->start_http(config, clock); !started.ok()) return started.error();
  Leadership::Options lead_options;
  lead_options.location = config.db;
  lead_options.address = server->listening_on_;
  auto leadership = Leadership::start(
      lead_options, {[alerts = server->alerts_.get()](const store::LeaseFence& fence) {
                       if (auto led = alerts->lead(true, fence); !led.ok()) {
                         component_logger("alerts")->error("alert dispatch cannot start: {}",
                                                           led.error().message);
                       }
                     },
                     [alerts = server->alerts_.get()] { (void)alerts->lead(false); }});
  if (!leadership.ok()) return leadership.error();
  server->leadership_ = std::move(leadership).value();
  server->queries_->set_leadership(
      [raw = server->leadership_.get()] { return leader_status(raw->status()); });
  server->queries_->set_store_unreachable(
      [raw = server->leadership_.get()] { return raw->status().store_unreachable; });
  log->info("listening on {} ({})", server->listening_on_,
            config.tls_cert_file.empty()        ? "plaintext, loopback only"
            : config.tls_client_ca_file.empty() ? "TLS"
                                                : "mTLS");
  return server;
}

Status CollectorServer::start_http(const CollectorConfig& config, const Clock& clock) {
  if (config.http.listen.empty()) return Ok{};
  http::HttpOptions options;
  options.listen = config.http.listen;
  options.tls_cert_file =
      config.http.tls_cert_file.empty() ? config.tls_cert_file : config.http.tls_cert_file;
  options.tls_key_file =
      config.http.tls_key_file.empty() ? config.tls_key_file : config.http.tls_key_file;
  options.metrics_require_token = config.http.metrics_require_token;
  options.allow_anonymous = config.allow_anonymous;
  // /metrics: everything the collector's parts registered (docs/metrics.md).
  http::HttpSources sources{*queries_, *policy_, incident_changes_, clock,
                            [] { return metrics::default_registry().exposition(); }};
  auto started = http::HttpServer::start(options, std::move(sources));
  if (!started.ok()) return started.error();
  http_ = std::move(started).value();
  return Ok{};
}

Result<CollectorReloadPlan> CollectorServer::reload(const CollectorConfig& next) {
  CollectorReloadPlan plan = plan_collector_reload(running_, next);
  const CollectorConfig& e = plan.effective;
  if (plan.log_level) {  // both checked valid before
    set_log_level(e.log_level);
    set_log_format(*parse_log_format(e.log_format));
  }
  if (plan.access) policy_->replace(principals(e), certificate_policy(e));
  if (plan.correlation) correlation_->update_settings(e.correlation);
  Status alerting = Ok{};
  if (plan.alerting) {
    conditions_->update_config(e.alerting);
    alerting = alerts_->replace(alerting_of(e));
  }
  if (!alerting.ok()) {
    // The rest applied; the alerting before runs on (the slot restarted it).
    CollectorConfig kept = e;
    kept.alerting = running_.alerting;
    kept.http.external_url = running_.http.external_url;
    conditions_->update_config(running_.alerting);
    running_ = std::move(kept);
    return alerting.error();
  }
  running_ = e;
  return plan;
}

void CollectorServer::wait() {
  if (server_) server_->Wait();
}

void CollectorServer::shutdown() {
  if (http_) http_->stop();  // first: its requests read through queries_
  if (server_) {
    // Give in-flight streams a moment to get their last acks out.
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  if (commits_) commits_->stop();
  if (correlation_) correlation_->stop();  // after the last commit: its range is correlated first
  if (conditions_) conditions_->stop();
  if (alerts_) alerts_->stop();          // after the last pass: its incidents are routed
  if (leadership_) leadership_->stop();  // last: hands the lease to a standby at once
}

bool CollectorServer::leading() const {
  return leadership_ && leadership_->leading();
}

CollectorServer::~CollectorServer() {
  shutdown();
  server_.reset();
  http_.reset();
  queries_.reset();
}

}  // namespace regwatch::collector
