// Any bytes as a TFTP packet (a UDP payload to or from port 69 or a transfer's ports):
// parse_tftp must give a packet or a named error, never a crash or a read past the payload; a
// DATA block's bytes must lie inside the payload. The same bytes as an RRQ's datagram, then a
// reply to the client, go through BootPacketDump, whose JSON lines must parse back.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "agent/boot/boot_packet_dump.h"
#include "agent/boot/tftp_packet.h"
#include "agent/capture/packet_decoder.h"

namespace {

std::vector<uint8_t> udp_frame(uint16_t src_port, uint16_t dst_port,
                               std::span<const uint8_t> payload) {
  std::vector<uint8_t> frame = {0x00, 0x0c, 0x29, 0x01, 0x02, 0x03, 0x00, 0x17,
                                0x94, 0x3a, 0x98, 0xba, 0x08, 0x00, 0x45, 0x00};
  const size_t ip_length = 28 + payload.size();
  frame.push_back(static_cast<uint8_t>(ip_length >> 8));
  frame.push_back(static_cast<uint8_t>(ip_length));
  frame.insert(frame.end(), {0, 0, 0, 0, 64, 17, 0, 0});
  const std::vector<uint8_t> phone = {10, 1, 20, 31}, server = {10, 1, 1, 5};
  const bool from_phone = dst_port == 69;
  frame.insert(frame.end(), from_phone ? phone.begin() : server.begin(),
               from_phone ? phone.end() : server.end());
  frame.insert(frame.end(), from_phone ? server.begin() : phone.begin(),
               from_phone ? server.end() : phone.end());
  frame.push_back(static_cast<uint8_t>(src_port >> 8));
  frame.push_back(static_cast<uint8_t>(src_port));
  frame.push_back(static_cast<uint8_t>(dst_port >> 8));
  frame.push_back(static_cast<uint8_t>(dst_port));
  frame.push_back(static_cast<uint8_t>((payload.size() + 8) >> 8));
  frame.push_back(static_cast<uint8_t>(payload.size() + 8));
  frame.insert(frame.end(), {0, 0});
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::boot;
  const std::span<const uint8_t> payload(data, size);
  const auto packet = parse_tftp(payload);
  if (packet) {
    if (!packet->data.empty() &&
        (packet->data.data() < data || packet->data.data() + packet->data.size() > data + size))
      std::abort();
    if (packet->file.size() + packet->mode.size() + packet->error_message.size() > size)
      std::abort();
    if (packet->options.size() > 32) std::abort();
    if (tftp_opcode_name(packet->opcode) == "unknown") std::abort();
  } else if (packet.error().code.empty()) {
    std::abort();
  }
  if (size <= 65000) {
    size_t lines = 0;
    BootPacketDump dump([&lines](const std::string& text) {
      if (nlohmann::json::parse(text, nullptr, false).is_discarded()) std::abort();
      ++lines;
    });
    dump.on_packet(regwatch::agent::capture::kLinkEthernet, 1, udp_frame(49152, 69, payload));
    dump.on_packet(regwatch::agent::capture::kLinkEthernet, 2, udp_frame(50001, 49152, payload));
    // Both are TFTP: the first by its port, the second as the reply to a remembered client (when
    // the first was a request) or not printed at all.
    if (lines < 1) std::abort();
  }
  return 0;
}
