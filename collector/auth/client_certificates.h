#pragma once
// Which agent ids a client certificate may ingest as (mTLS, client_certificates in the config).
// A certificate's identity is one name it carries, of the configured kind: its subject's common
// name, or one of its DNS or URI subject alternative names. By default a certificate whose
// identity is X may ingest as agent id X and as X's replays ("X/replay-..."), and do nothing
// else. A grant for identity X replaces that default for X: role agent with its agent_ids (each
// an exact id, whose replays come with it, or a prefix ending in '*'), or role viewer or
// operator, which may query (and, as operator, silence) but not ingest.
// Immutable after construction; safe to use from any thread.
#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>
#include <vector>

#include "collector/auth/access_role.h"

namespace regwatch::collector {

enum class CertificateIdentityKind { kCommonName, kDnsSan, kUriSan };
// The config's words: common_name, dns_san, uri_san.
const char* certificate_identity_kind_name(CertificateIdentityKind kind);
std::optional<CertificateIdentityKind> parse_certificate_identity_kind(const std::string& text);

struct CertificateGrant {
  std::string identity;
  std::vector<std::string> agent_ids;  // role agent only; empty: the identity itself
  Role role = Role::kAgent;
};

// Whether `pattern` (from agent_ids) covers `agent_id`: "edge-*" every id starting with
// "edge-"; "edge-1" edge-1 itself and its replays ("edge-1/replay-...").
bool agent_id_pattern_matches(const std::string& pattern, const std::string& agent_id);

class ClientCertificatePolicy {
 public:
  ClientCertificatePolicy(CertificateIdentityKind kind, std::vector<CertificateGrant> grants)
      : kind_(kind), grants_(std::move(grants)) {}

  // The identities of the configured kind that the peer's verified certificate carries (empty
  // when it carries none, e.g. dns_san and a certificate without DNS names).
  std::vector<std::string> identities(const grpc::AuthContext& auth) const;
  bool may_ingest(const std::string& identity, const std::string& agent_id) const;
  Role role(const std::string& identity) const;
  CertificateIdentityKind kind() const { return kind_; }

 private:
  const CertificateGrant* grant_of(const std::string& identity) const;
  CertificateIdentityKind kind_;
  std::vector<CertificateGrant> grants_;
};

}  // namespace regwatch::collector
