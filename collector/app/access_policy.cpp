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
  if (tokens_.empty()) return grpc::Status::OK;
  auto expected = tokens_.find(agent_id);
  if (const auto slash = agent_id.find('/');
      expected == tokens_.end() && slash != std::string::npos) {
    // An agent's own sub-identities (its replays: <agent>/replay-...) go under its token.
    expected = tokens_.find(agent_id.substr(0, slash));
  }
  if (expected == tokens_.end()) {
    return {grpc::StatusCode::UNAUTHENTICATED,
            "agent '" + agent_id + "' has no token configured on the collector"};
  }
  if (!same_secret(metadata_value(context, "authorization"), "Bearer " + expected->second)) {
    return {grpc::StatusCode::UNAUTHENTICATED, "wrong or missing token for agent '" + agent_id + "'"};
  }
  return grpc::Status::OK;
}

grpc::Status AccessPolicy::check_query(const grpc::CallbackServerContext& context) const {
  if (auto status = check_transport(context); !status.ok()) return status;
  if (tokens_.empty()) return grpc::Status::OK;
  const std::string presented = metadata_value(context, "authorization");
  for (const auto& [agent, token] : tokens_) {
    if (same_secret(presented, "Bearer " + token)) return grpc::Status::OK;
  }
  return {grpc::StatusCode::UNAUTHENTICATED, "wrong or missing token (--token / REGWATCH_TOKEN)"};
}

}  // namespace regwatch::collector
