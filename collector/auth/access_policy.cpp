#include "collector/auth/access_policy.h"

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

grpc::Status AccessPolicy::certificate_identities(const grpc::CallbackServerContext& context,
                                                  std::vector<std::string>& identities) const {
  const auto auth = context.auth_context();
  if (auth) identities = certificates_->identities(*auth);
  if (identities.empty()) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            std::string("the client certificate has no ") +
                certificate_identity_kind_name(certificates_->kind()) +
                " (client_certificates.identity)"};
  }
  return grpc::Status::OK;
}

grpc::Status AccessPolicy::check_ingest(const grpc::CallbackServerContext& context,
                                        IngestCaller& caller) const {
  if (auto status = check_transport(context); !status.ok()) return status;
  const std::string& agent_id = caller.agent_id = metadata_value(context, kAgentIdHeader);
  if (agent_id.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            std::string("missing ") + kAgentIdHeader + " metadata: is this a regwatch agent?"};
  }
  const std::string presented = metadata_value(context, "authorization");
  // With mTLS a certificate alone may ingest (as its own ids); a token, when presented, must
  // allow it as well.
  if (!principals_.empty() && (!certificates_ || !presented.empty())) {
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
    if (!same_secret(presented, "Bearer " + expected->token)) {
      return {grpc::StatusCode::UNAUTHENTICATED,
              "wrong or missing token for agent '" + agent_id + "'"};
    }
    caller.identity = expected->name;
  }
  if (certificates_) {
    std::vector<std::string> identities;
    if (auto status = certificate_identities(context, identities); !status.ok()) return status;
    const std::string* allowed = nullptr;
    for (const auto& identity : identities) {
      if (certificates_->may_ingest(identity, agent_id)) allowed = &identity;
    }
    if (!allowed) {
      std::string names;
      for (const auto& identity : identities)
        names += (names.empty() ? "'" : ", '") + identity + "'";
      return {grpc::StatusCode::PERMISSION_DENIED,
              std::string("the client certificate (") +
                  certificate_identity_kind_name(certificates_->kind()) + " " + names +
                  ") may not ingest as agent '" + agent_id + "'"};
    }
    if (caller.identity.empty()) caller.identity = *allowed;
  }
  if (caller.identity.empty()) caller.identity = agent_id;
  return grpc::Status::OK;
}

namespace {

grpc::Status check_role(QueryAccess access, Role role, const std::string& whose) {
  if (access == QueryAccess::kRead && role == Role::kAgent) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "queries need a token with role viewer or operator" + whose};
  }
  if (access == QueryAccess::kSilence && role != Role::kOperator) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "creating or expiring silences needs a token with role operator" + whose};
  }
  return grpc::Status::OK;
}

}  // namespace

grpc::Status AccessPolicy::check_query(const grpc::CallbackServerContext& context,
                                       QueryAccess access, std::string& identity) const {
  identity.clear();
  if (auto status = check_transport(context); !status.ok()) return status;
  const std::string presented = metadata_value(context, "authorization");
  if (!principals_.empty() && (!certificates_ || !presented.empty())) {
    const Principal* who = nullptr;
    for (const auto& p : principals_) {
      if (same_secret(presented, "Bearer " + p.token)) who = &p;  // no early exit: constant time
    }
    if (!who) {
      return {grpc::StatusCode::UNAUTHENTICATED,
              "wrong or missing token (--token / REGWATCH_TOKEN)"};
    }
    const std::string whose = "; this token ('" + who->name + "') has role " + role_name(who->role);
    if (auto status = check_role(access, who->role, whose); !status.ok()) return status;
    identity = who->name;
    return grpc::Status::OK;
  }
  if (!certificates_) return grpc::Status::OK;
  std::vector<std::string> identities;
  if (auto status = certificate_identities(context, identities); !status.ok()) return status;
  // A certificate with several identities acts with its most capable one.
  const std::string* best = &identities.front();
  for (const auto& candidate : identities) {
    if (certificates_->role(candidate) > certificates_->role(*best)) best = &candidate;
  }
  const Role role = certificates_->role(*best);
  const std::string whose = "; this client certificate ('" + *best + "', no token) has role " +
                            role_name(role) + " (client_certificates.agents can grant one)";
  if (auto status = check_role(access, role, whose); !status.ok()) return status;
  identity = *best;
  return grpc::Status::OK;
}

Result<std::string> AccessPolicy::check_http(std::string_view authorization, bool anonymous_ok,
                                             QueryAccess access) const {
  if (principals_.empty()) {
    if (anonymous_ok) return std::string();
    return make_error("unauthenticated",
                      "this collector has no access_tokens and answers anonymous HTTP requests "
                      "only from loopback; configure access_tokens (role viewer or operator)");
  }
  const std::string presented(authorization);
  const Principal* who = nullptr;
  for (const auto& p : principals_) {
    if (same_secret(presented, "Bearer " + p.token)) who = &p;  // no early exit: constant time
  }
  if (!who) {
    return make_error("unauthenticated", presented.empty()
                                             ? "a token is needed: Authorization: Bearer <token>"
                                             : "wrong token (Authorization: Bearer <token>)");
  }
  const std::string whose = "; this token ('" + who->name + "') has role " + role_name(who->role);
  if (auto status = check_role(access, who->role, whose); !status.ok())
    return make_error("permission_denied", status.error_message());
  return who->name;
}

}  // namespace regwatch::collector
