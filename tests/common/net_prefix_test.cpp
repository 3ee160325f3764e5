#include "common/net_prefix.h"

#include <gtest/gtest.h>

namespace regwatch {
namespace {

NetPrefix must_parse(std::string_view text) {
  auto prefix = NetPrefix::parse(text);
  EXPECT_TRUE(prefix.ok()) << text << ": " << prefix.error().message;
  return prefix.ok() ? *prefix : NetPrefix();
}

TEST(NetPrefix, HostAndSubnetMatchTheirAddressesOnly) {
  const NetPrefix host = must_parse("10.1.2.3");
  EXPECT_TRUE(host.contains("10.1.2.3"));
  EXPECT_FALSE(host.contains("10.1.2.4"));
  const NetPrefix subnet = must_parse("10.1.0.0/16");
  EXPECT_TRUE(subnet.contains("10.1.255.7"));
  EXPECT_FALSE(subnet.contains("10.2.0.1"));
  const NetPrefix odd = must_parse("192.168.4.0/22");  // a length that is not a byte boundary
  EXPECT_TRUE(odd.contains("192.168.7.255"));
  EXPECT_FALSE(odd.contains("192.168.8.0"));
  EXPECT_TRUE(must_parse("0.0.0.0/0").contains("203.0.113.9"));
}

TEST(NetPrefix, Ipv6AndIpv4NeverMatchEachOther) {
  const NetPrefix v6 = must_parse("2001:db8::/32");
  EXPECT_TRUE(v6.contains("2001:db8:1::5"));
  EXPECT_FALSE(v6.contains("2001:db9::5"));
  EXPECT_FALSE(must_parse("::/0").contains("10.0.0.1"));
  EXPECT_FALSE(must_parse("0.0.0.0/0").contains("::1"));
  EXPECT_FALSE(must_parse("10.0.0.0/8").contains("cucm-pub"));  // not an address
  EXPECT_FALSE(must_parse("10.0.0.0/8").contains(""));
}

TEST(NetPrefix, RefusesWhatIsProbablyATypo) {
  for (const char* bad :
       {"10.1.2.3/33", "10.1.2.3/", "10.1.2.3/x", "cucm-pub", "", "10.1.2/24", "2001:db8::/129"}) {
    auto prefix = NetPrefix::parse(bad);
    EXPECT_FALSE(prefix.ok()) << bad;
  }
  auto host_bits = NetPrefix::parse("10.1.2.3/16");
  ASSERT_FALSE(host_bits.ok());
  EXPECT_NE(host_bits.error().message.find("10.1.0.0/16"), std::string::npos)
      << host_bits.error().message;
}

TEST(NetPrefix, PrintsCanonically) {
  EXPECT_EQ(must_parse("10.1.2.3").to_string(), "10.1.2.3");
  EXPECT_EQ(must_parse("10.1.0.0/16").to_string(), "10.1.0.0/16");
  EXPECT_EQ(must_parse("2001:0db8::/32").to_string(), "2001:db8::/32");
}

}  // namespace
}  // namespace regwatch
