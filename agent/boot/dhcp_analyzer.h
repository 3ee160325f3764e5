#pragma once
// DHCP on the wire (RFC 2131), a capture::Analyzer on UDP 67/68: relayed or not, per client MAC
// (chaddr). Reports what the boot chain needs as events: each lease acknowledged, with the TFTP
// servers offered (dhcp_lease); a Cisco phone leased without option 150 or 66
// (dhcp_no_tftp_option); a client whose DISCOVERs got no OFFER for dhcp_offer_timeout_s
// (dhcp_unanswered); a NAK (dhcp_nak). Leases and unanswered phones go on to the BootTracker.
//
// A client is a Cisco phone when its vendor class (option 60, from any of its requests) names
// a Cisco phone ("Cisco Systems, Inc. IP Phone CP-7965G"), or its host name (option 12) is its
// device name (SEP<MAC>). A relayed exchange is seen twice when the capture holds both legs
// (relay to server, relay to client): one ACK or NAK per transaction (xid) is reported, and the
// client's VLAN is the one of its own (unrelayed) packets. An ACK answering a REQUEST sent from
// the client's address (RENEWING, REBINDING) is a renewal: reported (DhcpExchange.renewal), but
// not a new boot.
//
// Threads: none; one owner (the capture thread).
#include <cstdint>
#include <string>
#include <unordered_map>

#include "agent/boot/boot_settings.h"
#include "agent/boot/boot_tracker.h"
#include "agent/boot/dhcp_message.h"
#include "agent/capture/analyzer.h"

namespace regwatch::agent::boot {

class DhcpAnalyzer final : public capture::Analyzer {
 public:
  DhcpAnalyzer(const BootSettings& settings, BootTracker& tracker);

  capture::PortClaims claims() const override { return {{}, settings_.dhcp_ports}; }
  void on_tcp(const capture::TcpSegment& segment, int64_t time_us) override;
  void on_udp(const capture::UdpDatagram& datagram, int64_t time_us) override;
  void on_time(int64_t time_us) override;
  void on_idle(int64_t now_us) override { on_time(now_us); }
  size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    std::string vendor_class, hostname;
    std::string requested_ip;        // option 50 of its last REQUEST
    int64_t first_discover_us = -1;  // DISCOVERs waiting for an OFFER
    uint32_t discovers = 0;
    bool unanswered_reported = false;
    bool renewing = false;         // its last REQUEST came from its address (ciaddr set)
    uint32_t last_answer_xid = 0;  // the last ACK or NAK reported, for a relay's second leg
    int64_t last_answer_us = -1;
    int64_t last_seen_us = 0;
    uint16_t vlan = 0;
  };
  void from_client(Client& client, const DhcpMessage& message, int64_t time_us);
  void from_server(Client& client, const std::string& mac, const DhcpMessage& message,
                   const capture::UdpDatagram& datagram, int64_t time_us);
  bool is_cisco_phone(const Client& client, const std::string& mac) const;
  // The other leg of a relayed ACK or NAK already reported (same transaction, within seconds).
  bool seen_answer(Client& client, const DhcpMessage& message, int64_t time_us) const;
  regwatch::v1::Event exchange_event(regwatch::v1::EventKind kind, const Client& client,
                                     const std::string& mac, const DhcpMessage* message,
                                     int64_t time_us) const;

  BootSettings settings_;
  BootTracker& tracker_;
  std::unordered_map<std::string, Client> clients_;  // by MAC
  int64_t next_scan_us_ = 0;
};

}  // namespace regwatch::agent::boot
