#pragma once
// SCCP (Skinny) PDUs: the 12-byte little-endian header (length, header
// version, message id; Wireshark epan/dissectors/packet-skinny.c) and the payloads of the messages
// that tell about registration and keepalives. Pure: bytes in, a struct or a
// named error out; never throws, never reads past the span.
//
// Every other message id decodes to a message with only id and name set (it is
// counted by id, never an error). A known message whose payload is shorter
// than its fixed part is an error ("truncated_Register"), except where older
// protocol versions legitimately send less (Unregister without a reason).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace regwatch::agent::sccp {

inline constexpr size_t kHeaderSize = 12;
// Largest PDU we accept. Real ones stay under 2 KB (Asterisk's
// SKINNY_MAX_PACKET is 2000); a bigger length field means garbage or desync.
inline constexpr size_t kMaxPduSize = 8192;

// The little-endian 32-bit field at p (the header's length, version and id; payload fields).
inline uint32_t read_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

enum MessageId : uint32_t {
  kKeepAlive = 0x0000,
  kRegister = 0x0001,
  kAlarm = 0x0020,
  kUnregister = 0x0027,
  kRegisterAck = 0x0081,
  kRegisterReject = 0x009D,
  kReset = 0x009F,
  kKeepAliveAck = 0x0100,
  kUnregisterAck = 0x0118,
};

struct SccpMessage {
  uint32_t id = 0;
  uint32_t header_version = 0;
  size_t size = 0;  // the whole PDU, header included
  // Register
  std::string device_name;
  uint32_t instance = 0;
  std::string station_ip;  // dotted quad from the payload (network order)
  uint32_t device_type = 0;
  std::optional<uint32_t> protocol_version;  // only in newer Register layouts
  // RegisterAck
  uint32_t keepalive_interval_s = 0;
  uint32_t secondary_keepalive_interval_s = 0;
  // RegisterReject, Alarm
  std::string text;
  // Unregister (reason), UnregisterAck (status), Reset (type), Alarm (severity)
  std::optional<uint32_t> code;
};

// The total size of the PDU that starts at bytes, once its header is there:
// nullopt when fewer than 8 bytes are available; an error when the length
// field is impossible (below 4 or above kMaxPduSize).
Result<std::optional<size_t>> sccp_pdu_size(std::span<const uint8_t> bytes);

// Decodes one whole PDU (exactly sccp_pdu_size bytes).
Result<SccpMessage> decode_sccp(std::span<const uint8_t> pdu);

// Wireshark's name for a message id ("KeepAliveAck"); empty if unknown.
std::string_view sccp_message_name(uint32_t id);

// The header versions Wireshark knows (0 basic, 0x0A..0x16); used to judge
// whether bytes after a gap look like the start of a PDU.
bool known_header_version(uint32_t version);

}  // namespace regwatch::agent::sccp
