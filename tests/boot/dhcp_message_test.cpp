#include "agent/boot/dhcp_message.h"

#include <gtest/gtest.h>

#include "tests/boot/boot_frames.h"

namespace regwatch::agent::boot {
namespace {

using test::boot::Bytes;
using test::boot::DhcpBuilder;

Result<DhcpMessage> parse(const Bytes& bytes) {
  return parse_dhcp(bytes);
}

TEST(DhcpMessage, OfferWithOption150AndOption66) {
  DhcpBuilder offer;
  offer.op = 2;
  offer.yiaddr = {10, 1, 20, 31};
  offer.siaddr = {10, 1, 1, 5};
  offer.option(53, Bytes{2})
      .option(54, Bytes{10, 1, 20, 1})
      .option(51, Bytes{0, 1, 0x51, 0x80})
      .option(150, Bytes{10, 1, 1, 5, 10, 1, 1, 6})
      .option(66, "tftp.example.com");
  const auto message = parse(offer.build());
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(message->op, 2);
  EXPECT_EQ(message->type, DhcpType::kOffer);
  EXPECT_EQ(dhcp_type_name(message->type), "offer");
  EXPECT_EQ(message->xid, 0x3903f326u);
  EXPECT_EQ(message->client_mac(), "00:17:94:3a:98:ba");
  EXPECT_EQ(ipv4_text(message->yiaddr), "10.1.20.31");
  EXPECT_EQ(ipv4_text(message->siaddr), "10.1.1.5");
  ASSERT_EQ(message->tftp_servers.size(), 2u);
  EXPECT_EQ(ipv4_text(message->tftp_servers[0]), "10.1.1.5");
  EXPECT_EQ(ipv4_text(message->tftp_servers[1]), "10.1.1.6");
  EXPECT_EQ(message->tftp_server_name, "tftp.example.com");
  EXPECT_EQ(message->lease_time_s, 86400u);
  ASSERT_TRUE(message->server_id);
  EXPECT_EQ(ipv4_text(*message->server_id), "10.1.20.1");
  EXPECT_EQ(message->option_codes, (std::vector<uint8_t>{53, 54, 51, 150, 66}));
}

TEST(DhcpMessage, DiscoverFieldsAndTrailingNulsOfStrings) {
  DhcpBuilder discover;
  discover.broadcast = true;
  discover.option(53, Bytes{1})
      .option(61, Bytes{1, 0x00, 0x17, 0x94, 0x3a, 0x98, 0xba})
      .option(50, Bytes{10, 1, 20, 31})
      .option(60, Bytes{'C', 'P', '-', '7', '9', '4', '1', 'G', 0})
      .option(12, "SEP0017943A98BA");
  const auto message = parse(discover.build());
  ASSERT_TRUE(message);
  EXPECT_EQ(message->type, DhcpType::kDiscover);
  EXPECT_TRUE(message->broadcast);
  EXPECT_EQ(message->vendor_class, "CP-7941G");
  EXPECT_EQ(message->hostname, "SEP0017943A98BA");
  EXPECT_EQ(message->client_id.size(), 7u);
  ASSERT_TRUE(message->requested_ip);
  EXPECT_EQ(ipv4_text(*message->requested_ip), "10.1.20.31");
  EXPECT_TRUE(message->tftp_servers.empty());
}

TEST(DhcpMessage, WithoutOption53IsBootp) {
  DhcpBuilder bootp;
  const auto message = parse(bootp.build());
  ASSERT_TRUE(message);
  EXPECT_EQ(message->type, DhcpType::kNone);
  EXPECT_FALSE(message->raw_type);
  EXPECT_EQ(dhcp_type_name(message->type), "bootp");
}

TEST(DhcpMessage, TypesPastEightKeepTheirNumber) {
  DhcpBuilder query;
  query.option(53, Bytes{10});
  const auto message = parse(query.build());
  ASSERT_TRUE(message);
  EXPECT_EQ(message->raw_type, 10);
  EXPECT_EQ(dhcp_type_name(message->type), "type_10");
  EXPECT_EQ(dhcp_type_name(DhcpType::kNak), "nak");
}

TEST(DhcpMessage, NakWithServerMessage) {
  DhcpBuilder nak;
  nak.op = 2;
  nak.option(53, Bytes{6}).option(56, "requested address not available");
  const auto message = parse(nak.build());
  ASSERT_TRUE(message);
  EXPECT_EQ(message->type, DhcpType::kNak);
  EXPECT_EQ(message->server_message, "requested address not available");
}

TEST(DhcpMessage, SplitOption150IsConcatenated) {
  // RFC 3396: a long option may be split; the instances are one value.
  DhcpBuilder offer;
  offer.option(53, Bytes{2}).option(150, Bytes{10, 1, 1, 5, 10, 1}).option(150, Bytes{1, 6});
  const auto message = parse(offer.build());
  ASSERT_TRUE(message) << message.error().message;
  ASSERT_EQ(message->tftp_servers.size(), 2u);
  EXPECT_EQ(ipv4_text(message->tftp_servers[1]), "10.1.1.6");
}

TEST(DhcpMessage, OverloadedFileFieldHoldsOptions) {
  DhcpBuilder offer;
  offer.option(53, Bytes{2}).option(52, Bytes{1});
  Bytes bytes = offer.build();
  // Option 150 in the file field (offset 108), then END.
  const Bytes in_file = {150, 4, 10, 1, 1, 7, 255};
  std::copy(in_file.begin(), in_file.end(), bytes.begin() + 108);
  const auto message = parse(bytes);
  ASSERT_TRUE(message) << message.error().message;
  ASSERT_EQ(message->tftp_servers.size(), 1u);
  EXPECT_EQ(ipv4_text(message->tftp_servers[0]), "10.1.1.7");
  EXPECT_EQ(message->option_codes, (std::vector<uint8_t>{53, 52, 150}));
}

TEST(DhcpMessage, NamedErrors) {
  EXPECT_EQ(parse(Bytes(239, 0)).error().code, "truncated_header");
  EXPECT_EQ(parse(Bytes{}).error().code, "truncated_header");
  Bytes no_cookie = DhcpBuilder{}.build();
  no_cookie[236] = 0;
  EXPECT_EQ(parse(no_cookie).error().code, "bad_magic_cookie");

  DhcpBuilder odd_150;
  odd_150.option(53, Bytes{2}).option(150, Bytes{10, 1, 1, 5, 10});
  EXPECT_EQ(parse(odd_150.build()).error().code, "bad_option_150");

  DhcpBuilder long_option;
  long_option.end = false;
  long_option.option(53, Bytes{2});
  Bytes bytes = long_option.build();
  bytes.push_back(66);
  bytes.push_back(20);  // 20 bytes promised, 3 given
  bytes.insert(bytes.end(), {'a', 'b', 'c'});
  EXPECT_EQ(parse(bytes).error().code, "truncated_option");
  bytes.resize(bytes.size() - 4);  // the code alone, no length byte
  EXPECT_EQ(parse(bytes).error().code, "truncated_option");

  DhcpBuilder short_lease;
  short_lease.option(53, Bytes{5}).option(51, Bytes{0, 1});
  EXPECT_EQ(parse(short_lease.build()).error().code, "bad_option_length");
}

TEST(DhcpMessage, MissingEndAndPaddingAreAccepted) {
  DhcpBuilder message;
  message.end = false;
  message.option(53, Bytes{3});
  Bytes bytes = message.build();
  bytes.insert(bytes.end(), 20, 0);  // pad bytes to the end
  const auto parsed = parse(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->type, DhcpType::kRequest);
}

TEST(DhcpMessage, ClientMacOfOtherHardware) {
  Bytes bytes = DhcpBuilder{}.build();
  bytes[1] = 6;   // IEEE 802
  bytes[2] = 20;  // longer than chaddr: capped at 16
  const auto message = parse(bytes);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->client_mac().size(), 16u * 3 - 1);
}

}  // namespace
}  // namespace regwatch::agent::boot
