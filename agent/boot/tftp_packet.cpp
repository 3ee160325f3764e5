#include "agent/boot/tftp_packet.h"

#include <algorithm>
#include <optional>

namespace regwatch::agent::boot {
namespace {

// RFC 2347 allows as many options as fit in a 512-byte request; a packet naming more than this
// is not a phone's and is refused rather than walked.
constexpr size_t kMaxOptions = 32;

uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

// Reads a NUL-terminated string at pos; false when the payload ends first.
bool read_string(std::span<const uint8_t> payload, size_t& pos, std::string& out) {
  const auto begin = payload.begin() + static_cast<std::ptrdiff_t>(pos);
  const auto nul = std::find(begin, payload.end(), uint8_t{0});
  if (nul == payload.end()) return false;
  out.assign(begin, nul);
  pos = static_cast<size_t>(nul - payload.begin()) + 1;
  return true;
}

Error unterminated(const char* what) {
  return make_error("unterminated_string",
                    std::string("TFTP ") + what + " is not terminated by a NUL byte");
}

// name\0value\0 pairs to the end of the payload (RRQ/WRQ after the mode, and OACK).
std::optional<Error> read_options(std::span<const uint8_t> payload, size_t pos,
                                  TftpPacket& packet) {
  while (pos < payload.size()) {
    if (packet.options.size() == kMaxOptions) {
      return make_error("too_many_options",
                        "TFTP packet with more than " + std::to_string(kMaxOptions) + " options");
    }
    std::string name, value;
    if (!read_string(payload, pos, name)) return unterminated("option name");
    if (!read_string(payload, pos, value)) return unterminated("option value");
    packet.options.emplace_back(std::move(name), std::move(value));
  }
  return std::nullopt;
}

}  // namespace

std::string_view tftp_opcode_name(TftpOpcode opcode) {
  switch (opcode) {
    case TftpOpcode::kReadRequest: return "rrq";
    case TftpOpcode::kWriteRequest: return "wrq";
    case TftpOpcode::kData: return "data";
    case TftpOpcode::kAck: return "ack";
    case TftpOpcode::kError: return "error";
    case TftpOpcode::kOptionAck: return "oack";
  }
  return "unknown";
}

Result<TftpPacket> parse_tftp(std::span<const uint8_t> payload) {
  if (payload.size() < 2) {
    return make_error("truncated",
                      "TFTP packet of " + std::to_string(payload.size()) + " bytes has no opcode");
  }
  const uint16_t opcode = be16(payload.data());
  if (opcode < 1 || opcode > 6) {
    return make_error("bad_opcode", "TFTP opcode " + std::to_string(opcode) +
                                        " is none of RRQ, WRQ, DATA, ACK, ERROR, OACK (1-6)");
  }
  TftpPacket packet;
  packet.opcode = static_cast<TftpOpcode>(opcode);
  size_t pos = 2;
  switch (packet.opcode) {
    case TftpOpcode::kReadRequest:
    case TftpOpcode::kWriteRequest:
      if (!read_string(payload, pos, packet.file)) return unterminated("file name");
      if (!read_string(payload, pos, packet.mode)) return unterminated("transfer mode");
      if (auto error = read_options(payload, pos, packet)) return *error;
      break;
    case TftpOpcode::kOptionAck:
      if (auto error = read_options(payload, pos, packet)) return *error;
      break;
    case TftpOpcode::kData:
    case TftpOpcode::kAck:
      if (payload.size() < 4) {
        return make_error("truncated", "TFTP " + std::string(tftp_opcode_name(packet.opcode)) +
                                           " without its block number");
      }
      packet.block = be16(payload.data() + 2);
      if (packet.opcode == TftpOpcode::kData) packet.data = payload.subspan(4);
      break;
    case TftpOpcode::kError: {
      if (payload.size() < 4) return make_error("truncated", "TFTP ERROR without its error code");
      packet.error_code = be16(payload.data() + 2);
      // Some servers omit the terminator: the text then runs to the end of the packet.
      const auto text = payload.subspan(4);
      const auto nul = std::find(text.begin(), text.end(), uint8_t{0});
      packet.error_message.assign(text.begin(), nul);
      break;
    }
  }
  return packet;
}

}  // namespace regwatch::agent::boot
