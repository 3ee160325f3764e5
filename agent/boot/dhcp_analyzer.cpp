#include "agent/boot/dhcp_analyzer.h"

#include <utility>
#include <vector>

#include "common/ascii_case.h"
#include "common/device_name.h"

namespace regwatch::agent::boot {
namespace {

constexpr int64_t kSecond = 1'000'000;
// An ACK of the same transaction within this long is the other leg of a relayed exchange.
constexpr int64_t kSameAckUs = 5 * kSecond;

}  // namespace

DhcpAnalyzer::DhcpAnalyzer(const BootSettings& settings, BootTracker& tracker)
    : settings_(settings), tracker_(tracker) {}

void DhcpAnalyzer::on_tcp(const capture::TcpSegment& segment, int64_t time_us) {
  (void)segment;
  on_time(time_us);
}

bool DhcpAnalyzer::is_cisco_phone(const Client& client, const std::string& mac) const {
  const std::string vendor = ascii_lower(client.vendor_class);
  if (vendor.find("cisco") != std::string::npos && vendor.find("phone") != std::string::npos)
    return true;
  return !client.hostname.empty() && ascii_upper(client.hostname) == phone_device_name(mac);
}

void DhcpAnalyzer::on_udp(const capture::UdpDatagram& datagram, int64_t time_us) {
  on_time(time_us);
  auto parsed = parse_dhcp(datagram.payload);
  auto& stats = tracker_.stats();
  ++stats.dhcp_messages;
  if (!parsed.ok()) {
    ++stats.anomalies["dhcp_" + parsed.error().code];
    return;
  }
  const DhcpMessage& message = *parsed;
  ++stats.dhcp_by_type[std::string(dhcp_type_name(message.type))];
  const std::string mac = message.client_mac();
  auto found = clients_.find(mac);
  if (found == clients_.end()) {
    if (clients_.size() >= settings_.max_clients) {
      ++stats.anomalies["dhcp_clients_full"];
      return;
    }
    found = clients_.emplace(mac, Client{}).first;
  }
  Client& client = found->second;
  client.last_seen_us = time_us;
  if (message.op == 1) {
    from_client(client, message, time_us);
  } else if (message.op == 2) {
    from_server(client, mac, message, datagram, time_us);
  } else {
    ++stats.anomalies["dhcp_bad_op"];
  }
  // The client's own packets say its VLAN; a relay's leg to the server is on the server's.
  if (message.op == 1 && message.giaddr == std::array<uint8_t, 4>{}) client.vlan = datagram.vlan;
}

void DhcpAnalyzer::from_client(Client& client, const DhcpMessage& message, int64_t time_us) {
  if (!message.vendor_class.empty()) client.vendor_class = message.vendor_class;
  if (!message.hostname.empty()) client.hostname = message.hostname;
  switch (message.type) {
    case DhcpType::kDiscover:
      if (client.first_discover_us < 0) {
        client.first_discover_us = time_us;
        client.discovers = 0;
        client.unanswered_reported = false;
      }
      ++client.discovers;
      break;
    case DhcpType::kRequest:
      client.renewing = message.ciaddr != std::array<uint8_t, 4>{};
      client.requested_ip =
          message.requested_ip ? ipv4_text(*message.requested_ip) : ipv4_text(message.ciaddr);
      break;
    default: break;
  }
}

regwatch::v1::Event DhcpAnalyzer::exchange_event(regwatch::v1::EventKind kind, const Client& client,
                                                 const std::string& mac, const DhcpMessage* message,
                                                 int64_t time_us) const {
  regwatch::v1::Event e;
  e.set_kind(kind);
  e.set_event_time_us(time_us);
  auto* d = e.mutable_dhcp();
  d->set_client_mac(mac);
  if (is_cisco_phone(client, mac)) {
    d->set_device_name(phone_device_name(mac));
    d->set_cisco_phone(true);
  }
  d->set_vendor_class(client.vendor_class);
  d->set_hostname(client.hostname);
  d->set_vlan(client.vlan);
  if (message) {
    d->set_message_type(std::string(dhcp_type_name(message->type)));
    d->set_xid(message->xid);
    if (message->type == DhcpType::kAck) d->set_leased_ip(ipv4_text(message->yiaddr));
    const std::string server = message->server_id ? ipv4_text(*message->server_id) : "";
    d->set_server(server);
    e.set_origin(server);
    if (message->giaddr != std::array<uint8_t, 4>{}) d->set_relay(ipv4_text(message->giaddr));
    for (const auto& address : message->tftp_servers) d->add_tftp_servers(ipv4_text(address));
    d->set_tftp_server_name(message->tftp_server_name);
    if (message->lease_time_s) d->set_lease_time_s(*message->lease_time_s);
    d->set_server_message(message->server_message);
  }
  return e;
}

void DhcpAnalyzer::from_server(Client& client, const std::string& mac, const DhcpMessage& message,
                               const capture::UdpDatagram& datagram, int64_t time_us) {
  if (message.type == DhcpType::kOffer || message.type == DhcpType::kAck ||
      message.type == DhcpType::kNak) {
    client.first_discover_us = -1;  // answered
    client.discovers = 0;
  }
  if ((message.type == DhcpType::kNak || message.type == DhcpType::kAck) &&
      seen_answer(client, message, time_us))
    return;  // the relay's other leg
  if (message.type == DhcpType::kNak) {
    auto e = exchange_event(regwatch::v1::DHCP_NAK, client, mac, &message, time_us);
    e.mutable_dhcp()->set_requested_ip(client.requested_ip);
    if (e.origin().empty()) e.set_origin(datagram.src.to_string());
    tracker_.emit(std::move(e));
    return;
  }
  // An ACK without an address is the answer to an INFORM: no lease.
  if (message.type != DhcpType::kAck || message.yiaddr == std::array<uint8_t, 4>{}) return;
  auto lease_event = exchange_event(regwatch::v1::DHCP_LEASE, client, mac, &message, time_us);
  if (lease_event.origin().empty()) {
    lease_event.set_origin(datagram.src.to_string());
    lease_event.mutable_dhcp()->set_server(datagram.src.to_string());
  }
  const bool phone = is_cisco_phone(client, mac);
  const bool renewal = client.renewing;
  lease_event.mutable_dhcp()->set_renewal(renewal);
  // A renewal's ACK need not repeat the options: only a new lease without them is a finding.
  const bool no_tftp = !renewal && message.tftp_servers.empty() && message.tftp_server_name.empty();
  Lease lease;
  lease.mac = mac;
  lease.device_name = phone ? phone_device_name(mac) : "";
  lease.ip = ipv4_text(message.yiaddr);
  for (const auto& address : message.tftp_servers) lease.tftp_servers.push_back(ipv4_text(address));
  lease.tftp_server_name = message.tftp_server_name;
  lease.cisco_phone = phone;
  lease.vlan = client.vlan;
  if (phone && no_tftp) {
    auto warning = lease_event;
    warning.set_kind(regwatch::v1::DHCP_NO_TFTP_OPTION);
    tracker_.emit(std::move(lease_event));
    tracker_.emit(std::move(warning));
  } else {
    tracker_.emit(std::move(lease_event));
  }
  tracker_.leased(lease, renewal, time_us);
}

bool DhcpAnalyzer::seen_answer(Client& client, const DhcpMessage& message, int64_t time_us) const {
  if (client.last_answer_us >= 0 && client.last_answer_xid == message.xid &&
      time_us - client.last_answer_us <= kSameAckUs)
    return true;
  client.last_answer_xid = message.xid;
  client.last_answer_us = time_us;
  return false;
}

void DhcpAnalyzer::on_time(int64_t time_us) {
  // Once a second of packet time (see TftpAnalyzer::on_time).
  if (time_us < next_scan_us_ && next_scan_us_ - time_us <= kSecond) return;
  next_scan_us_ = time_us + kSecond;
  tracker_.advance(time_us);
  const int64_t timeout_us = int64_t{settings_.dhcp_offer_timeout_s} * kSecond;
  const int64_t idle_us = int64_t{settings_.client_idle_s} * kSecond;
  for (auto it = clients_.begin(); it != clients_.end();) {
    Client& client = it->second;
    if (client.first_discover_us >= 0 && !client.unanswered_reported &&
        time_us - client.first_discover_us >= timeout_us) {
      client.unanswered_reported = true;
      const int64_t at_us = client.first_discover_us + timeout_us;  // when the bound ran out
      auto e = exchange_event(regwatch::v1::DHCP_UNANSWERED, client, it->first, nullptr, at_us);
      e.mutable_dhcp()->set_message_type("discover");
      e.mutable_dhcp()->set_discovers(client.discovers);
      e.mutable_dhcp()->set_first_discover_us(client.first_discover_us);
      const bool phone = is_cisco_phone(client, it->first);
      tracker_.emit(std::move(e));
      if (phone) {
        tracker_.dhcp_unanswered(it->first, phone_device_name(it->first), client.vlan,
                                 client.first_discover_us, at_us);
      }
    }
    if (time_us - client.last_seen_us > idle_us) {
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace regwatch::agent::boot
