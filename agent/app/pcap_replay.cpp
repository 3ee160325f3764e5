#include "agent/app/pcap_replay.h"

#include <algorithm>
#include <climits>
#include <sstream>

#include "agent/capture/pcap_source.h"

namespace regwatch::agent {
namespace {

std::string list(const std::map<std::string, uint64_t>& counts) {
  std::ostringstream out;
  bool first = true;
  for (const auto& [name, n] : counts) {
    out << (first ? "" : ", ") << name << " " << n;
    first = false;
  }
  return first ? "none" : out.str();
}

}  // namespace

Result<std::string> replay_pcap_file(const std::string& path, wire::WireCapture& analyzer,
                                     const std::function<void(uint64_t, uint64_t)>& on_progress) {
  auto source = capture::PcapSource::open_file(path);
  if (!source.ok()) return source.error();
  const int link_type = (*source)->link_type();
  uint64_t batches = 0;
  int64_t last_us = INT64_MIN;
  while (true) {
    auto n = (*source)->read(1024, [&](int64_t time_us, std::span<const uint8_t> frame) {
      analyzer.on_packet(link_type, time_us, frame);
      last_us = std::max(last_us, time_us);
    });
    if (!n.ok()) {
      // A capture cut short still gave us everything before the cut.
      if (last_us != INT64_MIN) analyzer.finish(last_us);
      return path + ": " + n.error().message + "; decoded up to there";
    }
    if (*n < 0) break;
    if (on_progress && ++batches % 64 == 0) {
      auto [done, total] = (*source)->file_progress();
      on_progress(done, total);
    }
  }
  if (last_us != INT64_MIN) analyzer.finish(last_us);
  if (on_progress) {
    auto [done, total] = (*source)->file_progress();
    on_progress(total, total);
  }
  return std::string();
}

std::string summarise_sccp(const sccp::SccpStats& s) {
  std::ostringstream out;
  out << s.packets << " packets, " << s.tcp_segments << " SCCP TCP segments, " << s.sccp_messages
      << " SCCP messages (" << list(s.messages_by_type) << "), " << s.phones << " phones, "
      << s.connections_opened << " connections; events: " << list(s.events_by_kind)
      << "; anomalies: " << list(s.anomalies);
  return out.str();
}

std::string summarise_boot(const boot::BootStats& s) {
  std::ostringstream out;
  out << "boot chain: " << s.dhcp_messages << " DHCP messages (" << list(s.dhcp_by_type) << "), "
      << s.tftp_packets << " TFTP packets, " << s.http_segments << " HTTP segments; files fetched ("
      << list(s.files_fetched) << "), failed (" << list(s.files_failed) << "), " << s.clients
      << " phones; events: " << list(s.events_by_kind) << "; anomalies: " << list(s.anomalies);
  return out.str();
}

std::string summarise_sip(const sip::SipStats& s) {
  std::ostringstream out;
  out << "SIP: " << s.udp_datagrams << " UDP datagrams, " << s.tcp_segments << " TCP and "
      << s.tls_segments << " TLS segments, " << s.messages << " messages ("
      << list(s.messages_by_type) << "), " << s.phones << " phones (" << s.registrations
      << " lines), " << s.connections_opened << " connections; events: " << list(s.events_by_kind)
      << "; anomalies: " << list(s.anomalies);
  return out.str();
}

}  // namespace regwatch::agent
