#pragma once
// Who may talk to the collector, and what they may do. Checked at the start of every RPC:
// - plaintext is accepted only from loopback peers (the server binds loopback
//   when it has no TLS, and this catches anything else);
// - with tokens configured, every RPC presents one as "authorization: Bearer <token>", and
//   the token's role decides what it may do:
//     agent     ingest as its own agent id only. An agent id with no token of its own and a
//               '/' in it ("edge-1/replay-...", an agent's replay) takes the token of the part
//               before the first '/';
//     viewer    every query except creating or expiring silences;
//     operator  every query, silences too.
//   Refusals for a role are PERMISSION_DENIED naming the role needed; a missing or unknown
//   token is UNAUTHENTICATED.
// - without tokens, every RPC the transport lets through is allowed (loopback, or mTLS).
// Immutable after construction; safe to use from any thread.
#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>
#include <vector>

namespace regwatch::collector {

inline constexpr char kAgentIdHeader[] = "x-regwatch-agent-id";

enum class Role { kAgent, kViewer, kOperator };
const char* role_name(Role role);
std::optional<Role> parse_role(const std::string& text);

// A configured token and who presents it: an agent id (role agent) or a person or tool.
struct Principal {
  std::string name;
  Role role = Role::kAgent;
  std::string token;
};

// What a query needs.
enum class QueryAccess { kRead, kSilence };

class AccessPolicy {
 public:
  AccessPolicy(bool tls, std::vector<Principal> principals)
      : tls_(tls), principals_(std::move(principals)) {}

  // OK with `agent_id` filled, or the status to finish the stream with.
  grpc::Status check_ingest(const grpc::CallbackServerContext& context,
                            std::string& agent_id) const;
  // OK with `identity` filled with the token's name (empty without tokens), or the status to
  // finish the RPC with.
  grpc::Status check_query(const grpc::CallbackServerContext& context, QueryAccess access,
                           std::string& identity) const;

 private:
  grpc::Status check_transport(const grpc::CallbackServerContext& context) const;
  bool tls_;
  std::vector<Principal> principals_;
};

}  // namespace regwatch::collector
