#include "agent/sip/sip_packet_dump.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "agent/sip/sip_message.h"

namespace regwatch::agent::sip {
namespace {

using Json = nlohmann::ordered_json;

std::string endpoint_text(const capture::IpAddress& address, uint16_t port) {
  const std::string text = address.to_string();
  return address.v4 ? text + ':' + std::to_string(port) : '[' + text + "]:" + std::to_string(port);
}

void put_if(Json& line, const char* key, const std::string& text) {
  if (!text.empty()) line[key] = text;
}

void put_uri(Json& line, const std::string& prefix, const SipUri& uri) {
  put_if(line, (prefix + "_user").c_str(), uri.user);
  put_if(line, (prefix + "_host").c_str(), uri.host);
  if (uri.port) line[prefix + "_port"] = *uri.port;
  put_if(line, (prefix + "_transport").c_str(), uri.transport);
}

void add_message(Json& line, const SipMessage& message) {
  if (message.request) {
    line["method"] = message.method;
    line["request_uri"] = message.request_uri;
  } else {
    line["status"] = message.status;
    line["reason_phrase"] = message.reason_phrase;
  }
  line["call_id"] = message.call_id;
  line["cseq"] = message.cseq;
  line["cseq_method"] = message.cseq_method;
  put_uri(line, "from", message.from);
  put_uri(line, "to", message.to);
  put_if(line, "to_tag", message.to_tag);
  if (message.contact_star) {
    line["contact_star"] = true;
  } else if (message.has_contact) {
    put_uri(line, "contact", message.contact);
  }
  if (message.expires) line["expires"] = *message.expires;
  if (message.contact_expires) line["contact_expires"] = *message.contact_expires;
  put_if(line, "device_name", message.device_name);
  put_if(line, "instance_mac", message.instance_mac);
  put_if(line, "model", message.model);
  put_if(line, "user_agent", message.user_agent);
  put_if(line, "server", message.server);
  if (!message.via_hosts.empty()) {
    line["via_hosts"] = message.via_hosts;
    line["via_transport"] = message.via_transport;
  }
  if (message.has_authorization) line["authorization"] = true;
  put_if(line, "warning", message.warning);
  put_if(line, "reason", message.reason);
  if (message.cisco_alarm) {
    Json alarm;
    alarm["alarm"] = message.cisco_alarm->alarm;
    alarm["name"] = message.cisco_alarm->device_name;
    alarm["load"] = message.cisco_alarm->load;
    alarm["last"] = message.cisco_alarm->last;
    line["cisco_alarm"] = std::move(alarm);
  }
  put_if(line, "content_type", message.content_type);
  if (message.content_length) line["content_length"] = *message.content_length;
  if (message.truncated_fields > 0) line["truncated_fields"] = message.truncated_fields;
}

bool only_line_ends(std::span<const uint8_t> payload) {
  return std::all_of(payload.begin(), payload.end(),
                     [](uint8_t byte) { return byte == '\r' || byte == '\n'; });
}

}  // namespace

// One direction of a TCP connection: its bytes put in order, then cut into messages. The
// frame time and the framer's counts before the segment are kept for the sink's calls.
struct SipPacketDump::Stream final : capture::TcpReassembler::Sink {
  Stream(SipPacketDump& owner, const Endpoints& ends) : dump(owner), endpoints(ends) {}

  void data(std::span<const uint8_t> bytes) override {
    framer.feed(
        bytes,
        [this](std::span<const uint8_t> message) {
          dump.print_message(time_us, "tcp", endpoints, message);
        },
        counters);
  }
  void gap() override {
    framer.lost_sync();
    dump.print_error(time_us, "tcp", endpoints, "gap", nullptr);
  }

  SipPacketDump& dump;
  Endpoints endpoints;
  capture::TcpReassembler reassembler;
  SipFramer framer;
  SipFramerCounters counters;
  capture::ReassemblyCounters reassembly;
  int64_t time_us = 0;
};

SipPacketDump::SipPacketDump(std::function<void(const std::string&)> out,
                             std::vector<uint16_t> ports)
    : out_(std::move(out)), ports_(std::move(ports)) {}

// The streams hold bytes taken from budget_: they go before it.
SipPacketDump::~SipPacketDump() {
  streams_.clear();
}

bool SipPacketDump::is_sip_port(uint16_t port) const {
  return std::find(ports_.begin(), ports_.end(), port) != ports_.end();
}

void SipPacketDump::print_message(int64_t time_us, const char* transport,
                                  const Endpoints& endpoints, std::span<const uint8_t> message) {
  Json line;
  line["frame"] = frame_;
  line["time_us"] = time_us;
  line["proto"] = "sip";
  line["transport"] = transport;
  line["src"] = endpoint_text(endpoints.src, endpoints.src_port);
  line["dst"] = endpoint_text(endpoints.dst, endpoints.dst_port);
  const Result<SipMessage> parsed = parse_sip_message(message);
  if (parsed) {
    add_message(line, *parsed);
  } else {
    line["error"] = parsed.error().code;
  }
  // Wire text need not be UTF-8: replaced, so one odd header never stops the dump.
  out_(line.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void SipPacketDump::print_error(int64_t time_us, const char* transport, const Endpoints& endpoints,
                                const std::string& error, const SipFramerCounters* grown) {
  Json line;
  line["frame"] = frame_;
  line["time_us"] = time_us;
  line["proto"] = "sip";
  line["transport"] = transport;
  line["src"] = endpoint_text(endpoints.src, endpoints.src_port);
  line["dst"] = endpoint_text(endpoints.dst, endpoints.dst_port);
  line["error"] = error;
  if (grown != nullptr) {
    if (grown->bad_lengths > 0) line["bad_lengths"] = grown->bad_lengths;
    if (grown->oversized > 0) line["oversized"] = grown->oversized;
    if (grown->skipped_bytes > 0) line["skipped_bytes"] = grown->skipped_bytes;
  }
  out_(line.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void SipPacketDump::on_tcp(int64_t time_us, const capture::TcpSegment& segment) {
  const Endpoints endpoints{segment.src, segment.dst, segment.src_port, segment.dst_port};
  auto it = streams_.find(endpoints);
  if (it == streams_.end()) {
    if (segment.payload.empty() && !segment.syn) return;  // a bare ACK of a stream not seen
    if (streams_.size() >= kMaxStreams) {
      if (!said_too_many_) print_error(time_us, "tcp", endpoints, "too_many_streams", nullptr);
      said_too_many_ = true;
      return;
    }
    it = streams_.emplace(endpoints, std::make_unique<Stream>(*this, endpoints)).first;
  }
  Stream& stream = *it->second;
  stream.time_us = time_us;
  const SipFramerCounters before = stream.counters;
  stream.reassembler.on_segment(segment.seq, segment.syn, segment.payload, budget_, stream,
                                stream.reassembly);
  const SipFramerCounters& after = stream.counters;
  if (after.bad_lengths != before.bad_lengths || after.oversized != before.oversized ||
      after.skipped_bytes != before.skipped_bytes) {
    SipFramerCounters grown;
    grown.bad_lengths = after.bad_lengths - before.bad_lengths;
    grown.oversized = after.oversized - before.oversized;
    grown.skipped_bytes = after.skipped_bytes - before.skipped_bytes;
    print_error(time_us, "tcp", endpoints, "framing", &grown);
  }
  // A closed direction is done with: what it held is not a whole message and never will be.
  if (segment.rst || segment.fin) streams_.erase(it);
}

void SipPacketDump::on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame) {
  ++frame_;
  capture::TcpSegment tcp;
  capture::UdpDatagram udp;
  const capture::DecodeOutcome outcome = capture::decode_packet(link_type, frame, tcp, udp);
  if (outcome == capture::DecodeOutcome::kTcp) {
    if (is_sip_port(tcp.src_port) || is_sip_port(tcp.dst_port)) on_tcp(time_us, tcp);
    return;
  }
  if (outcome != capture::DecodeOutcome::kUdp) return;
  if (!is_sip_port(udp.src_port) && !is_sip_port(udp.dst_port)) return;
  if (udp.payload.empty() || only_line_ends(udp.payload)) return;  // a keep-alive
  print_message(time_us, "udp", Endpoints{udp.src, udp.dst, udp.src_port, udp.dst_port},
                udp.payload);
}

}  // namespace regwatch::agent::sip
