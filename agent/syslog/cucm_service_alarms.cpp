#include "agent/syslog/cucm_service_alarms.h"

#include <array>
#include <initializer_list>
#include <string>

#include "common/ascii_case.h"

namespace regwatch::agent::syslog {
namespace {

// Alarms an administrator's reset, restart or apply-config raises (lower case).
constexpr std::array<std::string_view, 5> kPlannedResets = {
    "endpointrestartinitiated", "deviceresetinitiated", "devicerestartinitiated",
    "deviceapplyconfiginitiated", "devicepoolreset"};

// The first tag of `keys` that is present; "" if none.
std::string_view first_tag(const Tags& tags, std::initializer_list<std::string_view> keys) {
  for (const std::string_view key : keys) {
    if (std::string_view value = tag_value(tags, key); !value.empty()) return value;
  }
  return {};
}

// Only the call processing service ("Cisco CallManager") unregisters phones when it stops;
// "Cisco CallManager Cisco IP Phone Services" and the like do not, so the name must match whole.
bool is_callmanager_service(std::string_view service) {
  return ascii_lower(service) == "cisco callmanager";
}

void fill_alert(std::string_view mnemonic, std::string_view detail, const Tags& tags,
                regwatch::v1::Event& event) {
  auto* alert = event.mutable_rtmt_alert();
  alert->set_alert_name(std::string(mnemonic));
  alert->set_detail(std::string(detail));
  alert->set_node(std::string(first_tag(tags, {"NodeID", "HostName", "HostNameOfHostingNode"})));
  alert->set_cluster(std::string(tag_value(tags, "ClusterID")));
}

}  // namespace

bool classify_cucm_service_alarm(std::string_view mnemonic, const Tags& tags, std::string_view text,
                                 regwatch::v1::Event& event) {
  const std::string name = ascii_lower(mnemonic);
  if (name == "callmanagerfailure") {
    event.set_kind(regwatch::v1::CM_FAILED);
    const std::string_view reason = first_tag(tags, {"Text", "Reason", "ReasonCode"});
    fill_alert(mnemonic, reason.empty() ? text : reason, tags, event);
    return true;
  }
  if (name == "servicestopped" || name == "servicestarted") {
    const std::string_view service = tag_value(tags, "ServiceName");
    if (!is_callmanager_service(service)) return false;
    event.set_kind(name == "servicestopped" ? regwatch::v1::CM_FAILED
                                            : regwatch::v1::DEVICE_RESTART);
    fill_alert(mnemonic, service, tags, event);
    return true;
  }
  for (const std::string_view planned : kPlannedResets) {
    if (name != planned) continue;
    event.set_kind(regwatch::v1::CM_DEVICE_RESET);
    std::string_view what = first_tag(tags, {"DeviceName", "DevicePoolName", "DevicePool"});
    fill_alert(mnemonic, what.empty() ? text : what, tags, event);
    return true;
  }
  return false;
}

}  // namespace regwatch::agent::syslog
