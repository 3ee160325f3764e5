#include "common/net_address.h"

#include <gtest/gtest.h>

namespace regwatch {
namespace {

TEST(NetAddress, ParsesHostPortForms) {
  auto v4 = parse_endpoint("127.0.0.1:5514");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 5514);
  auto v6 = parse_endpoint("[::1]:7443");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->to_string(), "[::1]:7443");
  EXPECT_FALSE(parse_endpoint("::1:7443").ok());
  EXPECT_FALSE(parse_endpoint("localhost").ok());
  EXPECT_FALSE(parse_endpoint("localhost:99999").ok());
}

TEST(NetAddress, KnowsLoopback) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.200.0.9"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("collector.example.net"));
  EXPECT_TRUE(is_loopback_grpc_peer("ipv4:127.0.0.1:40000"));
  EXPECT_TRUE(is_loopback_grpc_peer("ipv6:[::1]:40000"));
  EXPECT_FALSE(is_loopback_grpc_peer("ipv4:192.0.2.1:40000"));
}

}  // namespace
}  // namespace regwatch
