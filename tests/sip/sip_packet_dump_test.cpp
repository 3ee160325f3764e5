#include "agent/sip/sip_packet_dump.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/capture/packet_decoder.h"
#include "agent/capture/pcap_source.h"

namespace regwatch::agent::sip {
namespace {

using nlohmann::json;
using Bytes = std::vector<uint8_t>;

std::vector<json> dump_file(const std::string& name) {
  std::vector<json> lines;
  SipPacketDump dump([&lines](const std::string& line) { lines.push_back(json::parse(line)); });
  auto source =
      capture::PcapSource::open_file(std::string(REGWATCH_TEST_DATA_DIR) + "/sip/" + name);
  EXPECT_TRUE(source.ok());
  if (!source.ok()) return lines;
  const int link = (*source)->link_type();
  while (true) {
    auto n = (*source)->read(64, [&](int64_t time_us, std::span<const uint8_t> frame) {
      dump.on_packet(link, time_us, frame);
    });
    if (!n.ok() || *n < 0) break;
  }
  return lines;
}

// Ethernet, IPv4 and TCP from 10.1.1.5:51302 (to_server) or 10.1.1.1:5060 around payload.
Bytes tcp_frame(bool to_server, uint32_t seq, std::string_view payload, uint8_t flags = 0x18) {
  Bytes frame = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00,
                 0x11, 0x22, 0x33, 0x44, 0xaa, 0x08, 0x00};
  const size_t ip_length = 20 + 20 + payload.size();
  const Bytes phone = {10, 1, 1, 5}, cucm = {10, 1, 1, 1};
  frame.insert(frame.end(), {0x45, 0x00, static_cast<uint8_t>(ip_length >> 8),
                             static_cast<uint8_t>(ip_length), 0, 0, 0x40, 0, 64, 6, 0, 0});
  const Bytes& src = to_server ? phone : cucm;
  const Bytes& dst = to_server ? cucm : phone;
  frame.insert(frame.end(), src.begin(), src.end());
  frame.insert(frame.end(), dst.begin(), dst.end());
  const uint16_t src_port = to_server ? 51302 : 5060, dst_port = to_server ? 5060 : 51302;
  frame.insert(frame.end(), {static_cast<uint8_t>(src_port >> 8),
                             static_cast<uint8_t>(src_port),
                             static_cast<uint8_t>(dst_port >> 8),
                             static_cast<uint8_t>(dst_port),
                             static_cast<uint8_t>(seq >> 24),
                             static_cast<uint8_t>(seq >> 16),
                             static_cast<uint8_t>(seq >> 8),
                             static_cast<uint8_t>(seq),
                             0,
                             0,
                             0,
                             1,
                             0x50,
                             flags,
                             0xff,
                             0xff,
                             0,
                             0,
                             0,
                             0});
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

std::string request(int cseq) {
  return "REGISTER sip:10.1.1.1 SIP/2.0\r\nVia: SIP/2.0/TCP 10.1.1.5:51302;branch=z9hG4bK" +
         std::to_string(cseq) + "\r\nCall-ID: c@10.1.1.5\r\nCSeq: " + std::to_string(cseq) +
         " REGISTER\r\nContent-Length: 0\r\n\r\n";
}

TEST(SipPacketDump, UdpCaptureOfSipp) {
  const std::vector<json> lines = dump_file("register_udp.pcap");
  ASSERT_EQ(lines.size(), 6u);
  const json& first = lines[0];
  EXPECT_EQ(first["frame"], 1);
  EXPECT_EQ(first["proto"], "sip");
  EXPECT_EQ(first["transport"], "udp");
  EXPECT_EQ(first["src"], "127.0.0.24:25060");
  EXPECT_EQ(first["dst"], "127.0.0.23:5060");
  EXPECT_EQ(first["method"], "REGISTER");
  EXPECT_EQ(first["cseq"], 101);
  EXPECT_EQ(first["device_name"], "SEP0011223344AA");
  EXPECT_EQ(first["instance_mac"], "00:11:22:33:44:aa");
  EXPECT_EQ(first["model"], "36213");
  EXPECT_EQ(first["expires"], 3600);
  EXPECT_EQ(first["cisco_alarm"]["last"], "cm-closed-tcp");
  EXPECT_EQ(lines[1]["status"], 401);
  EXPECT_EQ(lines[2]["authorization"], true);
  EXPECT_EQ(lines[3]["status"], 200);
  EXPECT_EQ(lines[3]["expires"], 120);
  EXPECT_EQ(lines[3]["contact_expires"], 120);
  EXPECT_EQ(lines[4]["contact_user"], "SEP0011223344BB");
  EXPECT_EQ(lines[5]["status"], 403);
  EXPECT_EQ(lines[5]["warning"], "399 cucm \"Line not configured\"");
}

TEST(SipPacketDump, TcpCaptureOfSippOverIpv6) {
  const std::vector<json> lines = dump_file("register_tcp_ipv6.pcap");
  ASSERT_EQ(lines.size(), 6u);
  for (const json& line : lines) {
    EXPECT_EQ(line["transport"], "tcp");
    EXPECT_FALSE(line.contains("error")) << line.dump();
  }
  EXPECT_EQ(lines[0]["via_hosts"], json({"::1"}));
  EXPECT_EQ(lines[3]["status"], 200);
}

TEST(SipPacketDump, SeveralMessagesInOneSegmentAndOneAcrossSegments) {
  std::vector<json> lines;
  SipPacketDump dump([&lines](const std::string& line) { lines.push_back(json::parse(line)); });
  const std::string two = request(1) + request(2);
  const std::string third = request(3);
  dump.on_packet(capture::kLinkEthernet, 1, tcp_frame(true, 1000, "", 0x02));  // SYN
  dump.on_packet(capture::kLinkEthernet, 2, tcp_frame(true, 1001, two));
  dump.on_packet(capture::kLinkEthernet, 3,
                 tcp_frame(true, 1001 + static_cast<uint32_t>(two.size()), third.substr(0, 40)));
  dump.on_packet(capture::kLinkEthernet, 4,
                 tcp_frame(true, 1041 + static_cast<uint32_t>(two.size()), third.substr(40)));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["frame"], 2);
  EXPECT_EQ(lines[0]["cseq"], 1);
  EXPECT_EQ(lines[1]["frame"], 2);
  EXPECT_EQ(lines[1]["cseq"], 2);
  EXPECT_EQ(lines[2]["frame"], 4);  // the frame that completed it, as tshark numbers it
  EXPECT_EQ(lines[2]["cseq"], 3);
  EXPECT_EQ(lines[2]["src"], "10.1.1.5:51302");
}

TEST(SipPacketDump, FramingTroubleAndGapsAreLinesOfTheirOwn) {
  std::vector<json> lines;
  SipPacketDump dump([&lines](const std::string& line) { lines.push_back(json::parse(line)); });
  const std::string no_length = "REGISTER sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 R\r\n\r\n";
  dump.on_packet(capture::kLinkEthernet, 1, tcp_frame(true, 1000, "", 0x02));
  dump.on_packet(capture::kLinkEthernet, 2, tcp_frame(true, 1001, no_length + request(5)));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["cseq"], 5);
  EXPECT_EQ(lines[1]["error"], "framing");
  EXPECT_EQ(lines[1]["bad_lengths"], 1);
  EXPECT_EQ(lines[1]["skipped_bytes"], no_length.size());
}

TEST(SipPacketDump, UdpErrorsAndKeepalives) {
  std::vector<json> lines;
  SipPacketDump dump([&lines](const std::string& line) { lines.push_back(json::parse(line)); });
  // Ethernet, IPv4, UDP 5060 -> 5060 around a payload.
  const auto udp_frame = [](std::string_view payload) {
    Bytes frame = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00, 0x45, 0};
    const size_t ip_length = 28 + payload.size();
    frame.insert(frame.end(), {static_cast<uint8_t>(ip_length >> 8),
                               static_cast<uint8_t>(ip_length),
                               0,
                               0,
                               0,
                               0,
                               64,
                               17,
                               0,
                               0,
                               127,
                               0,
                               0,
                               1,
                               127,
                               0,
                               0,
                               2,
                               0x13,
                               0xc4,
                               0x13,
                               0xc4,
                               static_cast<uint8_t>((payload.size() + 8) >> 8),
                               static_cast<uint8_t>(payload.size() + 8),
                               0,
                               0});
    frame.insert(frame.end(), payload.begin(), payload.end());
    return frame;
  };
  dump.on_packet(capture::kLinkEthernet, 1, udp_frame("\r\n\r\n"));
  dump.on_packet(capture::kLinkEthernet, 2, udp_frame("SIP/2.0 200 OK\r\nCSeq: 1 R\r\n\r\n"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["frame"], 2);
  EXPECT_EQ(lines[0]["error"], "missing_call_id");
}

}  // namespace
}  // namespace regwatch::agent::sip
