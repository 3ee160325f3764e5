#include "cli/collector_client.h"

#include <grpcpp/grpcpp.h>

#include "common/net_address.h"
#include "common/text_file.h"

namespace regwatch::cli {

Result<std::unique_ptr<CollectorClient>> CollectorClient::connect(
    const ConnectionOptions& options) {
  auto endpoint = parse_endpoint(options.collector);
  if (!endpoint.ok()) return make_error("usage", "--collector: " + endpoint.error().message);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  if (options.tls_ca_file.empty()) {
    if (!is_loopback_host(endpoint->host)) {
      return make_error("usage",
                        "the collector " + options.collector +
                            " is not on loopback: plaintext is refused; pass --tls-ca CA.pem");
    }
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions tls;
    auto ca = read_text_file(options.tls_ca_file, "CA file");
    if (!ca.ok()) return make_error("usage", ca.error().message);
    tls.pem_root_certs = *ca;
    if (!options.tls_cert_file.empty()) {
      auto cert = read_text_file(options.tls_cert_file, "client certificate");
      auto key = read_text_file(options.tls_key_file, "client key");
      if (!cert.ok()) return make_error("usage", cert.error().message);
      if (!key.ok()) return make_error("usage", key.error().message);
      tls.pem_cert_chain = *cert;
      tls.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(tls);
    if (!options.tls_server_name.empty()) args.SetSslTargetNameOverride(options.tls_server_name);
  }
  std::unique_ptr<CollectorClient> client(new CollectorClient());
  client->options_ = options;
  client->stub_ = regwatch::v1::Query::NewStub(
      grpc::CreateCustomChannel(endpoint->to_string(), credentials, args));
  return client;
}

void CollectorClient::prepare(grpc::ClientContext& context) const {
  context.set_deadline(std::chrono::system_clock::now() + options_.timeout);
  if (!options_.token.empty()) context.AddMetadata("authorization", "Bearer " + options_.token);
}

CallError CollectorClient::describe(const grpc::Status& status) const {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {CallFailure::kUnreachable, "cannot reach the collector at " + options_.collector +
                                             ": " + status.error_message() +
                                             "; is regwatch-collector running? (--collector)"};
    case grpc::StatusCode::CANCELLED:
      // This client never cancels its calls: the collector ended it, as it does when it stops.
      return {CallFailure::kUnreachable, "the collector at " + options_.collector +
                                             " ended the call (" + status.error_message() +
                                             "); is regwatch-collector stopping or restarting?"};
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return {CallFailure::kRefused,
              "the collector refused this request: " + status.error_message() +
                  " (check --token / REGWATCH_TOKEN and the TLS certificates)"};
    case grpc::StatusCode::INVALID_ARGUMENT:
      return {CallFailure::kBadRequest, status.error_message()};
    case grpc::StatusCode::NOT_FOUND: return {CallFailure::kNotFound, status.error_message()};
    default: return {CallFailure::kOther, "the collector failed: " + status.error_message()};
  }
}

template <typename Request, typename Reply>
bool CollectorClient::call(grpc::Status (regwatch::v1::Query::Stub::*method)(grpc::ClientContext*,
                                                                             const Request&,
                                                                             Reply*),
                           const Request& request, Reply& out, CallError& error) {
  grpc::ClientContext context;
  prepare(context);
  const grpc::Status status = ((*stub_).*method)(&context, request, &out);
  if (!status.ok()) error = describe(status);
  return status.ok();
}

bool CollectorClient::events(const regwatch::v1::EventQuery& query, regwatch::v1::EventList& out,
                             CallError& error) {
  return call(&regwatch::v1::Query::Stub::Events, query, out, error);
}

bool CollectorClient::status(regwatch::v1::StatusReply& out, CallError& error) {
  return call(&regwatch::v1::Query::Stub::Status, regwatch::v1::StatusRequest(), out, error);
}

bool CollectorClient::alerts(const regwatch::v1::AlertQuery& query, regwatch::v1::AlertList& out,
                             CallError& error) {
  return call(&regwatch::v1::Query::Stub::Alerts, query, out, error);
}

bool CollectorClient::incidents(const regwatch::v1::IncidentQuery& query,
                                regwatch::v1::IncidentList& out, CallError& error) {
  return call(&regwatch::v1::Query::Stub::Incidents, query, out, error);
}

bool CollectorClient::top(const regwatch::v1::TopQuery& query, regwatch::v1::TopReply& out,
                          CallError& error) {
  return call(&regwatch::v1::Query::Stub::Top, query, out, error);
}

bool CollectorClient::explain(const regwatch::v1::ExplainQuery& query,
                              regwatch::v1::ExplainReply& out, CallError& error) {
  return call(&regwatch::v1::Query::Stub::Explain, query, out, error);
}

bool CollectorClient::incident_view(const regwatch::v1::IncidentViewQuery& query,
                                    regwatch::v1::IncidentView& out, CallError& error) {
  return call(&regwatch::v1::Query::Stub::IncidentView, query, out, error);
}

bool CollectorClient::silences(const regwatch::v1::SilenceQuery& query,
                               regwatch::v1::SilenceList& out, CallError& error) {
  return call(&regwatch::v1::Query::Stub::Silences, query, out, error);
}

bool CollectorClient::create_silence(const regwatch::v1::Silence& silence,
                                     regwatch::v1::Silence& out, CallError& error) {
  return call(&regwatch::v1::Query::Stub::CreateSilence, silence, out, error);
}

bool CollectorClient::expire_silence(const std::string& id, regwatch::v1::Silence& out,
                                     CallError& error) {
  regwatch::v1::SilenceId request;
  request.set_id(id);
  return call(&regwatch::v1::Query::Stub::ExpireSilence, request, out, error);
}

}  // namespace regwatch::cli
