#include "agent/boot/boot_tracker.h"

#include <algorithm>
#include <utility>

#include "common/device_name.h"
#include "common/event_kind.h"
#include "common/proto_utf8.h"
#include "common/time_format.h"

namespace regwatch::agent::boot {
namespace {

using domain::BootFileKind;
using domain::BootStage;
using regwatch::v1::Event;

constexpr int64_t kSecond = 1'000'000;
// Two downloads a phone asked for in vain: its server is not answering it (one may be a lost
// packet the phone's own retry would have covered).
constexpr uint32_t kUnansweredForStall = 2;
// Timed rules are checked once a second of packet time, not per packet.
constexpr int64_t kScanEveryUs = kSecond;
// Whole downloads of one file count towards a loop within this long of the first: a looping
// phone fetches every minute or two; a registered phone's apply-configs are hours apart.
constexpr int64_t kLoopWindowUs = int64_t{30} * 60 * kSecond;
// A silent server's report names how many phones asked it, counting up to this many.
constexpr size_t kMaxServerClients = 1000;

bool is_config(BootFileKind kind) {
  return kind == BootFileKind::kConfig || kind == BootFileKind::kConfigSigned ||
         kind == BootFileKind::kConfigEncrypted;
}

bool is_firmware(BootFileKind kind) {
  return kind == BootFileKind::kFirmwareLoad || kind == BootFileKind::kFirmwareImage;
}

BootStage stage_of(BootFileKind kind) {
  switch (kind) {
    case BootFileKind::kCtl:
    case BootFileKind::kItl: return BootStage::kTrustList;
    case BootFileKind::kFirmwareLoad:
    case BootFileKind::kFirmwareImage: return BootStage::kFirmware;
    default: return BootStage::kConfig;
  }
}

// "10.1.1.10:2000" -> "10.1.1.10"; "[::1]:2000" -> "::1".
std::string host_of(const std::string& address) {
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || address.find(':') != colon) return address;
  return address.substr(0, colon);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

BootTracker::BootTracker(const BootSettings& settings, capture::EventSink sink)
    : settings_(settings), sink_(std::move(sink)) {}

void BootTracker::emit(Event event) {
  event.set_source(regwatch::v1::SOURCE_BOOT);
  if (!make_strings_utf8(event)) ++stats_.anomalies["boot_invalid_utf8"];
  ++stats_.events_by_kind[kind_name(event.kind())];
  sink_(std::move(event));
}

bool BootTracker::take_config_bytes(size_t n) {
  if (config_bytes_held_ + n > settings_.max_config_bytes_total) {
    ++stats_.anomalies["config_budget_full"];
    return false;
  }
  config_bytes_held_ += n;
  return true;
}

BootTracker::Phone* BootTracker::phone_by_mac(const std::string& mac, int64_t time_us) {
  if (mac.empty()) return nullptr;
  auto found = phones_.find(mac);
  if (found == phones_.end()) {
    if (phones_.size() >= settings_.max_clients) {
      ++stats_.anomalies["boot_clients_full"];
      return nullptr;
    }
    found = phones_.emplace(mac, Phone{}).first;
    found->second.mac = mac;
    found->second.stage_since_us = time_us;
  }
  found->second.last_seen_us = time_us;
  return &found->second;
}

BootTracker::Phone* BootTracker::phone_for(const std::string& file, const std::string& client_ip,
                                           int64_t time_us) {
  const std::string named = domain::device_name_in_boot_file(file);
  if (!named.empty()) {
    Phone* phone = phone_by_mac(mac_from_device_name(named), time_us);
    if (phone) {
      phone->device_name = named;
      moved(*phone, client_ip);
    }
    return phone;
  }
  const auto at = mac_at_ip_.find(client_ip);
  return at == mac_at_ip_.end() ? nullptr : phone_by_mac(at->second, time_us);
}

void BootTracker::moved(Phone& phone, const std::string& ip) {
  if (ip.empty() || phone.ip == ip) return;
  // The old address is no longer this phone's (a spoofed source cannot grow the map either).
  if (const auto old = mac_at_ip_.find(phone.ip);
      old != mac_at_ip_.end() && old->second == phone.mac)
    mac_at_ip_.erase(old);
  phone.ip = ip;
  if (mac_at_ip_.size() >= settings_.max_clients && !mac_at_ip_.count(ip)) {
    ++stats_.anomalies["boot_addresses_full"];
    return;
  }
  mac_at_ip_[ip] = phone.mac;
}

void BootTracker::enter(Phone& phone, BootStage stage, int64_t time_us) {
  if (stage == phone.stage) return;
  phone.stage = stage;
  phone.stage_since_us = time_us;
}

void BootTracker::new_boot(Phone& phone, int64_t time_us) {
  phone.stage = BootStage::kDhcp;
  phone.stage_since_us = time_us;
  phone.registration_seen = false;
  phone.own_config_missing = false;
  phone.unanswered = 0;
  phone.waiting_since_us = -1;
}

void BootTracker::registered(Phone& phone, int64_t time_us) {
  new_boot(phone, time_us);
  enter(phone, BootStage::kRegistration, time_us);
  phone.registration_seen = true;
  phone.fetches.clear();
  phone.attempts.clear();
  phone.reported.clear();
}

void BootTracker::leased(const Lease& lease, bool renewal, int64_t time_us) {
  Phone* phone = phone_by_mac(lease.mac, time_us);
  if (!phone) return;
  if (!lease.device_name.empty()) phone->device_name = lease.device_name;
  phone->cisco_phone = phone->cisco_phone || lease.cisco_phone;
  moved(*phone, lease.ip);
  if (renewal) return;  // the same boot goes on
  new_boot(*phone, time_us);
  phone->vlan = lease.vlan;
  phone->tftp_servers = lease.tftp_servers;
  if (phone->cisco_phone && lease.tftp_servers.empty() && lease.tftp_server_name.empty())
    phone->waiting_since_us = time_us;
}

void BootTracker::dhcp_unanswered(const std::string& mac, const std::string& device_name,
                                  uint16_t vlan, int64_t since_us, int64_t time_us) {
  Phone* phone = phone_by_mac(mac, time_us);
  if (!phone || device_name.empty()) return;
  phone->device_name = device_name;
  phone->vlan = vlan;
  enter(*phone, BootStage::kDhcp, since_us);
  const domain::BootRule* rule = domain::find_boot_rule("dhcp_unanswered");
  stalled(*phone, *rule,
          {"DISCOVERs since " + format_rfc3339_ms(since_us) + " got no OFFER from any server", "",
           0, ""},
          time_us);
}

void BootTracker::requested(const std::string& file, const std::string& client_ip,
                            int64_t time_us) {
  Phone* phone = phone_for(file, client_ip, time_us);
  if (!phone) return;
  phone->waiting_since_us = -1;
  const BootFileKind kind = domain::classify_boot_file(file);
  if (!domain::boot_file_matters(kind)) return;
  // Files come in the chain's order; a later stage is never left for an earlier one within
  // an episode except by a new boot (a lease), so only moves forward count.
  const BootStage stage = stage_of(kind);
  if (stage > phone->stage) enter(*phone, stage, time_us);
}

BootTracker::Server* BootTracker::server_at(const std::string& address, int64_t time_us) {
  auto found = servers_.find(address);
  if (found == servers_.end()) {
    if (servers_.size() >= settings_.max_clients) {
      ++stats_.anomalies["boot_servers_full"];
      return nullptr;
    }
    found = servers_.emplace(address, Server{}).first;
  }
  found->second.last_seen_us = time_us;
  return &found->second;
}

void BootTracker::server_answered(const std::string& server_ip, int64_t time_us) {
  Server* server = server_at(server_ip, time_us);
  if (!server) return;
  server->last_answer_us = time_us;
  if (server->reported) {
    Event e;
    e.set_kind(regwatch::v1::TFTP_SERVER_UNANSWERED);
    e.set_event_time_us(time_us);
    e.set_origin(server_ip);
    auto* s = e.mutable_tftp_server();
    s->set_server(server_ip);
    s->set_unanswered_requests(server->unanswered);
    s->set_phones(static_cast<uint32_t>(server->clients.size()));
    s->set_since_us(server->first_unanswered_us);
    s->set_resolved(true);
    s->set_last_answer_us(time_us);
    emit(std::move(e));
  }
  server->reported = false;
  server->unanswered = 0;
  server->first_unanswered_us = server->last_unanswered_us = -1;
  server->clients.clear();
}

void BootTracker::server_unanswered(const Transfer& transfer, int64_t time_us) {
  Server* server = server_at(transfer.server_ip, time_us);
  if (!server) return;
  if (server->first_unanswered_us < 0) server->first_unanswered_us = transfer.start_us;
  server->last_unanswered_us = std::max(server->last_unanswered_us, time_us);
  ++server->unanswered;
  if (server->clients.size() < kMaxServerClients) server->clients.insert(transfer.client_ip);
  report_silent(transfer.server_ip, *server, time_us);
}

void BootTracker::report_silent(const std::string& address, Server& server, int64_t time_us) {
  const int64_t silent_at_us =
      server.first_unanswered_us + int64_t{settings_.server_silence_s} * kSecond;
  if (server.reported || server.first_unanswered_us < 0 ||
      server.unanswered < kUnansweredForStall || time_us < silent_at_us)
    return;
  server.reported = true;
  Event e;
  e.set_kind(regwatch::v1::TFTP_SERVER_UNANSWERED);
  // Silent since the bound ran out, and known so at the last request it left unanswered.
  e.set_event_time_us(std::max(silent_at_us, server.last_unanswered_us));
  e.set_origin(address);
  auto* s = e.mutable_tftp_server();
  s->set_server(address);
  s->set_unanswered_requests(server.unanswered);
  s->set_phones(static_cast<uint32_t>(server.clients.size()));
  s->set_since_us(server.first_unanswered_us);
  s->set_last_answer_us(server.last_answer_us);
  emit(std::move(e));
}

Event BootTracker::file_event(const Transfer& transfer, const Phone* phone, uint32_t attempt,
                              int64_t end_us) const {
  Event e;
  e.set_kind(transfer.failure.empty() ? regwatch::v1::BOOT_FILE_FETCHED
                                      : regwatch::v1::BOOT_FILE_FAILED);
  e.set_event_time_us(end_us);
  e.set_origin(transfer.server_ip);
  auto* f = e.mutable_boot_file();
  f->set_file(transfer.file);
  f->set_file_kind(std::string(domain::boot_file_kind_name(transfer.kind)));
  if (phone) {
    f->set_device_name(phone->device_name);
    f->set_mac(phone->mac);
  }
  f->set_client_ip(transfer.client_ip);
  f->set_server(transfer.server_ip);
  f->set_protocol(transfer.protocol);
  f->set_bytes(transfer.bytes);
  f->set_duration_ms((end_us - transfer.start_us) / 1000);
  f->set_retransmissions(transfer.retransmissions);
  f->set_failure(transfer.failure);
  f->set_error_code(transfer.error_code);
  f->set_error_text(transfer.error_text);
  f->set_vlan(transfer.vlan);
  f->set_attempt(attempt);
  if (transfer.config) {
    for (const auto& member : transfer.config->cm_group) f->add_cm_group(member);
    f->set_security_mode(transfer.config->security_mode);
    f->set_load_name(transfer.config->load_name);
  }
  return e;
}

void BootTracker::finished(Transfer transfer, int64_t end_us) {
  const std::string kind_text(domain::boot_file_kind_name(transfer.kind));
  if (transfer.failure.empty()) {
    ++stats_.files_fetched[kind_text];
  } else {
    ++stats_.files_failed[transfer.failure];
  }
  if (transfer.failure == "no_answer") server_unanswered(transfer, end_us);
  Phone* phone = phone_for(transfer.file, transfer.client_ip, end_us);
  uint32_t attempt = 1, whole = 0;
  if (phone) {
    attempt = ++phone->attempts[transfer.file];
    phone->last_server = transfer.server_ip;
    if (transfer.failure.empty()) {
      Fetches& f = phone->fetches[transfer.file];
      if (f.whole == 0 || end_us - f.window_start_us > kLoopWindowUs) f = {0, end_us};
      whole = ++f.whole;
    }
    phone->unanswered = transfer.failure == "no_answer" ? phone->unanswered + 1 : 0;
  }
  if (domain::boot_file_matters(transfer.kind)) emit(file_event(transfer, phone, attempt, end_us));
  if (!phone) return;
  if (transfer.failure.empty()) {
    if (transfer.config) {
      phone->cm_group = transfer.config->cm_group;
      phone->load_name = transfer.config->load_name;
    }
  } else if (transfer.failure == "not_found" && (transfer.kind == BootFileKind::kConfig ||
                                                 transfer.kind == BootFileKind::kConfigSigned)) {
    phone->own_config_missing = true;
  }
  check_rules(*phone, transfer, whole, end_us);
}

void BootTracker::check_rules(Phone& phone, const Transfer& transfer, uint32_t whole,
                              int64_t time_us) {
  if (transfer.failure == "no_answer" && phone.unanswered >= kUnansweredForStall) {
    stalled(phone, *domain::find_boot_rule("tftp_unanswered"),
            {std::to_string(phone.unanswered) + " requests to " + transfer.server_ip +
                 " unanswered (last: " + transfer.file + ")",
             transfer.file, 0, ""},
            time_us);
    return;
  }
  if (!transfer.failure.empty()) return;
  if (transfer.kind == BootFileKind::kDefaultConfig && phone.own_config_missing) {
    stalled(phone, *domain::find_boot_rule("not_provisioned"),
            {"its own config was not found on " + transfer.server_ip + "; it fetched " +
                 transfer.file + " instead",
             transfer.file, whole, ""},
            time_us);
    return;
  }
  if (phone.registration_seen || whole < domain::kLoopFetches) return;
  const std::string fetched = transfer.file + " fetched " + std::to_string(whole) + " times from " +
                              transfer.server_ip + " since " +
                              format_rfc3339_ms(phone.fetches[transfer.file].window_start_us) +
                              ", never registered";
  if (is_config(transfer.kind)) {
    stalled(phone, *domain::find_boot_rule("config_loop"), {fetched, transfer.file, whole, ""},
            time_us);
  } else if (is_firmware(transfer.kind)) {
    stalled(
        phone, *domain::find_boot_rule("firmware_loop"),
        {fetched +
             (phone.load_name.empty() ? "" : " (its config names load " + phone.load_name + ")"),
         transfer.file, whole, ""},
        time_us);
  }
}

void BootTracker::stalled(Phone& phone, const domain::BootRule& rule, const StallEvidence& evidence,
                          int64_t time_us) {
  if (!phone.reported.insert(std::string(rule.name)).second) return;
  // The rule's stage is where the phone is stuck, whatever file it asked for last.
  enter(phone, rule.stage, time_us);
  Event e;
  e.set_kind(regwatch::v1::BOOT_STALLED);
  e.set_event_time_us(time_us);
  e.set_origin(phone.last_server.empty() ? phone.ip : phone.last_server);
  auto* p = e.mutable_phone();
  p->set_device_name(phone.device_name.empty() ? phone_device_name(phone.mac) : phone.device_name);
  p->set_mac(phone.mac);
  p->set_ip(phone.ip);
  p->set_vlan(phone.vlan);
  auto* b = p->mutable_boot();
  b->set_stage(std::string(domain::boot_stage_name(phone.stage)));
  b->set_rule(std::string(rule.name));
  b->set_stage_since_us(phone.stage_since_us);
  b->set_fetches(evidence.fetches);
  b->set_file(evidence.file);
  b->set_tftp_server(phone.last_server.empty() && !phone.tftp_servers.empty()
                         ? phone.tftp_servers.front()
                         : phone.last_server);
  for (const auto& member : phone.cm_group) b->add_cm_group(member);
  b->set_load_name(phone.load_name);
  if (!evidence.cm_address.empty()) {
    p->set_cm_address(evidence.cm_address);
    b->set_cm_address(evidence.cm_address);
  }
  b->set_explanation(p->device_name() + " " + std::string(rule.summary) + ": " + evidence.detail);
  b->set_remediation(std::string(rule.remediation));
  emit(std::move(e));
}

void BootTracker::observe(const Event& event) {
  const bool is_registered = event.kind() == regwatch::v1::PHONE_REGISTERED;
  const bool rejected = event.kind() == regwatch::v1::PHONE_REGISTRATION_FAILED;
  if ((!is_registered && !rejected) || !event.has_phone()) return;
  const auto& p = event.phone();
  const std::string mac = p.mac().empty() ? mac_from_device_name(p.device_name()) : p.mac();
  const auto found = phones_.find(mac);
  if (found == phones_.end()) return;  // registered without a boot we saw: nothing to follow
  Phone& phone = found->second;
  phone.last_seen_us = event.event_time_us();
  if (is_registered) {
    registered(phone, event.event_time_us());  // out of the boot chain
    return;
  }
  phone.registration_seen = true;
  phone.waiting_since_us = -1;
  enter(phone, BootStage::kRegistration, event.event_time_us());
  const std::string cm = host_of(p.cm_address().empty() ? p.cm_node() : p.cm_address());
  if (phone.cm_group.empty() || cm.empty() ||
      std::find(phone.cm_group.begin(), phone.cm_group.end(), cm) != phone.cm_group.end())
    return;
  if (phone.device_name.empty()) phone.device_name = p.device_name();
  const bool is_tftp = cm == phone.last_server;
  stalled(phone, *domain::find_boot_rule("wrong_cm_group"),
          {"rejected by " + cm + (is_tftp ? " (its TFTP server)" : "") +
               "; its config's CM group is " + joined(phone.cm_group),
           "", 0, cm},
          event.event_time_us());
}

void BootTracker::advance(int64_t time_us) {
  // A packet far in the past of the last scan (a capture's clock stepped back) re-arms the scan
  // instead of freezing the timers until time catches up.
  if (time_us < next_scan_us_ && next_scan_us_ - time_us <= kScanEveryUs) return;
  next_scan_us_ = time_us + kScanEveryUs;
  const int64_t grace_us = int64_t{settings_.no_tftp_grace_s} * kSecond;
  const int64_t idle_us = int64_t{settings_.client_idle_s} * kSecond;
  const domain::BootRule* no_option = domain::find_boot_rule("no_tftp_option");
  for (auto it = phones_.begin(); it != phones_.end();) {
    Phone& phone = it->second;
    if (phone.waiting_since_us >= 0 && time_us - phone.waiting_since_us >= grace_us) {
      // Stamped when the grace ran out, not when the scan noticed.
      const int64_t at_us = phone.waiting_since_us + grace_us;
      phone.waiting_since_us = -1;
      stalled(phone, *no_option,
              {"leased " + phone.ip + " without option 150 or 66, and asked for no file in " +
                   std::to_string(settings_.no_tftp_grace_s) + " s",
               "", 0, ""},
              at_us);
    }
    if (time_us - phone.last_seen_us > idle_us) {
      if (const auto at = mac_at_ip_.find(phone.ip);
          at != mac_at_ip_.end() && at->second == phone.mac)
        mac_at_ip_.erase(at);
      it = phones_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = servers_.begin(); it != servers_.end();) {
    report_silent(it->first, it->second, time_us);
    if (time_us - it->second.last_seen_us > idle_us && !it->second.reported) {
      it = servers_.erase(it);
    } else {
      ++it;
    }
  }
  stats_.clients = phones_.size();
}

}  // namespace regwatch::agent::boot
