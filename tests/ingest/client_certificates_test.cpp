#include "collector/auth/client_certificates.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "collector/app/collector_config.h"

namespace regwatch::collector {
namespace {

TEST(AgentIdPattern, AnIdCoversItselfAndItsReplaysOnly) {
  EXPECT_TRUE(agent_id_pattern_matches("agent-a", "agent-a"));
  EXPECT_TRUE(agent_id_pattern_matches("agent-a", "agent-a/replay-3f2a"));
  EXPECT_FALSE(agent_id_pattern_matches("agent-a", "agent-a/replay-"));
  EXPECT_FALSE(agent_id_pattern_matches("agent-a", "agent-a/other"));
  EXPECT_FALSE(agent_id_pattern_matches("agent-a", "agent-ab"));
  EXPECT_FALSE(agent_id_pattern_matches("agent-a", "agent-b"));
  EXPECT_FALSE(agent_id_pattern_matches("agent-a", "agent"));
}

TEST(AgentIdPattern, AStarIsAPrefix) {
  EXPECT_TRUE(agent_id_pattern_matches("edge-*", "edge-1"));
  EXPECT_TRUE(agent_id_pattern_matches("edge-*", "edge-1/replay-00"));
  EXPECT_FALSE(agent_id_pattern_matches("edge-*", "core-1"));
  EXPECT_FALSE(agent_id_pattern_matches("edge-*", "edge"));
}

TEST(ClientCertificatePolicy, ByDefaultACertificateIngestsAsItsOwnIdentityOnly) {
  ClientCertificatePolicy policy(CertificateIdentityKind::kCommonName, {});
  EXPECT_TRUE(policy.may_ingest("agent-a", "agent-a"));
  EXPECT_TRUE(policy.may_ingest("agent-a", "agent-a/replay-1234"));
  EXPECT_FALSE(policy.may_ingest("agent-a", "agent-b"));
  EXPECT_EQ(policy.role("agent-a"), Role::kAgent);
}

TEST(ClientCertificatePolicy, AGrantReplacesTheDefaultForItsIdentity) {
  ClientCertificatePolicy policy(CertificateIdentityKind::kDnsSan,
                                 {{"agent-a.example.net", {"agent-a", "branch-*"}, Role::kAgent},
                                  {"noc.example.net", {}, Role::kViewer},
                                  {"bare.example.net", {}, Role::kAgent}});
  EXPECT_TRUE(policy.may_ingest("agent-a.example.net", "agent-a"));
  EXPECT_TRUE(policy.may_ingest("agent-a.example.net", "agent-a/replay-ff"));
  EXPECT_TRUE(policy.may_ingest("agent-a.example.net", "branch-7"));
  EXPECT_FALSE(policy.may_ingest("agent-a.example.net", "agent-a.example.net"));
  EXPECT_FALSE(policy.may_ingest("agent-a.example.net", "agent-b"));
  // A viewer reads, never ingests, even as its own identity.
  EXPECT_FALSE(policy.may_ingest("noc.example.net", "noc.example.net"));
  EXPECT_EQ(policy.role("noc.example.net"), Role::kViewer);
  // A grant without agent_ids keeps the default: its own identity.
  EXPECT_TRUE(policy.may_ingest("bare.example.net", "bare.example.net"));
  // Identities without a grant keep the default.
  EXPECT_TRUE(policy.may_ingest("agent-c", "agent-c"));
  EXPECT_EQ(policy.role("agent-c"), Role::kAgent);
}

TEST(ClientCertificateConfig, IdentityKindsHaveTheirConfigWords) {
  for (auto kind : {CertificateIdentityKind::kCommonName, CertificateIdentityKind::kDnsSan,
                    CertificateIdentityKind::kUriSan}) {
    EXPECT_EQ(parse_certificate_identity_kind(certificate_identity_kind_name(kind)), kind);
  }
  EXPECT_FALSE(parse_certificate_identity_kind("email"));
}

class CollectorConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("regwatch-cert-config-" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string load_errors(const std::string& text) {
    std::ofstream(path_) << text;
    auto config = load_collector_config(path_.string());
    return config.ok() ? std::string() : config.error().message;
  }
  std::filesystem::path path_;
};

TEST_F(CollectorConfigFile, CertificateGrantErrorsNameTheirLine) {
  const std::string errors = load_errors(
      "client_certificates:\n"
      "  identity: email\n"
      "  agents:\n"
      "    - identity: agent-a.example.net\n"
      "      agent_ids: [agent-a, 'ed*ge']\n"
      "    - identity: noc.example.net\n"
      "      role: viewer\n"
      "      agent_ids: [agent-x]\n"
      "    - identity: agent-a.example.net\n"
      "      role: admin\n");
  const std::string file = path_.string();
  EXPECT_NE(errors.find(file + ":2: client_certificates.identity: 'email' is not common_name"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":4: client_certificates.agents[0].agent_ids: 'ed*ge' is not"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":6: client_certificates.agents[1].agent_ids: only role agent"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":9: client_certificates.agents[2].identity: 'agent-a.example.net' "
                               "is granted twice"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":9: client_certificates.agents[2].role: 'admin' is not agent"),
            std::string::npos)
      << errors;
  // Grants without mTLS would do nothing: said too.
  EXPECT_NE(errors.find("client_certificates.agents: grants certificates, but no client"),
            std::string::npos)
      << errors;
}

TEST_F(CollectorConfigFile, IngestLimitsAreChecked) {
  const std::string errors = load_errors(
      "ingest:\n"
      "  max_message_bytes: 1048576\n"
      "  max_streams_per_identity: 0\n"
      "  pending_bytes_budget: 1000\n");
  const std::string file = path_.string();
  EXPECT_NE(errors.find(file + ":2: ingest.max_message_bytes: must be in "), std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":3: ingest.max_streams_per_identity: must be >= 1"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":4: ingest.pending_bytes_budget: must be at least"),
            std::string::npos)
      << errors;
  EXPECT_EQ(load_errors("ingest:\n  max_message_bytes: 16777216\n"), "");
}

}  // namespace
}  // namespace regwatch::collector
