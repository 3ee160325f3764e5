// Any bytes as a DHCP message (a UDP payload to or from port 67/68): parse_dhcp must give a
// message or a named error, never a crash or a read past the payload; what it keeps must fit
// in what it read. The same bytes in a frame go through BootPacketDump (--decode-pcap), whose
// JSON line must parse back.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "agent/boot/boot_packet_dump.h"
#include "agent/boot/dhcp_message.h"
#include "agent/capture/packet_decoder.h"

namespace {

// Ethernet, IPv4 and UDP to port 67 around payload (the dump's path).
std::vector<uint8_t> in_frame(std::span<const uint8_t> payload) {
  std::vector<uint8_t> frame = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x17,
                                0x94, 0x3a, 0x98, 0xba, 0x08, 0x00, 0x45, 0x00};
  const size_t ip_length = 28 + payload.size();
  frame.push_back(static_cast<uint8_t>(ip_length >> 8));
  frame.push_back(static_cast<uint8_t>(ip_length));
  frame.insert(frame.end(),
               {0, 0, 0, 0, 64, 17, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 0, 68, 0, 67});
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
  const auto message = parse_dhcp(payload);
  if (message) {
    if (message->option_codes.size() > size) std::abort();
    if (message->tftp_servers.size() * 4 > size) std::abort();
    if (message->hostname.size() + message->vendor_class.size() + message->tftp_server_name.size() +
            message->server_message.size() >
        size)
      std::abort();
    if (message->client_mac().size() > 16 * 3) std::abort();
    if (dhcp_type_name(message->type).empty()) std::abort();
  } else if (message.error().code.empty()) {
    std::abort();
  }
  // Frames carry at most 65535 bytes of IP.
  if (size <= 65000) {
    std::string line;
    BootPacketDump dump([&line](const std::string& text) { line = text; });
    const std::vector<uint8_t> frame = in_frame(payload);
    dump.on_packet(regwatch::agent::capture::kLinkEthernet, 1, frame);
    if (line.empty() || nlohmann::json::parse(line, nullptr, false).is_discarded()) std::abort();
  }
  return 0;
}
