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
// - with mTLS (a client CA), the certificate's identity (client_certificates.h) must allow it
//   too: an Ingest stream's agent id must be one the certificate may ingest as, whether or
//   not a token came with it (both must allow it). A query with a token is decided by the
//   token's role; without one, by the certificate's role (agent, unless a grant says viewer
//   or operator), so a certificate alone never reads or silences unless configured to.
//   A certificate refusal is PERMISSION_DENIED naming the certificate's identity and the
//   agent id claimed.
// - with neither tokens nor mTLS, every RPC the transport lets through is allowed (loopback,
//   or allow_anonymous).
// Immutable after construction; safe to use from any thread.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/auth/access_role.h"
#include "collector/auth/client_certificates.h"
#include "common/result.h"

namespace regwatch::collector {

inline constexpr char kAgentIdHeader[] = "x-regwatch-agent-id";

// A configured token and who presents it: an agent id (role agent) or a person or tool.
struct Principal {
  std::string name;
  Role role = Role::kAgent;
  std::string token;
};

// What a query needs.
enum class QueryAccess { kRead, kSilence };

// Who an admitted Ingest stream is.
struct IngestCaller {
  std::string agent_id;  // the id the stream ingests as
  // Whom its limits count against (ingest.max_streams_per_identity): the token's name, else
  // the certificate's identity, else (anonymous) the agent id.
  std::string identity;
};

class AccessPolicy {
 public:
  // certificates: set when clients must present a certificate (mTLS).
  AccessPolicy(bool tls, std::vector<Principal> principals,
               std::optional<ClientCertificatePolicy> certificates = std::nullopt);

  // A reload (SIGHUP): the tokens and the certificates' grants from now on. A check under way
  // finishes with the rules it started with; streams already admitted stay admitted (their
  // agent is not asked again until it reconnects). Whether TLS is on cannot change (restart).
  void replace(std::vector<Principal> principals,
               std::optional<ClientCertificatePolicy> certificates);

  // OK with `caller` filled, or the status to finish the stream with.
  grpc::Status check_ingest(const grpc::CallbackServerContext& context, IngestCaller& caller) const;
  // OK with `identity` filled with the token's name or the certificate's identity (empty
  // when neither authenticates), or the status to finish the RPC with.
  grpc::Status check_query(const grpc::CallbackServerContext& context, QueryAccess access,
                           std::string& identity) const;
  // An HTTP request (collector/http/), by the same tokens and roles, given its `Authorization`
  // header ("Bearer <token>", or "" when absent). HTTP asks for no client certificate, so with
  // tokens configured every request needs one, loopback too; with none, a request is answered
  // (as anyone, identity "") only when `anonymous_ok` (the peer is on loopback, or the
  // collector allows anonymous access). The identity (the token's name), or "unauthenticated"
  // (no or an unknown token) / "permission_denied" (the role may not: the message names the
  // role needed).
  Result<std::string> check_http(std::string_view authorization, bool anonymous_ok,
                                 QueryAccess access) const;

 private:
  struct AccessRules {
    std::vector<Principal> principals;
    std::optional<ClientCertificatePolicy> certificates;
  };
  // The rules in force now: each check reads one snapshot, so a reload never mixes two.
  std::shared_ptr<const AccessRules> rules() const;
  grpc::Status check_transport(const grpc::CallbackServerContext& context) const;
  // The peer certificate's identities, or the status refusing a certificate that has none.
  static grpc::Status certificate_identities(const grpc::CallbackServerContext& context,
                                             const AccessRules& rules,
                                             std::vector<std::string>& identities);
  const bool tls_;
  mutable std::mutex rules_mutex_;
  std::shared_ptr<const AccessRules> rules_;
};

}  // namespace regwatch::collector
