#include "agent/boot/tftp_analyzer.h"

#include <algorithm>
#include <charconv>
#include <tuple>
#include <utility>

#include "agent/boot/tftp_packet.h"
#include "common/ascii_case.h"

namespace regwatch::agent::boot {
namespace {

constexpr int64_t kSecond = 1'000'000;

std::string failure_of_error(uint16_t code) {
  switch (code) {
    case 1: return "not_found";
    case 2: return "access_violation";
    default: return "error";
  }
}

}  // namespace

TftpAnalyzer::TftpAnalyzer(const BootSettings& settings, BootTracker& tracker)
    : settings_(settings), tracker_(tracker), ports_(settings.tftp_ports) {}

TftpAnalyzer::~TftpAnalyzer() = default;

capture::PortClaims TftpAnalyzer::claims() const {
  return {{}, ports_};
}

void TftpAnalyzer::on_tcp(const capture::TcpSegment& segment, int64_t time_us) {
  (void)segment;
  on_time(time_us);
}

void TftpAnalyzer::on_udp(const capture::UdpDatagram& datagram, int64_t time_us) {
  ++tracker_.stats().tftp_packets;
  on_time(time_us);
  const bool to_server_port =
      std::find(ports_.begin(), ports_.end(), datagram.dst_port) != ports_.end();
  if (to_server_port) {
    request(datagram, time_us);
    return;
  }
  // A packet of a transfer: to or from the client endpoint the request came from.
  if (auto to = transfers_.find(Key{datagram.dst, datagram.dst_port}); to != transfers_.end()) {
    from_server(to->second, datagram, time_us);
  } else if (auto from = transfers_.find(Key{datagram.src, datagram.src_port});
             from != transfers_.end()) {
    from_client(from->second, datagram, time_us);
  } else {
    // The server's port 69 answering (some servers do), or a transfer already over.
    ++tracker_.stats().anomalies["tftp_unknown_transfer"];
  }
}

void TftpAnalyzer::request(const capture::UdpDatagram& datagram, int64_t time_us) {
  auto parsed = parse_tftp(datagram.payload);
  if (!parsed.ok()) {
    ++tracker_.stats().anomalies["tftp_" + parsed.error().code];
    return;
  }
  const TftpPacket& packet = *parsed;
  if (packet.opcode == TftpOpcode::kWriteRequest) {
    ++tracker_.stats().anomalies["tftp_write_request"];
    return;
  }
  if (packet.opcode != TftpOpcode::kReadRequest) {
    ++tracker_.stats().anomalies["tftp_not_a_request_on_server_port"];
    return;
  }
  const Key key{datagram.src, datagram.src_port};
  if (auto found = transfers_.find(key); found != transfers_.end()) {
    if (found->second.transfer.file == packet.file && !found->second.answered) {
      ++found->second.transfer.retransmissions;  // the same request again
      found->second.last_packet_us = time_us;
      return;
    }
    // The client reused its port for another file: the old transfer is over.
    finish(key, found->second.answered ? "timeout" : "no_answer", time_us);
  }
  if (transfers_.size() >= settings_.max_transfers) {
    ++tracker_.stats().anomalies["tftp_transfers_full"];
    return;
  }
  if (!claims_ || !claims_->claim_udp_endpoint(*this, datagram.src, datagram.src_port)) {
    ++tracker_.stats().anomalies["tftp_endpoint_claims_full"];
    return;
  }
  Flow flow;
  flow.transfer.file = packet.file;
  flow.transfer.kind = domain::classify_boot_file(packet.file);
  flow.transfer.client_ip = datagram.src.to_string();
  flow.transfer.server_ip = datagram.dst.to_string();
  flow.transfer.protocol = "tftp";
  flow.transfer.start_us = time_us;
  flow.transfer.vlan = datagram.vlan;
  flow.server = datagram.dst;
  flow.client = datagram.src;
  flow.keep_content = domain::boot_file_is_readable_config(flow.transfer.kind);
  flow.last_packet_us = time_us;
  // A blksize option asked for holds only once the server's OACK confirms it (from_server).
  transfers_.emplace(key, std::move(flow));
  tracker_.requested(packet.file, datagram.src.to_string(), time_us);
}

void TftpAnalyzer::from_server(Flow& flow, const capture::UdpDatagram& datagram, int64_t time_us) {
  auto parsed = parse_tftp(datagram.payload);
  if (!parsed.ok()) {
    ++tracker_.stats().anomalies["tftp_" + parsed.error().code];
    return;
  }
  const TftpPacket& packet = *parsed;
  const Key key{datagram.dst, datagram.dst_port};
  flow.last_packet_us = time_us;
  if (!flow.answered) {
    flow.answered = true;
    flow.server_port = datagram.src_port;
    tracker_.server_answered(flow.transfer.server_ip, time_us);
  }
  switch (packet.opcode) {
    case TftpOpcode::kOptionAck:
      for (const auto& [name, value] : packet.options) {
        if (ascii_lower(name) != "blksize") continue;
        uint32_t size = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), size);
        (void)end;
        if (ec == std::errc{} && size >= 8 && size <= 65464) flow.block_size = size;
      }
      return;
    case TftpOpcode::kError:
      flow.transfer.error_code = packet.error_code;
      flow.transfer.error_text = packet.error_message;
      finish(key, failure_of_error(packet.error_code), time_us);
      return;
    case TftpOpcode::kData: {
      if (packet.block != flow.next_block) {
        // An earlier block again (the server did not get our ACK), or one we missed.
        if (static_cast<uint16_t>(flow.next_block - packet.block) < 0x8000) {
          ++flow.transfer.retransmissions;
        } else {
          ++tracker_.stats().anomalies["tftp_block_gap"];
        }
        if (static_cast<uint16_t>(flow.next_block - packet.block) < 0x8000) return;
      }
      flow.transfer.bytes += packet.data.size();
      if (flow.keep_content) {
        const size_t n = packet.data.size();
        if (flow.content.size() + n > settings_.max_config_bytes) {
          ++tracker_.stats().anomalies["tftp_config_too_large"];  // no phone's config is
          drop_content(flow);
        } else if (!tracker_.take_config_bytes(n)) {
          drop_content(flow);  // all downloads together hold too much: counted by the tracker
        } else {
          flow.content.insert(flow.content.end(), packet.data.begin(), packet.data.end());
          held_bytes_ += n;
        }
      }
      flow.next_block = static_cast<uint16_t>(packet.block + 1);
      if (packet.data.size() < flow.block_size) finish(key, "", time_us);
      return;
    }
    default: ++tracker_.stats().anomalies["tftp_unexpected_from_server"]; return;
  }
}

void TftpAnalyzer::from_client(Flow& flow, const capture::UdpDatagram& datagram, int64_t time_us) {
  auto parsed = parse_tftp(datagram.payload);
  if (!parsed.ok()) {
    ++tracker_.stats().anomalies["tftp_" + parsed.error().code];
    return;
  }
  flow.last_packet_us = time_us;
  if (parsed->opcode == TftpOpcode::kError) {
    flow.transfer.error_code = parsed->error_code;
    flow.transfer.error_text = parsed->error_message;
    finish(Key{datagram.src, datagram.src_port}, "aborted", time_us);
  }
  // ACKs: the client took a block; nothing to learn that DATA did not say.
}

void TftpAnalyzer::drop_content(Flow& flow) {
  flow.keep_content = false;
  held_bytes_ -= flow.content.size();
  tracker_.give_config_bytes(flow.content.size());
  flow.content = {};
}

void TftpAnalyzer::finish(const Key& key, std::string failure, int64_t time_us) {
  const auto found = transfers_.find(key);
  if (found == transfers_.end()) return;
  Flow flow = std::move(found->second);
  transfers_.erase(found);
  if (claims_) claims_->release_udp_endpoint(*this, key.address, key.port);
  held_bytes_ -= flow.content.size();
  tracker_.give_config_bytes(flow.content.size());
  flow.transfer.failure = std::move(failure);
  if (flow.transfer.failure.empty() && flow.keep_content) {
    auto config = parse_phone_config(flow.content);
    if (config.ok()) {
      flow.transfer.config = std::move(*config);
    } else {
      ++tracker_.stats().anomalies["config_" + config.error().code];
    }
  }
  tracker_.finished(std::move(flow.transfer), time_us);
}

void TftpAnalyzer::on_time(int64_t time_us) {
  // Once a second of packet time: every packet of every other analyzer comes here (one
  // compare on the SCCP steady state's path). A clock that stepped back re-arms it.
  if (time_us < next_scan_us_ && next_scan_us_ - time_us <= kSecond) return;
  next_scan_us_ = time_us + kSecond;
  tracker_.advance(time_us);
  if (transfers_.empty()) return;
  const int64_t timeout_us = int64_t{settings_.transfer_timeout_s} * kSecond;
  std::vector<std::tuple<Key, bool, int64_t>> stopped;
  for (const auto& [key, flow] : transfers_) {
    if (time_us - flow.last_packet_us >= timeout_us)
      stopped.emplace_back(key, flow.answered, flow.last_packet_us + timeout_us);
  }
  // Each stamped when its timeout ran out, not when the scan noticed.
  for (const auto& [key, answered, at_us] : stopped)
    finish(key, answered ? "timeout" : "no_answer", at_us);
  tracker_.stats().transfers_in_flight = transfers_.size();
}

}  // namespace regwatch::agent::boot
