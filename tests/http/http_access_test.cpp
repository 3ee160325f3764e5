// HTTP requests are let in by the same tokens and roles as gRPC (AccessPolicy::check_http).
#include <gtest/gtest.h>

#include "collector/auth/access_policy.h"

namespace regwatch::collector {
namespace {

AccessPolicy with_tokens() {
  return AccessPolicy(false, {{"edge-1", Role::kAgent, "agent-secret"},
                              {"noc-wall", Role::kViewer, "viewer-secret"},
                              {"alice", Role::kOperator, "operator-secret"}});
}

TEST(HttpAccess, ViewerReadsButMayNotSilence) {
  const auto policy = with_tokens();
  auto read = policy.check_http("Bearer viewer-secret", true, QueryAccess::kRead);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "noc-wall");
  auto silence = policy.check_http("Bearer viewer-secret", true, QueryAccess::kSilence);
  ASSERT_FALSE(silence.ok());
  EXPECT_EQ(silence.error().code, "permission_denied");
  EXPECT_NE(silence.error().message.find("operator"), std::string::npos);
}

TEST(HttpAccess, OperatorSilencesAsItself) {
  auto who = with_tokens().check_http("Bearer operator-secret", false, QueryAccess::kSilence);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(*who, "alice");
}

TEST(HttpAccess, AnAgentTokenReadsNothing) {
  auto read = with_tokens().check_http("Bearer agent-secret", true, QueryAccess::kRead);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "permission_denied");
}

TEST(HttpAccess, NoOrWrongTokenIsUnauthenticatedEvenOnLoopback) {
  const auto policy = with_tokens();
  EXPECT_EQ(policy.check_http("", true, QueryAccess::kRead).error().code, "unauthenticated");
  EXPECT_EQ(policy.check_http("Bearer guess", true, QueryAccess::kRead).error().code,
            "unauthenticated");
  EXPECT_EQ(policy.check_http("viewer-secret", true, QueryAccess::kRead).error().code,
            "unauthenticated");
}

TEST(HttpAccess, WithoutTokensOnlyLoopbackIsAnswered) {
  const AccessPolicy open(false, {});
  EXPECT_TRUE(open.check_http("", true, QueryAccess::kSilence).ok());
  auto remote = open.check_http("", false, QueryAccess::kRead);
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.error().code, "unauthenticated");
  EXPECT_NE(remote.error().message.find("access_tokens"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::collector
