// Any bytes as one SIP message (a UDP payload, or what the framer cut from a stream):
// parse_sip_message must give a message or a named error, never a crash or a read past the
// input; every string it keeps is at most kMaxSipField bytes and the head it read fits in the
// input. The same bytes as a Reason value go through parse_cisco_alarm, and in a UDP frame to
// port 5060 through SipPacketDump (--decode-pcap), whose JSON line must parse back.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/capture/packet_decoder.h"
#include "agent/sip/sip_message.h"
#include "agent/sip/sip_packet_dump.h"

namespace {

using regwatch::agent::sip::kMaxSipField;

void check_size(const std::string& text) {
  if (text.size() > kMaxSipField) std::abort();
}

void check_uri(const regwatch::agent::sip::SipUri& uri) {
  check_size(uri.user);
  check_size(uri.host);
  if (uri.scheme.size() > 16 || uri.transport.size() > 16) std::abort();
}

// Ethernet, IPv4 and UDP from port 5060 to port 5060 around payload (the dump's path).
std::vector<uint8_t> in_frame(std::span<const uint8_t> payload) {
  std::vector<uint8_t> frame = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x11,
                                0x22, 0x33, 0x44, 0xaa, 0x08, 0x00, 0x45, 0x00};
  const size_t ip_length = 28 + payload.size();
  frame.push_back(static_cast<uint8_t>(ip_length >> 8));
  frame.push_back(static_cast<uint8_t>(ip_length));
  frame.insert(frame.end(),
               {0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2, 0x13, 0xc4, 0x13, 0xc4});
  frame.push_back(static_cast<uint8_t>((payload.size() + 8) >> 8));
  frame.push_back(static_cast<uint8_t>(payload.size() + 8));
  frame.insert(frame.end(), {0, 0});
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): libFuzzer names the entry point
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::sip;
  static const std::set<std::string> kErrors = {"empty",           "not_sip",
                                                "bad_status_line", "no_header_end",
                                                "bad_cseq",        "bad_content_length",
                                                "missing_call_id", "head_too_long"};
  const std::span<const uint8_t> bytes(data, size);
  const auto message = parse_sip_message(bytes);
  if (message) {
    if (message->head_bytes == 0 || message->head_bytes > size) std::abort();
    if (message->call_id.empty()) std::abort();
    for (const std::string* text :
         {&message->method, &message->request_uri, &message->reason_phrase, &message->call_id,
          &message->cseq_method, &message->to_tag, &message->device_name, &message->model,
          &message->user_agent, &message->server, &message->via_transport, &message->warning,
          &message->reason, &message->content_type}) {
      check_size(*text);
    }
    for (const auto& host : message->via_hosts) check_size(host);
    check_uri(message->from);
    check_uri(message->to);
    check_uri(message->contact);
    if (!message->instance_mac.empty() && message->instance_mac.size() != 17) std::abort();
    if (message->request == (message->status != 0)) std::abort();
    if (!message->request && (message->status < 100 || message->status > 699)) std::abort();
    if (message->cisco_alarm) {
      check_size(message->cisco_alarm->device_name);
      check_size(message->cisco_alarm->load);
      check_size(message->cisco_alarm->last);
    }
    if (sip_device_name(*message).size() > kMaxSipField) std::abort();
  } else if (kErrors.count(message.error().code) == 0) {
    std::abort();
  }
  const auto alarm = parse_cisco_alarm(std::string_view(reinterpret_cast<const char*>(data), size));
  if (alarm && (alarm->device_name.size() > size || alarm->load.size() > size)) std::abort();
  // Frames carry at most 65535 bytes of IP.
  if (size <= 65000) {
    std::string line;
    SipPacketDump dump([&line](const std::string& text) { line = text; });
    const std::vector<uint8_t> frame = in_frame(bytes);
    dump.on_packet(regwatch::agent::capture::kLinkEthernet, 1, frame);
    if (!line.empty() && nlohmann::json::parse(line, nullptr, false).is_discarded()) std::abort();
  }
  return 0;
}
