#include "collector/correlate/drop_rule.h"

#include "common/event_kind.h"
#include "common/provenance.h"

namespace regwatch::collector::correlate {
namespace {

// A rejected registration (phone_registration_failed) is a drop: the phone is not registered,
// and a storm of rejections is an incident like a storm of unregistrations. A phone refusing
// its signed config (phone_auth_failed) cannot register either: a drop of the security class.
// A phone stuck in its boot chain (boot_stalled) is not registered: a drop of its rule's class
// (common/boot_rules.h).
constexpr regwatch::v1::EventKind kDropKinds[] = {
    regwatch::v1::PHONE_UNREGISTERED, regwatch::v1::PHONE_REGISTRATION_FAILED,
    regwatch::v1::CONNECTION_LOST,    regwatch::v1::KEEPALIVE_MISSED,
    regwatch::v1::PHONE_AUTH_FAILED,  regwatch::v1::BOOT_STALLED,
};

}  // namespace

bool DropRule::is_drop_kind(regwatch::v1::EventKind kind) {
  for (const auto k : kDropKinds) {
    if (k == kind) return true;
  }
  return false;
}

const std::vector<std::string>& DropRule::drop_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto k : kDropKinds) out.push_back(kind_name(k));
    return out;
  }();
  return names;
}

bool DropRule::is_drop(const regwatch::v1::Event& event) {
  return is_drop_kind(event.kind()) && event.has_phone() && !event.phone().device_name().empty() &&
         may_drive_diagnosis(event);
}

}  // namespace regwatch::collector::correlate
