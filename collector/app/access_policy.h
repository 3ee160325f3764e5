#pragma once
// Who may talk to the collector. Checked at the start of every RPC:
// - plaintext is accepted only from loopback peers (the server binds loopback
//   when it has no TLS, and this catches anything else);
// - with tokens configured, an ingest stream must present its own agent's token
//   and a query any configured token, as "authorization: Bearer <token>". An
//   agent id with no token of its own and a '/' in it ("edge-1/replay-...", an
//   agent's replay) takes the token of the part before the first '/'.
// Immutable after construction; safe to use from any thread.
#include <grpcpp/grpcpp.h>

#include <map>
#include <string>

namespace regwatch::collector {

inline constexpr char kAgentIdHeader[] = "x-regwatch-agent-id";

class AccessPolicy {
 public:
  AccessPolicy(bool tls, std::map<std::string, std::string> tokens)
      : tls_(tls), tokens_(std::move(tokens)) {}

  // OK with `agent_id` filled, or the status to finish the stream with.
  grpc::Status check_ingest(const grpc::CallbackServerContext& context, std::string& agent_id) const;
  grpc::Status check_query(const grpc::CallbackServerContext& context) const;

 private:
  grpc::Status check_transport(const grpc::CallbackServerContext& context) const;
  bool tls_;
  std::map<std::string, std::string> tokens_;
};

}  // namespace regwatch::collector
