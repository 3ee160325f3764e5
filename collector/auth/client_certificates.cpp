#include "collector/auth/client_certificates.h"

#include <grpc/grpc_security_constants.h>

namespace regwatch::collector {
namespace {

// The auth context properties gRPC fills from a verified peer certificate.
const char* auth_property(CertificateIdentityKind kind) {
  switch (kind) {
    case CertificateIdentityKind::kCommonName: return GRPC_X509_CN_PROPERTY_NAME;
    case CertificateIdentityKind::kDnsSan: return GRPC_PEER_DNS_PROPERTY_NAME;
    case CertificateIdentityKind::kUriSan: return GRPC_PEER_URI_PROPERTY_NAME;
  }
  return GRPC_X509_CN_PROPERTY_NAME;
}

}  // namespace

const char* certificate_identity_kind_name(CertificateIdentityKind kind) {
  switch (kind) {
    case CertificateIdentityKind::kCommonName: return "common_name";
    case CertificateIdentityKind::kDnsSan: return "dns_san";
    case CertificateIdentityKind::kUriSan: return "uri_san";
  }
  return "?";
}

std::optional<CertificateIdentityKind> parse_certificate_identity_kind(const std::string& text) {
  for (auto kind : {CertificateIdentityKind::kCommonName, CertificateIdentityKind::kDnsSan,
                    CertificateIdentityKind::kUriSan}) {
    if (text == certificate_identity_kind_name(kind)) return kind;
  }
  return std::nullopt;
}

bool agent_id_pattern_matches(const std::string& pattern, const std::string& agent_id) {
  if (!pattern.empty() && pattern.back() == '*') {
    return agent_id.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  const std::string replays = pattern + "/replay-";
  return agent_id == pattern ||
         (agent_id.size() > replays.size() && agent_id.compare(0, replays.size(), replays) == 0);
}

std::vector<std::string> ClientCertificatePolicy::identities(const grpc::AuthContext& auth) const {
  std::vector<std::string> names;
  if (!auth.IsPeerAuthenticated()) return names;
  for (const auto& value : auth.FindPropertyValues(auth_property(kind_))) {
    names.emplace_back(value.data(), value.size());
  }
  return names;
}

const CertificateGrant* ClientCertificatePolicy::grant_of(const std::string& identity) const {
  for (const auto& grant : grants_) {
    if (grant.identity == identity) return &grant;
  }
  return nullptr;
}

bool ClientCertificatePolicy::may_ingest(const std::string& identity,
                                         const std::string& agent_id) const {
  const CertificateGrant* grant = grant_of(identity);
  if (!grant) return agent_id_pattern_matches(identity, agent_id);
  if (grant->role != Role::kAgent) return false;
  if (grant->agent_ids.empty()) return agent_id_pattern_matches(identity, agent_id);
  for (const auto& pattern : grant->agent_ids) {
    if (agent_id_pattern_matches(pattern, agent_id)) return true;
  }
  return false;
}

Role ClientCertificatePolicy::role(const std::string& identity) const {
  const CertificateGrant* grant = grant_of(identity);
  return grant ? grant->role : Role::kAgent;
}

}  // namespace regwatch::collector
