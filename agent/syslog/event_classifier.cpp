#include "agent/syslog/event_classifier.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "agent/syslog/cucm_service_alarms.h"
#include "agent/syslog/interface_names.h"
#include "agent/syslog/phone_trust_lines.h"
#include "agent/syslog/switch_cpu_lines.h"
#include "common/ascii_case.h"
#include "common/device_name.h"
#include "common/domain_tables.h"

namespace regwatch::agent::syslog {
namespace {

using regwatch::v1::Event;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool icontains(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char x, char y) {
                       return std::tolower(static_cast<unsigned char>(x)) ==
                              std::tolower(static_cast<unsigned char>(y));
                     }) != haystack.end();
}

template <typename T>
bool to_number(std::string_view text, T& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end != text.data();
}

// The text between `before` and the next `after` (e.g. "Interface ", ",").
std::string_view between(std::string_view text, std::string_view before, std::string_view after) {
  size_t start = text.find(before);
  if (start == std::string_view::npos) return {};
  start += before.size();
  size_t end = text.find(after, start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// The last number followed by "%" in the text ("... CPU 100 %" -> 100).
bool last_percentage(std::string_view text, double& value) {
  for (size_t p = text.rfind('%'); p != std::string_view::npos && p > 0;
       p = text.rfind('%', p - 1)) {
    size_t end = p;
    while (end > 0 && text[end - 1] == ' ') --end;
    size_t begin = end;
    while (begin > 0 &&
           (std::isdigit(static_cast<unsigned char>(text[begin - 1])) || text[begin - 1] == '.'))
      --begin;
    if (begin < end && to_number(text.substr(begin, end - begin), value)) return true;
    if (p == 0) break;
  }
  return false;
}

void classify_phone(regwatch::v1::EventKind kind, const MessageParts& m, Event& event) {
  event.set_kind(kind);
  const Tags labelled = m.tags.empty() ? parse_labelled_body(m.text) : Tags{};
  const Tags& tags = m.tags.empty() ? labelled : m.tags;
  auto* phone = event.mutable_phone();
  phone->set_device_name(std::string(tag_value(tags, "DeviceName")));
  std::string mac = mac_from_device_name(phone->device_name());
  if (mac.empty()) mac = std::string(tag_value(tags, "MACAddress"));
  phone->set_mac(mac);
  phone->set_ip(std::string(tag_value(tags, "IPAddress")));
  phone->set_protocol(std::string(tag_value(tags, "Protocol")));
  uint32_t device_type = 0;
  if (to_number(tag_value(tags, "DeviceType"), device_type)) {
    phone->set_device_type(device_type);
    phone->set_device_type_name(
        std::string(domain::device_type_name(static_cast<int32_t>(device_type))));
  }
  phone->set_description(std::string(tag_value(tags, "Description")));
  phone->set_cm_node(std::string(tag_value(tags, "NodeID")));
  phone->set_cluster(std::string(tag_value(tags, "ClusterID")));
  int32_t reason = 0;
  if (to_number(tag_value(tags, "Reason"), reason)) {
    phone->set_reason_code(reason);
    phone->set_reason(std::string(kind == regwatch::v1::PHONE_REGISTRATION_FAILED
                                      ? domain::registration_failure_reason_name(reason)
                                      : domain::unregistration_reason_name(reason)));
  }
  phone->set_last_signal(std::string(tag_value(tags, "LastSignalReceived")));
  uint32_t port = 0;
  if (to_number(tag_value(tags, "ConnectingPort"), port)) phone->set_connecting_port(port);
  phone->set_alarm(std::string(m.mnemonic));
}

void classify_heartbeat(const MessageParts& m, std::string_view name, std::string_view detail,
                        Event& event) {
  event.set_kind(regwatch::v1::HEARTBEAT_LOW);
  auto* hb = event.mutable_heartbeat();
  double rate = 0, threshold = 0;
  if (to_number(between(detail, "heartbeat rate is ", " "), rate)) hb->set_rate_per_minute(rate);
  if (to_number(between(detail, " below ", " "), threshold))
    hb->set_threshold_per_minute(threshold);
  // LowCallManagerHeartbeatRate -> "CallManager"; LowTFTPServerHeartbeatRate -> "TFTPServer".
  std::string_view service = name;
  if (service.starts_with("Low")) service.remove_prefix(3);
  if (service.ends_with("HeartbeatRate")) service.remove_suffix(13);
  hb->set_service(std::string(service));
  hb->set_node(std::string(tag_value(m.tags, "NodeID")));
}

void classify_rtmt(const MessageParts& m, Event& event) {
  std::string_view name = tag_value(m.tags, "AlertName");
  std::string_view detail = tag_value(m.tags, "AlertDetail");
  if (detail.empty()) detail = m.text;
  if (name.empty()) name = between(m.text, "AlertName=", " ");
  if (icontains(name, "HeartbeatRate")) {
    classify_heartbeat(m, name, detail, event);
    return;
  }
  if (iequals(name, "CallProcessingNodeCpuPegging") || iequals(name, "CpuPegging")) {
    event.set_kind(regwatch::v1::CPU_PEGGING);
  } else if (icontains(name, "CodeYellow")) {
    event.set_kind(regwatch::v1::CODE_YELLOW);
  } else {
    event.set_kind(regwatch::v1::RTMT_ALERT);
  }
  auto* alert = event.mutable_rtmt_alert();
  alert->set_alert_name(std::string(name));
  alert->set_detail(std::string(detail));
  std::string_view node = tag_value(m.tags, "NodeID");
  if (node.empty()) node = tag_value(m.tags, "NodeName");
  alert->set_node(std::string(node));
  alert->set_cluster(std::string(tag_value(m.tags, "ClusterID")));
  double value = 0;
  if (last_percentage(detail, value)) alert->set_value(value);
}

// IOS %LINK-3-UPDOWN / %LINEPROTO-5-UPDOWN / %LINK-5-CHANGED and IOS-XR's
// %PKT_INFRA-LINK-3-UPDOWN / %PKT_INFRA-LINEPROTO-5-UPDOWN: "[Line protocol on] Interface X,
// changed state to up|down|administratively down [from 10.0.0.1]". IOS-XR writes "Up"/"Down":
// the state is stored in lower case so both read alike.
void classify_link(const MessageParts& m, bool line_protocol, Event& event) {
  std::string_view interface = between(m.text, "Interface ", ",");
  std::string_view state = between(m.text, "changed state to ", "\n");
  state = state.substr(0, state.find(" from "));  // "... administratively down from 10.0.0.1"
  while (!state.empty() && (state.back() == ' ' || state.back() == '.')) state.remove_suffix(1);
  if (interface.empty() || state.empty()) return;
  const std::string lower_state = ascii_lower(state);
  event.set_kind(lower_state == "up" ? regwatch::v1::LINK_UP : regwatch::v1::LINK_DOWN);
  auto* iface = event.mutable_interface();
  iface->set_interface(std::string(interface));
  iface->set_state(lower_state);
  iface->set_line_protocol(line_protocol);
}

// NX-OS %ETHPORT-5-IF_DOWN_<WHY> ("Interface Ethernet1/33 is down (Link failure)",
// IF_DOWN_ERROR_DISABLED, IF_DOWN_ADMIN_DOWN, IF_DOWN_CFG_CHANGE, ...) and %ETHPORT-5-IF_UP
// ("Interface Ethernet1/33 is up in mode trunk"). The cause is the text in parentheses.
void classify_nxos_ethport(const MessageParts& m, Event& event) {
  const bool down = m.mnemonic.size() >= 7 && iequals(m.mnemonic.substr(0, 7), "IF_DOWN");
  if (!down && !iequals(m.mnemonic, "IF_UP")) return;
  std::string_view name = between(m.text, "Interface ", " ");
  while (!name.empty() && (name.back() == ',' || name.back() == ':')) name.remove_suffix(1);
  if (name.empty()) return;
  event.set_kind(down ? regwatch::v1::LINK_DOWN : regwatch::v1::LINK_UP);
  auto* iface = event.mutable_interface();
  iface->set_interface(std::string(name));
  const bool admin = iequals(m.mnemonic, "IF_DOWN_ADMIN_DOWN");
  iface->set_state(down ? (admin ? "administratively down" : "down") : "up");
  if (down) {
    const size_t open = m.text.find('(');
    const size_t close = m.text.rfind(')');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open)
      iface->set_cause(std::string(m.text.substr(open + 1, close - open - 1)));
  }
}

// "LINK" / "LINEPROTO" on IOS, "PKT_INFRA-LINK" / "PKT_INFRA-LINEPROTO" on IOS-XR.
bool is_link_app(std::string_view app, std::string_view name) {
  if (app.starts_with("PKT_INFRA-") || app.starts_with("pkt_infra-")) app.remove_prefix(10);
  return iequals(app, name);
}

void classify_ilpower(const MessageParts& m, Event& event) {
  const std::string_view mn = m.mnemonic;
  regwatch::v1::EventKind kind = regwatch::v1::SYSLOG_OTHER;
  if (icontains(mn, "DISCONNECT") || icontains(m.text, "PD removed")) {
    kind = regwatch::v1::POE_REMOVED;
  } else if (icontains(mn, "DENY") || icontains(mn, "DENIED") || icontains(mn, "FAULT") ||
             icontains(mn, "OVERDRAWN") || icontains(mn, "ERR") || icontains(mn, "SHUT")) {
    kind = regwatch::v1::POE_FAULT;
  }
  if (kind == regwatch::v1::SYSLOG_OTHER) return;
  event.set_kind(kind);
  auto* iface = event.mutable_interface();
  std::string_view name = between(m.text, "Interface ", ":");
  if (name.empty()) name = between(m.text, "interface ", " ");
  iface->set_interface(std::string(name));
  iface->set_cause(std::string(m.text.substr(0, 200)));
}

}  // namespace

void classify_message(const MessageParts& m, Event& event) {
  event.set_kind(regwatch::v1::SYSLOG_OTHER);
  const std::string_view mn = m.mnemonic;
  if (iequals(mn, "EndPointUnregistered") || iequals(mn, "DeviceUnregistered")) {
    classify_phone(regwatch::v1::PHONE_UNREGISTERED, m, event);
  } else if (iequals(mn, "EndPointRegistered") || iequals(mn, "DeviceRegistered")) {
    classify_phone(regwatch::v1::PHONE_REGISTERED, m, event);
  } else if (iequals(mn, "EndPointTransientConnection") ||
             iequals(mn, "DeviceTransientConnection")) {
    classify_phone(regwatch::v1::PHONE_REGISTRATION_FAILED, m, event);
  } else if (iequals(mn, "RTMT_ALERT") || iequals(m.app, "UC_RTMT")) {
    classify_rtmt(m, event);
  } else if (icontains(mn, "HeartbeatRate")) {
    classify_heartbeat(m, mn, m.text, event);
  } else if (iequals(mn, "CodeYellowEntry")) {
    event.set_kind(regwatch::v1::CODE_YELLOW);
    auto* alert = event.mutable_rtmt_alert();
    alert->set_alert_name(std::string(mn));
    alert->set_detail(std::string(m.text));
    alert->set_node(std::string(tag_value(m.tags, "NodeID")));
    alert->set_cluster(std::string(tag_value(m.tags, "ClusterID")));
  } else if ((is_link_app(m.app, "LINK") || is_link_app(m.app, "LINEPROTO")) &&
             iequals(mn, "UPDOWN")) {
    classify_link(m, is_link_app(m.app, "LINEPROTO"), event);
  } else if (iequals(m.app, "ETHPORT")) {
    classify_nxos_ethport(m, event);
  } else if (classify_switch_cpu_line(mn, m.text, event) ||
             classify_cucm_service_alarm(mn, m.tags, m.text, event)) {
    // Typed by the helper: a switch's CPU threshold line or a CUCM service / reset alarm.
  } else if (iequals(m.app, "LINK") && iequals(mn, "CHANGED")) {
    classify_link(m, false, event);
  } else if (iequals(m.app, "PM") && iequals(mn, "ERR_DISABLE")) {
    event.set_kind(regwatch::v1::ERR_DISABLED);
    auto* iface = event.mutable_interface();
    std::string_view cause = m.text.substr(0, m.text.find(" error detected"));
    iface->set_cause(std::string(cause.size() == m.text.size() ? std::string_view() : cause));
    std::string_view name = between(m.text, "detected on ", ",");
    iface->set_interface(std::string(name));
    iface->set_state("err-disabled");
  } else if (iequals(m.app, "ILPOWER")) {
    classify_ilpower(m, event);
  } else if (iequals(m.app, "STACKMGR") && icontains(mn, "SWITCH_REMOVED")) {
    event.set_kind(regwatch::v1::STACK_MEMBER_REMOVED);
    auto* stack = event.mutable_stack_member();
    uint32_t member = 0;
    if (to_number(between(m.text, "Switch ", " "), member)) stack->set_member(member);
  } else if (iequals(m.app, "SW_MATM") && iequals(mn, "MACFLAP_NOTIF")) {
    event.set_kind(regwatch::v1::MAC_FLAP);
    auto* flap = event.mutable_mac_flap();
    flap->set_mac(std::string(between(m.text, "Host ", " ")));
    uint32_t vlan = 0;
    if (to_number(between(m.text, " vlan ", " "), vlan)) flap->set_vlan(vlan);
    flap->set_from_port(std::string(between(m.text, "between port ", " ")));
    std::string_view to = between(m.text, " and port ", " ");
    while (!to.empty() && (to.back() == '.' || to.back() == ',')) to.remove_suffix(1);
    flap->set_to_port(std::string(to));
  } else if (iequals(m.app, "CDP") && iequals(mn, "NATIVE_VLAN_MISMATCH")) {
    event.set_kind(regwatch::v1::NATIVE_VLAN_MISMATCH);
    auto* mismatch = event.mutable_native_vlan_mismatch();
    mismatch->set_local_interface(std::string(between(m.text, "discovered on ", " ")));
    uint32_t vlan = 0;
    if (to_number(between(m.text, " (", ")"), vlan)) mismatch->set_local_vlan(vlan);
    std::string_view remote = between(m.text, "with ", ".");  // "Switch GigabitEthernet1/0/24 (1)"
    const size_t space = remote.find(' ');
    mismatch->set_remote_device(std::string(remote.substr(0, space)));
    if (space != std::string_view::npos) {
      std::string_view rest = remote.substr(space + 1);
      mismatch->set_remote_interface(std::string(rest.substr(0, rest.find(' '))));
      if (to_number(between(rest, "(", ")"), vlan)) mismatch->set_remote_vlan(vlan);
    }
  }
  // Nothing above knew it: it may be a phone telling why it refuses its config.
  if (event.kind() == regwatch::v1::SYSLOG_OTHER) classify_phone_trust_line(m.text, m.host, event);
  // Every line that names a port joins that port's timeline, typed or not: the typed payload's
  // name when there is one, else the first name in the text.
  std::string_view port =
      event.has_interface() ? std::string_view(event.interface().interface()) : std::string_view();
  if (port.empty()) port = find_interface_name(m.text);
  event.mutable_syslog()->set_interface(std::string(port));
}

}  // namespace regwatch::agent::syslog
