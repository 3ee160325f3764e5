// The pure layers: SCCP PDU decode, framing, TCP reassembly, link decode.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agent/capture/packet_decoder.h"
#include "agent/capture/tcp_reassembler.h"
#include "agent/sccp/pdu_framer.h"
#include "agent/sccp/sccp_message.h"
#include "sccp_wire.h"

namespace regwatch::agent::sccp {
namespace {

// The capture layer under the analyzer, named as the analyzer names it.
using namespace regwatch::agent::capture;  // NOLINT(google-build-using-namespace)

using testing::Bytes;

TEST(SccpMessage, KeepAliveIsTwelveBytesAsOnTheWire) {
  const Bytes keepalive = {4, 0, 0, 0, 0, 0,
                           0, 0, 0, 0, 0, 0};  // Wireshark packet-skinny.c framing
  auto m = decode_sccp(keepalive);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->id, kKeepAlive);
  EXPECT_EQ(m->size, 12u);
  EXPECT_EQ(sccp_message_name(m->id), "KeepAlive");
}

TEST(SccpMessage, RegisterAndRegisterAckFields) {
  auto reg = decode_sccp(testing::register_pdu("SEP0017943A98BA", 115));
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ(reg->device_name, "SEP0017943A98BA");
  EXPECT_EQ(reg->station_ip, "10.20.31.99");
  EXPECT_EQ(reg->device_type, 115u);
  EXPECT_EQ(reg->instance, 1u);
  EXPECT_EQ(reg->protocol_version.value_or(0), 20u);
  auto ack = decode_sccp(testing::register_ack_pdu(30, 60));
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->keepalive_interval_s, 30u);
  EXPECT_EQ(ack->secondary_keepalive_interval_s, 60u);
  auto reject = decode_sccp(testing::reject_pdu("Unknown Device\x01"));
  ASSERT_TRUE(reject.ok());
  EXPECT_EQ(reject->text, "Unknown Device\\x01");
}

TEST(SccpMessage, ShortPayloadsAreNamedErrorsAndUnknownIdsAreFine) {
  auto short_register = testing::pdu(0x0001, Bytes(10, 'A'));
  auto m = decode_sccp(short_register);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "truncated_Register");
  auto unknown = decode_sccp(testing::pdu(0x7777, Bytes(3, 1)));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->id, 0x7777u);
  EXPECT_TRUE(sccp_message_name(0x7777).empty());
  auto old_unregister = decode_sccp(testing::pdu(0x0027));  // Asterisk-era: no reason
  ASSERT_TRUE(old_unregister.ok());
  EXPECT_FALSE(old_unregister->code.has_value());
}

TEST(SccpMessage, LengthLimitsAtAndPastTheEdge) {
  Bytes at_limit = testing::pdu(0x7777, Bytes(kMaxPduSize - kHeaderSize, 0));
  EXPECT_TRUE(decode_sccp(at_limit).ok());
  Bytes past = testing::pdu(0x7777, Bytes(kMaxPduSize - kHeaderSize + 1, 0));
  EXPECT_EQ(decode_sccp(past).error().code, "bad_length");
  Bytes zero = {0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(decode_sccp(zero).error().code, "bad_length");
}

TEST(SccpMessage, NamesMatchTheSourcedTable) {
  std::ifstream csv(REGWATCH_TEST_DATA_DIR "/sccp_messages.csv");
  ASSERT_TRUE(csv.good());
  std::string line;
  std::getline(csv, line);  // header
  size_t rows = 0;
  while (std::getline(csv, line)) {
    std::stringstream fields(line);
    std::string id_hex, id_dec, name_long, wireshark;
    std::getline(fields, id_hex, ',');
    std::getline(fields, id_dec, ',');
    std::getline(fields, name_long, ',');
    std::getline(fields, wireshark, ',');
    const auto id = static_cast<uint32_t>(std::stoul(id_hex, nullptr, 16));
    EXPECT_EQ(sccp_message_name(id), wireshark.empty() ? name_long : wireshark) << id_hex;
    ++rows;
  }
  EXPECT_EQ(rows, 168u);
}

std::vector<Bytes> frame_all(PduFramer& framer, const std::vector<Bytes>& chunks,
                             FramerCounters& counters) {
  std::vector<Bytes> out;
  for (const auto& chunk : chunks) {
    framer.feed(
        chunk, [&](std::span<const uint8_t> pdu) { out.emplace_back(pdu.begin(), pdu.end()); },
        counters);
  }
  return out;
}

TEST(PduFramer, SplitAnywhereAndSeveralPerSegment) {
  Bytes stream;
  for (const auto& p : {testing::register_pdu("SEP1"), testing::pdu(0), testing::pdu(0x0100)}) {
    stream.insert(stream.end(), p.begin(), p.end());
  }
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    PduFramer framer;
    FramerCounters counters;
    auto pdus = frame_all(framer,
                          {Bytes(stream.begin(), stream.begin() + static_cast<long>(cut)),
                           Bytes(stream.begin() + static_cast<long>(cut), stream.end())},
                          counters);
    ASSERT_EQ(pdus.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(decode_sccp(pdus[0])->device_name, "SEP1");
    EXPECT_EQ(framer.buffered(), 0u);
  }
}

TEST(PduFramer, ResynchronisesAfterGarbageAndGaps) {
  PduFramer framer;
  FramerCounters counters;
  Bytes garbage = {0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  Bytes then = testing::pdu(0);
  garbage.insert(garbage.end(), then.begin(), then.end());
  auto pdus = frame_all(framer, {garbage}, counters);
  ASSERT_EQ(pdus.size(), 1u);
  EXPECT_EQ(counters.bad_lengths, 1u);
  EXPECT_EQ(counters.resyncs, 1u);
  EXPECT_EQ(counters.skipped_bytes, 13u);
  // After a gap, half a PDU is thrown away and the next whole one is found.
  Bytes half = testing::register_pdu("SEP2");
  framer.feed(
      Bytes(half.begin(), half.begin() + 20), [](auto) {}, counters);
  framer.lost_sync();
  Bytes tail(half.begin() + 30, half.end());
  Bytes ack = testing::pdu(0x0100);
  Bytes keepalive = testing::pdu(0);
  tail.insert(tail.end(), ack.begin(), ack.end());
  tail.insert(tail.end(), keepalive.begin(), keepalive.end());
  auto after = frame_all(framer, {tail}, counters);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(decode_sccp(after[0])->id, kKeepAliveAck);
  EXPECT_EQ(decode_sccp(after[1])->id, kKeepAlive);
}

struct Collected final : TcpReassembler::Sink {
  Bytes bytes;
  int gaps = 0;
  void data(std::span<const uint8_t> b) override { bytes.insert(bytes.end(), b.begin(), b.end()); }
  void gap() override { ++gaps; }
};

TEST(TcpReassembler, OutOfOrderRetransmittedAndOverlappingSegments) {
  TcpReassembler r;
  HeldBudget budget;
  ReassemblyCounters counters;
  Collected out;
  auto& sink = out;
  const uint32_t isn = 0xfffffff0;  // the stream wraps around 2^32
  r.on_segment(isn, true, {}, budget, sink, counters);
  const Bytes a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c = {9, 10, 11, 12};
  r.on_segment(isn + 9, false, c, budget, sink, counters);  // c before b before a
  r.on_segment(isn + 5, false, b, budget, sink, counters);
  r.on_segment(isn + 1, false, a, budget, sink, counters);
  r.on_segment(isn + 1, false, a, budget, sink, counters);  // retransmission
  const Bytes overlap = {7, 8, 9, 10, 11, 12, 13, 14};
  r.on_segment(isn + 7, false, overlap, budget, sink, counters);  // half old, half new
  EXPECT_EQ(out.bytes, (Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
  EXPECT_EQ(counters.out_of_order_segments, 2u);
  EXPECT_EQ(counters.retransmitted_segments, 2u);
  EXPECT_EQ(r.held_bytes(), 0u);
}

TEST(TcpReassembler, AHoleThatNeverFillsIsGivenUpWithinTheBudget) {
  TcpReassembler r;
  HeldBudget budget{.max_per_stream = 16};
  ReassemblyCounters counters;
  Collected out;
  auto& sink = out;
  r.on_segment(1000, false, Bytes{1}, budget, sink, counters);  // midstream start
  for (uint32_t i = 0; i < 10; ++i)
    r.on_segment(2000 + 4 * i, false, Bytes{2, 2, 2, 2}, budget, sink, counters);
  EXPECT_EQ(counters.midstream_starts, 1u);
  EXPECT_EQ(counters.gaps, 1u);
  EXPECT_EQ(out.gaps, 1);
  EXPECT_EQ(out.bytes.size(), 1u + 40u);  // everything after the hole was delivered
  EXPECT_LE(r.held_bytes(), 16u);
}

TEST(TcpReassembler, ManyFlowsShareOneTotalBudget) {
  HeldBudget budget{.max = 10, .max_per_stream = 64};
  ReassemblyCounters counters;
  Collected out;
  {
    TcpReassembler a, b;
    a.on_segment(100, true, {}, budget, out, counters);
    b.on_segment(500, true, {}, budget, out, counters);
    a.on_segment(110, false, Bytes(8, 1), budget, out, counters);  // held: 8 of the 10
    EXPECT_EQ(budget.used, 8u);
    b.on_segment(510, false, Bytes(8, 2), budget, out,
                 counters);  // would pass the total: a gap instead
    EXPECT_EQ(counters.gaps, 1u);
    EXPECT_EQ(out.gaps, 1);
    EXPECT_EQ(budget.used, 8u);
  }
  EXPECT_EQ(budget.used, 0u);  // flows give their bytes back when they go
}

TEST(PacketDecoder, BsdLoopbackHeader) {
  const Bytes eth = testing::frame({5, 51000}, {1, 2000}, 1, testing::pdu(0));
  Bytes null_frame = {2, 0, 0, 0};  // AF_INET in host order
  null_frame.insert(null_frame.end(), eth.begin() + 14, eth.end());
  TcpSegment s;
  ASSERT_EQ(decode_packet(kLinkNull, null_frame, s), DecodeOutcome::kTcp);
  EXPECT_EQ(s.dst_port, 2000);
  EXPECT_EQ(s.payload.size(), 12u);
}

TEST(PacketDecoder, EthernetVlanIpv4Tcp) {
  const Bytes payload = testing::pdu(0);
  auto f = testing::frame({5, 51000}, {1, 2000}, 77, payload, 0x18, 110);
  TcpSegment s;
  ASSERT_EQ(decode_packet(kLinkEthernet, f, s), DecodeOutcome::kTcp);
  EXPECT_EQ(s.vlan, 110);
  EXPECT_EQ(s.src.to_string(), "10.0.0.5");
  EXPECT_EQ(s.dst_port, 2000);
  EXPECT_EQ(s.seq, 77u);
  EXPECT_EQ(Bytes(s.payload.begin(), s.payload.end()), payload);
  for (size_t cut = 0; cut < 58; ++cut) {  // every truncation inside the headers
    TcpSegment t;
    const auto outcome = decode_packet(kLinkEthernet, std::span(f).first(cut), t);
    EXPECT_TRUE(outcome == DecodeOutcome::kTruncated || outcome == DecodeOutcome::kMalformed)
        << cut;
  }
  EXPECT_EQ(decode_packet(999, f, s), DecodeOutcome::kUnsupportedLink);
}

TEST(PacketDecoder, LinuxCookedAndIpv6) {
  Bytes sll(14, 0);
  sll.push_back(0x86);
  sll.push_back(0xdd);
  Bytes ip6(40, 0);
  ip6[0] = 0x60;
  const Bytes tcp = testing::frame({1, 2000}, {2, 50000}, 5, testing::pdu(0x0100));
  const Bytes tcp_part(tcp.begin() + 34, tcp.end());  // strip Ethernet and IPv4
  ip6[4] = 0;
  ip6[5] = static_cast<uint8_t>(tcp_part.size());
  ip6[6] = 6;
  ip6[23] = 1;  // ::1 -> ::2
  ip6[39] = 2;
  sll.insert(sll.end(), ip6.begin(), ip6.end());
  sll.insert(sll.end(), tcp_part.begin(), tcp_part.end());
  TcpSegment s;
  ASSERT_EQ(decode_packet(kLinkLinuxSll, sll, s), DecodeOutcome::kTcp);
  EXPECT_FALSE(s.src.v4);
  EXPECT_EQ(s.src_port, 2000);
  EXPECT_EQ(s.payload.size(), 12u);
}

}  // namespace
}  // namespace regwatch::agent::sccp
