#include "common/reports/event_summary.h"

#include <sstream>

namespace regwatch::reports {
namespace {

std::string shorten(std::string text, size_t max = 80) {
  for (auto& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > max) text = text.substr(0, max - 3) + "...";
  return text;
}

}  // namespace

std::string event_device(const regwatch::v1::Event& e) {
  if (e.has_phone()) return e.phone().device_name();
  if (e.has_interface()) return e.interface().interface();
  if (e.has_interface_counters()) return e.interface_counters().interface();
  // The boot chain's: the phone when known, else the client as the wire showed it.
  if (e.has_dhcp()) {
    return e.dhcp().device_name().empty() ? e.dhcp().client_mac() : e.dhcp().device_name();
  }
  if (e.has_boot_file()) {
    return e.boot_file().device_name().empty() ? e.boot_file().client_ip()
                                               : e.boot_file().device_name();
  }
  if (e.has_tftp_server()) return e.tftp_server().server();
  return {};
}

std::string event_reason(const regwatch::v1::Event& e) {
  // The phone's own trust failure has no CUCM code: its alarm says which one it was.
  if (e.kind() == regwatch::v1::PHONE_AUTH_FAILED) return e.phone().alarm();
  // A boot stall's reason is its rule (common/boot_rules.h); a failed download's, how it failed.
  if (e.kind() == regwatch::v1::BOOT_STALLED) return e.phone().boot().rule();
  if (e.kind() == regwatch::v1::BOOT_FILE_FAILED) return e.boot_file().failure();
  if (!e.has_phone()) return {};
  const auto& p = e.phone();
  // A SIP rejection seen on the wire: its final status and the Warning / Reason text with it.
  if (!p.has_reason_code() && p.sip_status() != 0) {
    const std::string status = std::to_string(p.sip_status());
    if (p.reason().empty()) return "SIP " + status;
    return "SIP " + (p.reason().starts_with(status) ? p.reason() : status + " " + p.reason());
  }
  if (!p.has_reason_code()) return {};
  return std::to_string(p.reason_code()) + (p.reason().empty() ? "" : " " + p.reason());
}

std::string event_detail(const regwatch::v1::Event& e) {
  std::ostringstream out;
  switch (e.payload_case()) {
    case regwatch::v1::Event::kPhone:
      if (e.kind() == regwatch::v1::PHONE_AUTH_FAILED) {  // in words: what it could not trust
        out << e.phone().reason();
        break;
      }
      if (e.kind() == regwatch::v1::BOOT_STALLED) {  // where it is stuck, and the agent's words
        const auto& b = e.phone().boot();
        out << "stuck at " << b.stage();
        if (!b.tftp_server().empty()) out << " from " << b.tftp_server();
        // The numbers first: the agent's explanation repeats the device and the rule's words.
        if (!b.file().empty() && b.fetches() > 0) {
          out << ": " << b.file() << " fetched " << b.fetches() << "x";
        } else if (!b.explanation().empty()) {
          out << ": " << b.explanation();
        }
        break;
      }
      if (e.kind() == regwatch::v1::PHONE_FIRMWARE_CHANGED) {  // from which load to which
        const std::string& from = e.phone().previous_load_name();
        out << "firmware " << (from.empty() ? std::string("?") : from) << " -> "
            << e.phone().load_name();
        break;
      }
      out << e.phone().ip() << " " << e.phone().protocol();
      if (!e.phone().transport().empty()) out << "/" << e.phone().transport();
      if (!e.phone().cm_node().empty()) out << " on " << e.phone().cm_node();
      if (!e.phone().via_proxy().empty()) out << " via " << e.phone().via_proxy();
      if (!e.phone().description().empty()) out << " \"" << e.phone().description() << "\"";
      if (!e.phone().closed_by().empty()) out << ", closed by " << e.phone().closed_by();
      if (e.phone().silent_for_ms() > 0)
        out << ", silent " << e.phone().silent_for_ms() / 1000.0 << " s";
      // The phone's own account of its previous loss (Cisco's Reason header) before the rest:
      // the line is cut at 80 characters, the JSON has every field.
      if (!e.phone().last_loss().empty()) out << ", Last=" << e.phone().last_loss();
      // A SIP phone's keepalive is its REGISTER refresh, at the Expires the registrar granted.
      if (e.phone().keepalive_interval_s() > 0) {
        out << (e.source() == regwatch::v1::SOURCE_SIP ? ", Expires " : ", keepalive ")
            << e.phone().keepalive_interval_s() << " s";
      }
      if (!e.phone().load_name().empty()) out << ", load " << e.phone().load_name();
      break;
    case regwatch::v1::Event::kInterface:
      out << e.interface().state();
      if (!e.interface().cause().empty()) out << " (" << e.interface().cause() << ")";
      break;
    case regwatch::v1::Event::kRtmtAlert:
      out << e.rtmt_alert().alert_name();
      if (e.rtmt_alert().value() != 0) out << " " << e.rtmt_alert().value() << "%";
      if (!e.rtmt_alert().node().empty()) out << " on " << e.rtmt_alert().node();
      break;
    case regwatch::v1::Event::kHeartbeat:
      out << e.heartbeat().service() << " heartbeat " << e.heartbeat().rate_per_minute() << "/min";
      if (e.heartbeat().threshold_per_minute() > 0)
        out << " (below " << e.heartbeat().threshold_per_minute() << ")";
      break;
    case regwatch::v1::Event::kAgentDrops:
      out << e.agent_drops().dropped() << " dropped (" << e.agent_drops().reason() << ", "
          << e.agent_drops().policy() << "), " << e.agent_drops().dropped_total() << " in total";
      break;
    case regwatch::v1::Event::kMacFlap:
      out << e.mac_flap().mac() << " vlan " << e.mac_flap().vlan() << " "
          << e.mac_flap().from_port() << " <-> " << e.mac_flap().to_port();
      break;
    case regwatch::v1::Event::kStackMember: out << "member " << e.stack_member().member(); break;
    case regwatch::v1::Event::kNativeVlanMismatch:
      out << e.native_vlan_mismatch().local_interface() << " vlan "
          << e.native_vlan_mismatch().local_vlan() << " vs "
          << e.native_vlan_mismatch().remote_vlan();
      break;
    case regwatch::v1::Event::kCpu:
      out << "CPU " << e.cpu().percent() << "% (busiest ";
      // A stack's or SVL pair's busy member by name; a lone CPU needs none.
      if (e.cpu().members_size() > 1 && !e.cpu().busiest().empty()) out << e.cpu().busiest() << " ";
      out << e.cpu().max_percent() << "%, " << e.cpu().cpus() << " CPUs)";
      if (e.cpu().peak_percent() > 0) out << ", peak " << e.cpu().peak_percent() << "%";
      break;
    case regwatch::v1::Event::kInterfaceCounters: {
      const auto& c = e.interface_counters();
      out << "errors in " << c.in_errors() << " out " << c.out_errors() << " fcs " << c.fcs_errors()
          << ", discards " << c.in_discards() + c.out_discards() << " in " << c.interval_s()
          << " s";
      break;
    }
    case regwatch::v1::Event::kRegisteredPhones:
      out << e.registered_phones().registered() << " registered (" << std::showpos
          << e.registered_phones().change_from_previous() << std::noshowpos << "), "
          << e.registered_phones().unregistered() << " unregistered, "
          << e.registered_phones().rejected() << " rejected";
      break;
    case regwatch::v1::Event::kKeepaliveLatency: {
      const auto& l = e.keepalive_latency();
      // What was timed: SCCP's KeepAlive to its ack, SIP's REGISTER to its final answer.
      out << (e.source() == regwatch::v1::SOURCE_SIP ? "REGISTER answer" : "KeepAliveAck")
          << " p50 " << l.p50_ms() << " ms, p90 " << l.p90_ms() << " ms, max " << l.max_ms()
          << " ms; " << l.slow_phones() << " of " << l.phones() << " phones slow, "
          << l.unanswered() << " unanswered";
      break;
    }
    case regwatch::v1::Event::kPollFailure:
      out << "poll of " << e.poll_failure().target() << " failed " << e.poll_failure().consecutive()
          << "x: " << e.poll_failure().error();
      break;
    case regwatch::v1::Event::kSnmpDataMissing: {
      const auto& m = e.snmp_data_missing();
      if (m.resolved()) {
        out << m.role() << " target has " << m.missing() << " again";
      } else {
        out << m.role() << " target lacks " << m.missing() << " (" << m.answer()
            << "); fix: " << m.fix();
      }
      break;
    }
    case regwatch::v1::Event::kDhcp: {
      const auto& d = e.dhcp();
      if (e.kind() == regwatch::v1::DHCP_UNANSWERED) {
        out << d.discovers() << " DISCOVERs unanswered";
      } else if (e.kind() == regwatch::v1::DHCP_NAK) {
        out << "NAK of " << d.requested_ip() << " from " << d.server();
        if (!d.server_message().empty()) out << ": " << d.server_message();
      } else {
        out << d.leased_ip() << " from " << d.server() << ", TFTP ";
        std::string tftp;
        for (const auto& server : d.tftp_servers()) tftp += (tftp.empty() ? "" : ",") + server;
        if (tftp.empty()) tftp = d.tftp_server_name();
        out << (tftp.empty() ? "none (no option 150/66)" : tftp);
      }
      if (d.vlan()) out << ", vlan " << d.vlan();
      break;
    }
    case regwatch::v1::Event::kBootFile: {
      const auto& f = e.boot_file();
      out << f.file() << " from " << f.server() << " (" << f.protocol();
      if (e.kind() == regwatch::v1::BOOT_FILE_FAILED) {
        out << "): " << f.failure();
        if (!f.error_text().empty()) out << " \"" << f.error_text() << "\"";
      } else {
        out << ", " << f.bytes() << " bytes, " << f.duration_ms() << " ms)";
      }
      if (f.attempt() > 1) out << ", attempt " << f.attempt();
      break;
    }
    case regwatch::v1::Event::kTftpServer: {
      const auto& t = e.tftp_server();
      if (t.resolved()) {
        out << "TFTP server " << t.server() << " answers again";
      } else {
        out << "TFTP server " << t.server() << " not answering: " << t.unanswered_requests()
            << " requests from " << t.phones() << " phones";
      }
      break;
    }
    default: out << e.syslog().text();
  }
  return shorten(out.str());
}

}  // namespace regwatch::reports
