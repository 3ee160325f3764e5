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

AccessPolicy::AccessPolicy(bool tls, std::vector<Principal> principals,
                           std::optional<ClientCertificatePolicy> certificates)
    : tls_(tls),
      rules_(std::make_shared<const AccessRules>(
          AccessRules{std::move(principals), std::move(certificates)})) {}

void AccessPolicy::replace(std::vector<Principal> principals,
                           std::optional<ClientCertificatePolicy> certificates) {
  auto next = std::make_shared<const AccessRules>(
      AccessRules{std::move(principals), std::move(certificates)});
  std::lock_guard lock(rules_mutex_);
  rules_ = std::move(next);
}

std::shared_ptr<const AccessPolicy::AccessRules> AccessPolicy::rules() const {
  std::lock_guard lock(rules_mutex_);
  return rules_;
}

grpc::Status AccessPolicy::check_transport(const grpc::CallbackServerContext& context) const {
  if (!tls_ && !is_loopback_grpc_peer(context.peer())) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "plaintext connections are accepted only from loopback; configure TLS"};
  }
  return grpc::Status::OK;
}

grpc::Status AccessPolicy::certificate_identities(const grpc::CallbackServerContext& context,
                                                  const AccessRules& rules,
                                                  std::vector<std::string>& identities) {
  const auto auth = context.auth_context();
  if (auth) identities = rules.certificates->identities(*auth);
  if (identities.empty()) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            std::string("the client certificate has no ") +
                certificate_identity_kind_name(rules.certificates->kind()) +
                " (client_certificates.identity)"};
  }
  return grpc::Status::OK;
}

grpc::Status AccessPolicy::check_ingest(const grpc::CallbackServerContext& context,
                                        IngestCaller& caller) const {
  const auto rules_now = rules();
  const AccessRules& rules = *rules_now;
  if (auto status = check_transport(context); !status.ok()) return status;
  const std::string& agent_id = caller.agent_id = metadata_value(context, kAgentIdHeader);
  if (agent_id.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            std::string("missing ") + kAgentIdHeader + " metadata: is this a regwatch agent?"};
  }
  const std::string presented = metadata_value(context, "authorization");
  // With mTLS a certificate alone may ingest (as its own ids); a token, when presented, must
  // allow it as well.
  if (!rules.principals.empty() && (!rules.certificates || !presented.empty())) {
    const auto agent_token = [&](const std::string& id) -> const Principal* {
      for (const auto& p : rules.principals) {
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
  if (rules.certificates) {
    std::vector<std::string> identities;
    if (auto status = certificate_identities(context, rules, identities); !status.ok())
      return status;
    const std::string* allowed = nullptr;
    for (const auto& identity : identities) {
      if (rules.certificates->may_ingest(identity, agent_id)) allowed = &identity;
    }
    if (!allowed) {
      std::string names;
      for (const auto& identity : identities)
        names += (names.empty() ? "'" : ", '") + identity + "'";
      return {grpc::StatusCode::PERMISSION_DENIED,
              std::string("the client certificate (") +
                  certificate_identity_kind_name(rules.certificates->kind()) + " " + names +
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
  const auto rules_now = rules();
  const AccessRules& rules = *rules_now;
  identity.clear();
  if (auto status = check_transport(context); !status.ok()) return status;
  const std::string presented = metadata_value(context, "authorization");
  if (!rules.principals.empty() && (!rules.certificates || !presented.empty())) {
    const Principal* who = nullptr;
    for (const auto& p : rules.principals) {
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
  if (!rules.certificates) return grpc::Status::OK;
  std::vector<std::string> identities;
  if (auto status = certificate_identities(context, rules, identities); !status.ok()) return status;
  // A certificate with several identities acts with its most capable one.
  const std::string* best = &identities.front();
  for (const auto& candidate : identities) {
    if (rules.certificates->role(candidate) > rules.certificates->role(*best)) best = &candidate;
  }
  const Role role = rules.certificates->role(*best);
  const std::string whose = "; this client certificate ('" + *best + "', no token) has role " +
                            role_name(role) + " (client_certificates.agents can grant one)";
  if (auto status = check_role(access, role, whose); !status.ok()) return status;
  identity = *best;
  return grpc::Status::OK;
}

Result<std::string> AccessPolicy::check_http(std::string_view authorization, bool anonymous_ok,
                                             QueryAccess access) const {
  const auto rules_now = rules();
  const AccessRules& rules = *rules_now;
  if (rules.principals.empty()) {
    if (anonymous_ok) return std::string();
    return make_error("unauthenticated",
                      "this collector has no access_tokens and answers anonymous HTTP requests "
                      "only from loopback; configure access_tokens (role viewer or operator)");
  }
  const std::string presented(authorization);
  const Principal* who = nullptr;
  for (const auto& p : rules.principals) {
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
