// MetricsServer: serves a registry's exposition on /metrics, refuses plaintext off loopback,
// and stops at once even right after starting.
#include "common/metrics/metrics_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "common/metrics/text_format.h"

namespace regwatch::metrics {
namespace {

TEST(MetricsServer, ServesTheExpositionOnLoopback) {
  Registry registry;
  registry.counter("x_total", "X.").with({}).inc(4);
  auto server = MetricsServer::start({"127.0.0.1:0", "", ""}, registry);
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_NE((*server)->port(), 0);
  httplib::Client client("127.0.0.1", (*server)->port());
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), kContentType);
  EXPECT_EQ(response->body, registry.exposition());
  EXPECT_EQ(client.Get("/other")->status, 404);
}

TEST(MetricsServer, RefusesPlaintextOffLoopback) {
  Registry registry;
  auto server = MetricsServer::start({"0.0.0.0:0", "", ""}, registry);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, "plaintext_not_loopback");
  EXPECT_NE(server.error().message.find("not a loopback address"), std::string::npos);
}

TEST(MetricsServer, StopsRightAfterStarting) {
  Registry registry;
  for (int i = 0; i < 20; ++i) {
    auto server = MetricsServer::start({"127.0.0.1:0", "", ""}, registry);
    ASSERT_TRUE(server.ok());
  }  // each destructor stops and joins
}

}  // namespace
}  // namespace regwatch::metrics
