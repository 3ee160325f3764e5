#include "agent/boot/tftp_packet.h"

#include <gtest/gtest.h>

#include "tests/boot/boot_frames.h"

namespace regwatch::agent::boot {
namespace {

using test::boot::Bytes;

TEST(TftpPacket, ReadRequestWithOptions) {
  const auto packet = parse_tftp(test::boot::tftp_rrq(
      "SEP0017943A98BA.cnf.xml.sgn", {{"blksize", "1428"}, {"tsize", "0"}, {"timeout", "2"}}));
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_EQ(packet->opcode, TftpOpcode::kReadRequest);
  EXPECT_EQ(tftp_opcode_name(packet->opcode), "rrq");
  EXPECT_EQ(packet->file, "SEP0017943A98BA.cnf.xml.sgn");
  EXPECT_EQ(packet->mode, "octet");
  ASSERT_EQ(packet->options.size(), 3u);
  EXPECT_EQ(packet->options[0], (std::pair<std::string, std::string>{"blksize", "1428"}));
  EXPECT_EQ(packet->options[2].first, "timeout");
}

TEST(TftpPacket, WriteRequestNetascii) {
  const auto packet = parse_tftp(test::boot::tftp_request(2, "log.txt", "netascii"));
  ASSERT_TRUE(packet);
  EXPECT_EQ(tftp_opcode_name(packet->opcode), "wrq");
  EXPECT_EQ(packet->mode, "netascii");
  EXPECT_TRUE(packet->options.empty());
}

TEST(TftpPacket, DataAckErrorOack) {
  const Bytes data_bytes = test::boot::tftp_data(7, 512);
  const auto data = parse_tftp(data_bytes);
  ASSERT_TRUE(data);
  EXPECT_EQ(data->block, 7);
  EXPECT_EQ(data->data.size(), 512u);
  EXPECT_EQ(data->data.data(), data_bytes.data() + 4);  // points into the payload

  const auto empty_data = parse_tftp(test::boot::tftp_data(8, 0));
  ASSERT_TRUE(empty_data);
  EXPECT_TRUE(empty_data->data.empty());

  const auto ack = parse_tftp(test::boot::tftp_ack(65535));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->opcode, TftpOpcode::kAck);
  EXPECT_EQ(ack->block, 65535);

  const auto error = parse_tftp(test::boot::tftp_error(1, "File not found"));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error_code, 1);
  EXPECT_EQ(error->error_message, "File not found");

  const auto oack = parse_tftp(test::boot::tftp_oack({{"blksize", "1428"}, {"tsize", "2417"}}));
  ASSERT_TRUE(oack);
  EXPECT_EQ(tftp_opcode_name(oack->opcode), "oack");
  ASSERT_EQ(oack->options.size(), 2u);
  EXPECT_EQ(oack->options[1].second, "2417");
}

TEST(TftpPacket, ErrorWithoutTerminatorIsTolerated) {
  Bytes bytes = test::boot::tftp_error(2, "Access violation");
  bytes.pop_back();
  const auto error = parse_tftp(bytes);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error_message, "Access violation");
  const auto bare = parse_tftp(Bytes{0, 5, 0, 0});
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->error_message, "");
}

TEST(TftpPacket, NamedErrors) {
  EXPECT_EQ(parse_tftp(Bytes{}).error().code, "truncated");
  EXPECT_EQ(parse_tftp(Bytes{0}).error().code, "truncated");
  EXPECT_EQ(parse_tftp(Bytes{0, 3, 0}).error().code, "truncated");
  EXPECT_EQ(parse_tftp(Bytes{0, 4}).error().code, "truncated");
  EXPECT_EQ(parse_tftp(Bytes{0, 5, 1}).error().code, "truncated");
  EXPECT_EQ(parse_tftp(Bytes{0, 0}).error().code, "bad_opcode");
  EXPECT_EQ(parse_tftp(Bytes{0, 7, 0, 0}).error().code, "bad_opcode");
  EXPECT_EQ(parse_tftp(Bytes{1, 1}).error().code, "bad_opcode");

  Bytes no_nul = {0, 1, 'a', 'b'};
  EXPECT_EQ(parse_tftp(no_nul).error().code, "unterminated_string");
  Bytes no_mode = {0, 1, 'a', 0, 'o', 'c'};
  EXPECT_EQ(parse_tftp(no_mode).error().code, "unterminated_string");
  Bytes half_option = test::boot::tftp_rrq("a");
  half_option.insert(half_option.end(), {'b', 'l', 'k', 0, '5'});
  EXPECT_EQ(parse_tftp(half_option).error().code, "unterminated_string");
}

TEST(TftpPacket, OptionCountIsBounded) {
  std::vector<std::pair<std::string, std::string>> options(32, {"x", "1"});
  EXPECT_TRUE(parse_tftp(test::boot::tftp_rrq("a", options)));
  options.emplace_back("y", "2");
  EXPECT_EQ(parse_tftp(test::boot::tftp_rrq("a", options)).error().code, "too_many_options");
}

}  // namespace
}  // namespace regwatch::agent::boot
