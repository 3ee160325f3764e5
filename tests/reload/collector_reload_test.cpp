// plan_collector_reload: which changes a SIGHUP applies in place and which wait for a restart.
#include "collector/app/collector_reload.h"

#include <gtest/gtest.h>

namespace regwatch::collector {
namespace {

CollectorConfig base() {
  CollectorConfig config;
  config.tokens = {{"edge-1", "agent-secret"}};
  config.access_tokens = {{"noc", "viewer", "viewer-secret"}};
  alerts::ReceiverConfig hook;
  hook.name = "noc-webhook";
  hook.type = "webhook";
  hook.url = "http://127.0.0.1:9/hook";
  config.alerting.receivers = {hook};
  return config;
}

TEST(CollectorReloadTest, SameConfigChangesNothing) {
  const auto plan = plan_collector_reload(base(), base());
  EXPECT_FALSE(plan.applies_anything());
  EXPECT_TRUE(plan.needs_restart.empty());
}

TEST(CollectorReloadTest, TokensReceiversThresholdsAndLogLevelApplyInPlace) {
  auto next = base();
  next.access_tokens.push_back({"oncall", "operator", "operator-secret"});
  next.alerting.receivers[0].url = "http://127.0.0.1:9/hook2";
  next.correlation.min_phones = 25;
  next.log_level = "debug";
  const auto plan = plan_collector_reload(base(), next);
  EXPECT_TRUE(plan.access);
  EXPECT_TRUE(plan.alerting);
  EXPECT_TRUE(plan.correlation);
  EXPECT_TRUE(plan.log_level);
  EXPECT_TRUE(plan.needs_restart.empty());
  EXPECT_EQ(plan.effective.correlation.min_phones, 25u);
  EXPECT_EQ(plan.effective.alerting.receivers[0].url, "http://127.0.0.1:9/hook2");
}

TEST(CollectorReloadTest, RemovedAgentTokenIsAnAccessChange) {
  auto next = base();
  next.tokens.clear();
  EXPECT_TRUE(plan_collector_reload(base(), next).access);
}

TEST(CollectorReloadTest, ExternalUrlReachesThePayloadsThroughAlerting) {
  auto next = base();
  next.http.external_url = "https://regwatch.example.net/";
  const auto plan = plan_collector_reload(base(), next);
  EXPECT_TRUE(plan.alerting);
  EXPECT_TRUE(plan.needs_restart.empty());
}

TEST(CollectorReloadTest, StartOnlyKeysKeepTheirRunningValueAndAreNamed) {
  auto next = base();
  next.listen = "127.0.0.1:9443";
  next.db = "/tmp/other.db";
  next.http.listen = "127.0.0.1:9480";
  next.retention_days = 7;
  next.correlation.merge_s = 600;
  next.correlation.min_phones = 30;  // applies; merge_s beside it does not
  const auto plan = plan_collector_reload(base(), next);
  EXPECT_EQ(plan.needs_restart, (std::vector<std::string>{"listen", "db", "retention_days",
                                                          "http.listen", "correlation.merge_s"}));
  EXPECT_EQ(plan.effective.listen, base().listen);
  EXPECT_EQ(plan.effective.db, base().db);
  EXPECT_EQ(plan.effective.http.listen, base().http.listen);
  EXPECT_EQ(plan.effective.correlation.merge_s, base().correlation.merge_s);
  EXPECT_EQ(plan.effective.correlation.min_phones, 30u);
  EXPECT_TRUE(plan.correlation);
}

TEST(CollectorReloadTest, AStartOnlyChangeAloneAppliesNothing) {
  auto next = base();
  next.query_threads = 8;
  const auto plan = plan_collector_reload(base(), next);
  EXPECT_FALSE(plan.applies_anything());
  EXPECT_EQ(plan.needs_restart, std::vector<std::string>{"query_threads"});
}

}  // namespace
}  // namespace regwatch::collector
