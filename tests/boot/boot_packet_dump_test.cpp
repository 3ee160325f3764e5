#include "agent/boot/boot_packet_dump.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/capture/packet_decoder.h"
#include "tests/boot/boot_frames.h"

namespace regwatch::agent::boot {
namespace {

using nlohmann::json;
using test::boot::Bytes;

std::vector<json> dump(const std::vector<test::boot::TimedFrame>& frames) {
  std::vector<json> lines;
  BootPacketDump dumper([&lines](const std::string& line) { lines.push_back(json::parse(line)); });
  for (const auto& frame : frames)
    dumper.on_packet(capture::kLinkEthernet, frame.time_us, frame.frame);
  return lines;
}

TEST(BootPacketDump, SampleBootCapture) {
  const auto frames = test::boot::sample_boot_capture();
  const std::vector<json> lines = dump(frames);
  // 20 frames: the DNS query (frame 5) is skipped.
  ASSERT_EQ(lines.size(), frames.size() - 1);

  const json& discover = lines[0];
  EXPECT_EQ(discover["frame"], 1);
  EXPECT_EQ(discover["time_us"], frames[0].time_us);
  EXPECT_EQ(discover["proto"], "dhcp");
  EXPECT_EQ(discover["op"], 1);
  EXPECT_EQ(discover["type"], "discover");
  EXPECT_EQ(discover["xid"], "0x3903f326");
  EXPECT_EQ(discover["chaddr"], "00:17:94:3a:98:ba");
  EXPECT_EQ(discover["ciaddr"], "0.0.0.0");
  EXPECT_EQ(discover["broadcast"], true);
  EXPECT_EQ(discover["options"], json({53, 61, 57, 60, 12, 55}));
  EXPECT_EQ(discover["vendor_class"], "Cisco Systems, Inc. IP Phone CP-7941G");
  EXPECT_EQ(discover["hostname"], "SEP0017943A98BA");
  EXPECT_EQ(discover["src"], "0.0.0.0:68");
  EXPECT_FALSE(discover.contains("tftp_servers"));
  EXPECT_FALSE(discover.contains("lease_time_s"));

  const json& offer = lines[1];
  EXPECT_EQ(offer["type"], "offer");
  EXPECT_EQ(offer["yiaddr"], "10.1.20.31");
  EXPECT_EQ(offer["tftp_servers"], json({"10.1.1.5", "10.1.1.6"}));
  EXPECT_EQ(offer["tftp_server_name"], "tftp.example.com");
  EXPECT_EQ(offer["lease_time_s"], 86400);
  EXPECT_EQ(offer["server_id"], "10.1.20.1");
  EXPECT_EQ(lines[2]["requested_ip"], "10.1.20.31");
  EXPECT_EQ(lines[3]["type"], "ack");

  const json& ctl = lines[4];
  EXPECT_EQ(ctl["frame"], 6);
  EXPECT_EQ(ctl["proto"], "tftp");
  EXPECT_EQ(ctl["opcode"], "rrq");
  EXPECT_EQ(ctl["file"], "CTLSEP0017943A98BA.tlv");
  EXPECT_EQ(ctl["mode"], "octet");
  EXPECT_FALSE(ctl.contains("options"));
  // The answer comes from the server's own port to the client's: known by the RRQ's client.
  const json& not_found = lines[5];
  EXPECT_EQ(not_found["opcode"], "error");
  EXPECT_EQ(not_found["error_code"], 1);
  EXPECT_EQ(not_found["error_text"], "File not found");
  EXPECT_EQ(not_found["src"], "10.1.1.5:50001");

  const json& config = lines[10];
  EXPECT_EQ(config["file"], "SEP0017943A98BA.cnf.xml.sgn");
  EXPECT_EQ(config["options"], json({{"blksize", "512"}, {"tsize", "0"}}));
  EXPECT_EQ(lines[11]["opcode"], "oack");
  EXPECT_EQ(lines[11]["options"]["tsize"], "612");
  EXPECT_EQ(lines[12]["opcode"], "ack");
  EXPECT_EQ(lines[12]["block"], 0);
  EXPECT_EQ(lines[13]["opcode"], "data");
  EXPECT_EQ(lines[13]["block"], 1);
  EXPECT_EQ(lines[13]["data_bytes"], 512);
  EXPECT_EQ(lines[15]["data_bytes"], 100);

  const json& broken = lines[17];
  EXPECT_EQ(broken["frame"], 19);
  EXPECT_EQ(broken["proto"], "dhcp");
  EXPECT_EQ(broken["error"], "truncated_option");
  EXPECT_FALSE(broken.contains("type"));

  EXPECT_EQ(lines[18]["frame"], 20);
  EXPECT_EQ(lines[18]["type"], "discover");  // in 802.1Q VLAN 100
}

TEST(BootPacketDump, FramesCountEveryPacketAndTransfersNeedTheirRequest) {
  const test::boot::Ipv4 phone{10, 1, 20, 31}, server{10, 1, 1, 5};
  std::vector<test::boot::TimedFrame> frames;
  frames.push_back({1, Bytes{1, 2, 3}});  // not even Ethernet: counted, not printed
  // DATA between ports no request named: not recognised as TFTP.
  frames.push_back(
      {2, test::boot::udp_frame(server, 50001, phone, 49152, test::boot::tftp_data(1, 8))});
  frames.push_back({3, test::boot::udp_frame(phone, 49152, server, 69, test::boot::tftp_rrq("a"))});
  frames.push_back(
      {4, test::boot::udp_frame(server, 50001, phone, 49152, test::boot::tftp_data(1, 8))});
  // Port 69 with a bad opcode: named.
  frames.push_back({5, test::boot::udp_frame(phone, 49153, server, 69, Bytes{0, 9})});
  const std::vector<json> lines = dump(frames);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["frame"], 3);
  EXPECT_EQ(lines[1]["frame"], 4);
  EXPECT_EQ(lines[1]["opcode"], "data");
  EXPECT_EQ(lines[2]["frame"], 5);
  EXPECT_EQ(lines[2]["error"], "bad_opcode");
}

TEST(BootPacketDump, RemembersABoundedNumberOfClients) {
  const test::boot::Ipv4 server{10, 1, 1, 5};
  size_t printed = 0;
  BootPacketDump dumper([&printed](const std::string&) { ++printed; });
  auto send = [&dumper](const Bytes& frame) { dumper.on_packet(capture::kLinkEthernet, 0, frame); };
  const auto client = [](size_t i) {
    return test::boot::Ipv4{10, 2, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
  };
  // One client more than remembered: the first is forgotten, the second is not.
  const size_t clients = BootPacketDump::kMaxTftpClients + 1;
  for (size_t i = 0; i < clients; ++i)
    send(test::boot::udp_frame(client(i % 65536), static_cast<uint16_t>(1024 + i / 65536), server,
                               69, test::boot::tftp_rrq("a")));
  ASSERT_EQ(printed, clients);
  send(test::boot::udp_frame(server, 50000, client(0), 1024, test::boot::tftp_ack(1)));
  EXPECT_EQ(printed, clients);  // forgotten
  send(test::boot::udp_frame(server, 50000, client(1), 1024, test::boot::tftp_ack(1)));
  EXPECT_EQ(printed, clients + 1);
  EXPECT_EQ(dumper.frames(), clients + 2);
}

TEST(BootPacketDump, WireTextThatIsNotUtf8IsReplaced) {
  std::string line;
  BootPacketDump dumper([&line](const std::string& text) { line = text; });
  test::boot::DhcpBuilder discover;
  discover.option(53, Bytes{1}).option(12, Bytes{'S', 0xff, 0xfe, 'P'});
  const Bytes frame =
      test::boot::udp_frame({0, 0, 0, 0}, 68, {255, 255, 255, 255}, 67, discover.build());
  dumper.on_packet(capture::kLinkEthernet, 0, frame);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(json::parse(line)["hostname"], "S\xEF\xBF\xBD\xEF\xBF\xBDP");
}

}  // namespace
}  // namespace regwatch::agent::boot
