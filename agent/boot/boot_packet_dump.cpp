#include "agent/boot/boot_packet_dump.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "agent/boot/dhcp_message.h"
#include "agent/boot/tftp_packet.h"

namespace regwatch::agent::boot {
namespace {

constexpr uint16_t kDhcpServerPort = 67;
constexpr uint16_t kDhcpClientPort = 68;
constexpr uint16_t kTftpPort = 69;

using Json = nlohmann::ordered_json;

std::string endpoint_text(const capture::IpAddress& address, uint16_t port) {
  const std::string text = address.to_string();
  return address.v4 ? text + ':' + std::to_string(port) : '[' + text + "]:" + std::to_string(port);
}

Json header(uint64_t frame, int64_t time_us, const char* proto, const capture::UdpDatagram& udp) {
  Json line;
  line["frame"] = frame;
  line["time_us"] = time_us;
  line["proto"] = proto;
  line["src"] = endpoint_text(udp.src, udp.src_port);
  line["dst"] = endpoint_text(udp.dst, udp.dst_port);
  return line;
}

void put_if(Json& line, const char* key, const std::string& text) {
  if (!text.empty()) line[key] = text;
}

void add_dhcp(Json& line, const DhcpMessage& message) {
  line["op"] = message.op;
  line["type"] = dhcp_type_name(message.type);
  char xid[11];
  std::snprintf(xid, sizeof xid, "0x%08x", message.xid);
  line["xid"] = xid;
  line["chaddr"] = message.client_mac();
  line["ciaddr"] = ipv4_text(message.ciaddr);
  line["yiaddr"] = ipv4_text(message.yiaddr);
  line["siaddr"] = ipv4_text(message.siaddr);
  line["giaddr"] = ipv4_text(message.giaddr);
  line["broadcast"] = message.broadcast;
  line["options"] = message.option_codes;
  if (std::find(message.option_codes.begin(), message.option_codes.end(), 150) !=
      message.option_codes.end()) {
    Json servers = Json::array();
    for (const auto& server : message.tftp_servers) servers.push_back(ipv4_text(server));
    line["tftp_servers"] = std::move(servers);
  }
  put_if(line, "tftp_server_name", message.tftp_server_name);
  put_if(line, "vendor_class", message.vendor_class);
  put_if(line, "hostname", message.hostname);
  if (message.lease_time_s) line["lease_time_s"] = *message.lease_time_s;
  if (message.server_id) line["server_id"] = ipv4_text(*message.server_id);
  if (message.requested_ip) line["requested_ip"] = ipv4_text(*message.requested_ip);
  put_if(line, "server_message", message.server_message);
}

void add_tftp(Json& line, const TftpPacket& packet) {
  line["opcode"] = tftp_opcode_name(packet.opcode);
  switch (packet.opcode) {
    case TftpOpcode::kReadRequest:
    case TftpOpcode::kWriteRequest:
      line["file"] = packet.file;
      line["mode"] = packet.mode;
      break;
    case TftpOpcode::kData:
      line["block"] = packet.block;
      line["data_bytes"] = packet.data.size();
      break;
    case TftpOpcode::kAck: line["block"] = packet.block; break;
    case TftpOpcode::kError:
      line["error_code"] = packet.error_code;
      line["error_text"] = packet.error_message;
      break;
    case TftpOpcode::kOptionAck: break;
  }
  if (!packet.options.empty()) {
    Json options = Json::object();
    for (const auto& [name, value] : packet.options) options[name] = value;
    line["options"] = std::move(options);
  }
}

}  // namespace

BootPacketDump::BootPacketDump(std::function<void(const std::string&)> out)
    : out_(std::move(out)) {}

bool BootPacketDump::is_tftp(const capture::UdpDatagram& udp) const {
  if (udp.src_port == kTftpPort || udp.dst_port == kTftpPort) return true;
  return tftp_clients_.count({udp.src, udp.src_port}) > 0 ||
         tftp_clients_.count({udp.dst, udp.dst_port}) > 0;
}

void BootPacketDump::remember_client(const Endpoint& client) {
  if (!tftp_clients_.insert(client).second) return;
  tftp_client_order_.push_back(client);
  if (tftp_client_order_.size() > kMaxTftpClients) {
    tftp_clients_.erase(tftp_client_order_.front());
    tftp_client_order_.pop_front();
  }
}

void BootPacketDump::on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame) {
  ++frame_;
  capture::TcpSegment tcp;
  capture::UdpDatagram udp;
  if (capture::decode_packet(link_type, frame, tcp, udp) != capture::DecodeOutcome::kUdp) return;
  const bool dhcp = udp.src_port == kDhcpServerPort || udp.src_port == kDhcpClientPort ||
                    udp.dst_port == kDhcpServerPort || udp.dst_port == kDhcpClientPort;
  const bool tftp = !dhcp && is_tftp(udp);
  if (!dhcp && !tftp) return;

  Json line = header(frame_, time_us, dhcp ? "dhcp" : "tftp", udp);
  if (dhcp) {
    const Result<DhcpMessage> message = parse_dhcp(udp.payload);
    if (message) {
      add_dhcp(line, *message);
    } else {
      line["error"] = message.error().code;
    }
  } else {
    const Result<TftpPacket> packet = parse_tftp(udp.payload);
    if (packet) {
      add_tftp(line, *packet);
      // The transfer continues from the server's new port to the client's: remember the
      // client's address and port so those datagrams are recognised.
      const bool request =
          packet->opcode == TftpOpcode::kReadRequest || packet->opcode == TftpOpcode::kWriteRequest;
      if (request && udp.dst_port == kTftpPort) remember_client({udp.src, udp.src_port});
    } else {
      line["error"] = packet.error().code;
    }
  }
  // Wire text need not be UTF-8: replaced, so one odd host name never stops the dump.
  out_(line.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace regwatch::agent::boot
