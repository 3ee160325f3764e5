#include "collector/app/access_policy.h"

#include <openssl/crypto.h>

#include "common/net_address.h"

namespace regwatch::collector {
namespace {

std::string metadata_value(const grpc::CallbackServerContext& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return {};
  return std::string(it->second.data(), it->second.size());
}

// Constant-time so a token cannot be guessed byte by byte from timing.
bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::kAgent: return "agent";
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
  }
  return "?";
}

std::optional<Role> parse_role(const std::string& text) {
  for (Role role : {Role::kAgent, Role::kViewer, Role::kOperator}) {
    if (text == role_name(role)) return role;
  }
  return std::nullopt;
}

grpc::Status AccessPolicy::check_transport(const grpc::CallbackServerContext& context) const {
  if (!tls_ && !is_loopback_grpc_peer(context.peer())) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "plaintext connections are accepted only from loopback; configure TLS"};
  }
  return grpc::Status::OK;
}

grpc::Status AccessPolicy::check_ingest(const grpc::CallbackServerContext& context,
                                        std::string& agent_id) const {
  if (auto status = check_transport(context); !status.ok()) return status;
  agent_id = metadata_value(context, kAgentIdHeader);
  if (agent_id.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            std::string("missing ") + kAgentIdHeader + " metadata: is this a regwatch agent?"};
  }
  if (principals_.empty()) return grpc::Status::OK;
  const auto agent_token = [&](const std::string& id) -> const Principal* {
    for (const auto& p : principals_) {
      if (p.role == Role::kAgent && p.name == id) return &p;
    }
    return nullptr;
  };
  const Principal* expected = agent_token(agent_id);
  if (const auto slash = agent_id.find('/'); !expected && slash != std::string::npos) {
    // An agent's own sub-identities (its replays: <agent>/replay-...) go under its token.
    expected = agent_token(agent_id.substr(0, slash));
  }
  if (!expected) {
    return {grpc::StatusCode::UNAUTHENTICATED,
            "agent '" + agent_id + "' has no token configured on the collector"};
  }
  if (!same_secret(metadata_value(context, "authorization"), "Bearer " + expected->token)) {
    return {grpc::StatusCode::UNAUTHENTICATED,
            "wrong or missing token for agent '" + agent_id + "'"};
  }
  return grpc::Status::OK;
}

grpc::Status AccessPolicy::check_query(const grpc::CallbackServerContext& context,
                                       QueryAccess access, std::string& identity) const {
  identity.clear();
  if (auto status = check_transport(context); !status.ok()) return status;
  if (principals_.empty()) return grpc::Status::OK;
  const std::string presented = metadata_value(context, "authorization");
  const Principal* who = nullptr;
  for (const auto& p : principals_) {
    if (same_secret(presented, "Bearer " + p.token)) who = &p;  // no early exit: constant time
  }
  if (!who) {
    return {grpc::StatusCode::UNAUTHENTICATED, "wrong or missing token (--token / REGWATCH_TOKEN)"};
  }
  const std::string whose = "; this token ('" + who->name + "') has role " + role_name(who->role);
  if (access == QueryAccess::kRead && who->role == Role::kAgent) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "queries need a token with role viewer or operator" + whose};
  }
  if (access == QueryAccess::kSilence && who->role != Role::kOperator) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "creating or expiring silences needs a token with role operator" + whose};
  }
  identity = who->name;
  return grpc::Status::OK;
}

}  // namespace regwatch::collector
