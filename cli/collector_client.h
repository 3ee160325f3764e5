#pragma once
// The CLI's connection to the collector's Query service: plaintext only to
// loopback, TLS (optionally with a client certificate) otherwise, a token as
// "authorization: Bearer", a deadline on every call. Errors come back as one
// sentence a NOC engineer can act on.
#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "regwatch/v1/query.grpc.pb.h"

namespace regwatch::cli {

struct ConnectionOptions {
  std::string collector = "127.0.0.1:7443";
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;
  std::string token;
  std::chrono::seconds timeout{10};
};

// kNotFound: the collector has no such thing (an incident view's id); the command says so.
enum class CallFailure { kNone, kUnreachable, kRefused, kBadRequest, kNotFound, kOther };

struct CallError {
  CallFailure kind = CallFailure::kOther;
  std::string message;
};

class CollectorClient {
 public:
  static Result<std::unique_ptr<CollectorClient>> connect(const ConnectionOptions& options);
  bool events(const regwatch::v1::EventQuery& query, regwatch::v1::EventList& out,
              CallError& error);
  bool status(regwatch::v1::StatusReply& out, CallError& error);
  bool incidents(const regwatch::v1::IncidentQuery& query, regwatch::v1::IncidentList& out,
                 CallError& error);
  bool alerts(const regwatch::v1::AlertQuery& query, regwatch::v1::AlertList& out,
              CallError& error);
  bool top(const regwatch::v1::TopQuery& query, regwatch::v1::TopReply& out, CallError& error);
  bool explain(const regwatch::v1::ExplainQuery& query, regwatch::v1::ExplainReply& out,
               CallError& error);
  // Query.IncidentView; error.kind is kNotFound when no incident has or had the id.
  bool incident_view(const regwatch::v1::IncidentViewQuery& query, regwatch::v1::IncidentView& out,
                     CallError& error);
  bool silences(const regwatch::v1::SilenceQuery& query, regwatch::v1::SilenceList& out,
                CallError& error);
  bool create_silence(const regwatch::v1::Silence& silence, regwatch::v1::Silence& out,
                      CallError& error);
  bool expire_silence(const std::string& id, regwatch::v1::Silence& out, CallError& error);

 private:
  CollectorClient() = default;
  void prepare(grpc::ClientContext& context) const;
  CallError describe(const grpc::Status& status) const;
  // One unary call with the deadline and token; false (and error set) when it failed.
  template <typename Request, typename Reply>
  bool call(grpc::Status (regwatch::v1::Query::Stub::*method)(grpc::ClientContext*, const Request&,
                                                              Reply*),
            const Request& request, Reply& out, CallError& error);

  ConnectionOptions options_;
  std::unique_ptr<regwatch::v1::Query::Stub> stub_;
};

}  // namespace regwatch::cli
