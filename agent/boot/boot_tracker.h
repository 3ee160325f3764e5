#pragma once
// Follows each phone through its boot chain (common/boot_rules.h: dhcp -> trust_list -> config
// -> firmware -> registration) from what the DHCP, TFTP and HTTP analyzers saw and what the SCCP
// analyzer said (registration), in packet time; turns it into events: the leases and downloads
// (dhcp_lease, boot_file_fetched / _failed, ...), the phone stuck in its chain (boot_stalled, by
// the rules of common/boot_rules.h), and TFTP servers that stopped answering
// (tftp_server_unanswered).
//
// A phone is known by its MAC: from its lease (chaddr), or from the file names it asks for
// (SEP<MAC>.cnf.xml, ITLSEP<MAC>.tlv), which also tie its address to it when the lease was not
// seen (the capture started later, or DHCP is on another segment). Downloads by an address no
// phone is known at are still reported, without a device name.
//
// A lease (not a renewal) starts a new boot: the phone is back at the dhcp stage. The loop
// counts span boots until the phone registers, since a phone that rejects its config or load
// may reboot on each try (seed 001's "endless cycle of reboots"); only whole downloads within
// kLoopWindowUs of the first count, so the odd apply-config of a phone whose registration the
// capture cannot see (SCCP over TLS) is no loop. Each rule is reported at most once between two
// registrations.
//
// Bounded: at most settings.max_clients phones, as many addresses and as many servers (past
// it, new ones are counted, "boot_clients_full" / "boot_servers_full", and not followed);
// phones and servers quiet for client_idle_s are forgotten; config bytes held while they arrive
// at most settings.max_config_bytes_total for all downloads together ("config_budget_full").
// Every string of an event is made valid UTF-8 (wire bytes need not be; a proto3 string must).
//
// Threads: none; one owner (the capture thread).
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/boot/boot_settings.h"
#include "agent/boot/boot_stats.h"
#include "agent/boot/phone_config.h"
#include "agent/capture/analyzer.h"
#include "common/boot_files.h"
#include "common/boot_rules.h"

namespace regwatch::agent::boot {

// What a DHCP ACK gave a client.
struct Lease {
  std::string mac;                        // 00:17:94:3a:98:ba
  std::string device_name;                // SEP<MAC> for a Cisco phone, else ""
  std::string ip;                         // the address leased
  std::vector<std::string> tftp_servers;  // option 150
  std::string tftp_server_name;           // option 66
  bool cisco_phone = false;
  uint16_t vlan = 0;
};

// One download, finished (whole or failed). The analyzers fill it; the tracker names the phone.
struct Transfer {
  std::string file;
  domain::BootFileKind kind = domain::BootFileKind::kOther;
  std::string client_ip;
  std::string server_ip;
  std::string protocol;  // "tftp", "http"
  uint64_t bytes = 0;
  int64_t start_us = 0;
  uint32_t retransmissions = 0;
  std::string failure;  // "" when whole; else BootFile.failure's words
  int32_t error_code = -1;
  std::string error_text;
  uint16_t vlan = 0;
  std::optional<PhoneConfig> config;  // a config that came whole and could be read
};

class BootTracker {
 public:
  BootTracker(const BootSettings& settings, capture::EventSink sink);

  // DHCP: a lease was acknowledged (the DHCP analyzer has emitted its events already). A
  // renewal (the client asked from its address: RENEWING / REBINDING) only refreshes the
  // address; any other lease starts a new boot.
  void leased(const Lease& lease, bool renewal, int64_t time_us);
  // A Cisco phone's DISCOVERs got no OFFER for the settings' bound.
  void dhcp_unanswered(const std::string& mac, const std::string& device_name, uint16_t vlan,
                       int64_t since_us, int64_t time_us);
  // A download began (a TFTP read request, an HTTP GET): the phone moves on in its chain.
  void requested(const std::string& file, const std::string& client_ip, int64_t time_us);
  // A download finished or failed: its event, the phone's counts, the rules.
  void finished(Transfer transfer, int64_t end_us);
  // A server answered a request (any TFTP or HTTP packet from it): not silent.
  void server_answered(const std::string& server_ip, int64_t time_us);
  // Every event the other analyzers emit on this capture passes here (the SCCP analyzer's
  // registrations end a phone's boot episode; its rejections may be the wrong CM group).
  void observe(const regwatch::v1::Event& event);
  // Packet time moved on: the timed rules (no TFTP option, silent servers, idle phones).
  void advance(int64_t time_us);

  // Events of the boot chain go out here: stamped SOURCE_BOOT, their strings made valid UTF-8,
  // and counted.
  void emit(regwatch::v1::Event event);
  // The config bytes all downloads hold while they arrive (to read the CM group): false when
  // n more would pass settings.max_config_bytes_total (counted; the download is then not read).
  bool take_config_bytes(size_t n);
  void give_config_bytes(size_t n) { config_bytes_held_ -= std::min(n, config_bytes_held_); }
  BootStats& stats() { return stats_; }
  const BootStats& stats() const { return stats_; }
  size_t phones() const { return phones_.size(); }

 private:
  // Whole downloads of one file within the loop window.
  struct Fetches {
    uint32_t whole = 0;
    int64_t window_start_us = 0;
  };
  struct Phone {
    std::string mac, device_name, ip;
    uint16_t vlan = 0;
    std::vector<std::string> tftp_servers;
    bool cisco_phone = false;
    int64_t last_seen_us = 0;
    domain::BootStage stage = domain::BootStage::kDhcp;
    int64_t stage_since_us = 0;
    // Since its last registration (across reboots: see the header comment).
    std::map<std::string, Fetches> fetches;
    std::map<std::string, uint32_t> attempts;     // every download of each file, whole or not
    std::set<std::string, std::less<>> reported;  // rules reported
    // Since its last boot (lease).
    bool registration_seen = false;     // registered or rejected
    bool own_config_missing = false;    // SEP<MAC>.cnf.xml* not found
    uint32_t unanswered = 0;            // downloads that got no answer, since the last that did
    int64_t waiting_since_us = -1;      // leased without a TFTP option, nothing asked since
    std::vector<std::string> cm_group;  // from the last config read
    std::string load_name;
    std::string last_server;
  };

  struct Server {
    int64_t last_answer_us = 0;
    int64_t last_seen_us = 0;
    int64_t first_unanswered_us = -1;
    int64_t last_unanswered_us = -1;
    uint32_t unanswered = 0;
    std::set<std::string> clients;  // of the unanswered requests, up to kMaxServerClients
    bool reported = false;
  };
  // The phone with this MAC (created if new and within bounds); nullptr when full.
  Phone* phone_by_mac(const std::string& mac, int64_t time_us);
  // The phone a download belongs to: by its file's name, else its client address.
  Phone* phone_for(const std::string& file, const std::string& client_ip, int64_t time_us);
  void enter(Phone& phone, domain::BootStage stage, int64_t time_us);
  void new_boot(Phone& phone, int64_t time_us);
  void registered(Phone& phone, int64_t time_us);
  // The phone is now at ip: the address map follows it.
  void moved(Phone& phone, const std::string& ip);
  Server* server_at(const std::string& address, int64_t time_us);
  // What a stall names: the file it loops on or could not get, how often, the CM it tried.
  struct StallEvidence {
    std::string detail;
    std::string file;
    uint32_t fetches = 0;
    std::string cm_address;
  };
  // boot_stalled by rule, once per rule between registrations.
  void stalled(Phone& phone, const domain::BootRule& rule, const StallEvidence& evidence,
               int64_t time_us);
  void check_rules(Phone& phone, const Transfer& transfer, uint32_t whole, int64_t time_us);
  void server_unanswered(const Transfer& transfer, int64_t time_us);
  void report_silent(const std::string& address, Server& server, int64_t time_us);
  regwatch::v1::Event file_event(const Transfer& transfer, const Phone* phone, uint32_t attempt,
                                 int64_t end_us) const;

  BootSettings settings_;
  capture::EventSink sink_;
  std::unordered_map<std::string, Phone> phones_;           // by MAC
  std::unordered_map<std::string, std::string> mac_at_ip_;  // the latest phone at an address
  std::map<std::string, Server> servers_;                   // TFTP/HTTP servers by address
  size_t config_bytes_held_ = 0;
  int64_t next_scan_us_ = 0;
  BootStats stats_;
};

}  // namespace regwatch::agent::boot
