#include "agent/snmp/trap_classifier.h"

namespace regwatch::agent::snmp {
namespace {

// Notification OIDs (CISCO-CCM-MIB traps, cisco/cisco-mibs v2/CISCO-CCM-MIB.my).
const Oid kColdStart = {1, 3, 6, 1, 6, 3, 1, 1, 5, 1};
const Oid kWarmStart = {1, 3, 6, 1, 6, 3, 1, 1, 5, 2};
const Oid kLinkDown = {1, 3, 6, 1, 6, 3, 1, 1, 5, 3};
const Oid kLinkUp = {1, 3, 6, 1, 6, 3, 1, 1, 5, 4};
const Oid kCcmCallManagerFailed = {1, 3, 6, 1, 4, 1, 9, 9, 156, 2, 0, 1};
const Oid kCcmPhoneFailed = {1, 3, 6, 1, 4, 1, 9, 9, 156, 2, 0, 2};
const Oid kCcmPhoneStatusUpdate = {1, 3, 6, 1, 4, 1, 9, 9, 156, 2, 0, 3};
const Oid kCswStackMemberRemoved = {1, 3, 6, 1, 4, 1, 9, 9, 500, 0, 0, 6};
const Oid kPethPortOnOff = {1, 3, 6, 1, 2, 1, 105, 0, 1};
// Varbinds.
const Oid kIfIndex = {1, 3, 6, 1, 2, 1, 2, 2, 1, 1};
const Oid kIfDescr = {1, 3, 6, 1, 2, 1, 2, 2, 1, 2};  // Cisco's linkDown carries it
const Oid kIfName = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1};
const Oid kCcmFailCauseCode = {1, 3, 6, 1, 4, 1, 9, 9, 156, 1, 10, 2};
const Oid kCcmPhoneFailures = {1, 3, 6, 1, 4, 1, 9, 9, 156, 1, 10, 3};
const Oid kCcmPhoneUpdates = {1, 3, 6, 1, 4, 1, 9, 9, 156, 1, 10, 4};
const Oid kPethDetectionStatus = {1, 3, 6, 1, 2, 1, 105, 1, 1, 1, 6};
const Oid kCswSwitchNumCurrent = {1, 3, 6, 1, 4, 1, 9, 9, 500, 1, 2, 1, 1, 1};

bool has_prefix(const Oid& oid, const Oid& prefix) {
  return oid.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), oid.begin());
}

const VarBind* find(const TrapMessage& trap, const Oid& column) {
  for (const auto& v : trap.varbinds) {
    if (has_prefix(v.oid, column)) return &v;
  }
  return nullptr;
}

uint64_t number_or(const VarBind* bind, uint64_t fallback) {
  uint64_t value = fallback;
  if (bind && bind->as_unsigned(value)) return value;
  return fallback;
}

}  // namespace

Oid v1_trap_oid(const Oid& enterprise, long generic, long specific) {
  if (generic >= 0 && generic < 6)
    return Oid{1, 3, 6, 1, 6, 3, 1, 1, 5, static_cast<uint32_t>(generic + 1)};
  Oid out = enterprise;
  out.push_back(0);
  out.push_back(static_cast<uint32_t>(specific));
  return out;
}

namespace {

// Printable ASCII as is, every other byte as \xNN: the text is always valid UTF-8
// (the proto requires it), whatever the agent sent.
std::string printable(const std::string& bytes) {
  std::string out;
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace

std::string varbind_text(const VarBind& bind) {
  switch (bind.type) {
    case ValueType::kInteger: return std::to_string(bind.integer);
    case ValueType::kUnsigned:
    case ValueType::kCounter32:
    case ValueType::kCounter64:
    case ValueType::kTimeTicks: return std::to_string(bind.unsigned_value);
    case ValueType::kOid: return printable(bind.octets);
    case ValueType::kIpAddress:
      if (bind.octets.size() == 4) {
        std::string out;
        for (size_t i = 0; i < 4; ++i) {
          out += (i ? "." : "") + std::to_string(static_cast<unsigned char>(bind.octets[i]));
        }
        return out;
      }
      return "";
    case ValueType::kOctets: return printable(bind.octets);
    default: return "";
  }
}

regwatch::v1::Event classify_trap(const TrapMessage& trap, int64_t receive_time_us) {
  regwatch::v1::Event e;
  e.set_event_time_us(receive_time_us);  // traps carry only sysUpTime, not a clock
  e.set_receive_time_us(receive_time_us);
  e.set_origin(trap.sender);
  e.set_source(regwatch::v1::SOURCE_SNMP_TRAP);
  if (!trap.peer.empty()) {
    auto* provenance = e.mutable_provenance();
    provenance->set_sender_address(trap.peer);
    if (!trap.stated.empty() && trap.stated != trap.peer) {
      provenance->set_stated_address(trap.stated);
      provenance->set_relayed(true);
    }
  }
  const Oid& oid = trap.trap_oid;
  if (oid == kLinkDown || oid == kLinkUp) {
    e.set_kind(oid == kLinkDown ? regwatch::v1::LINK_DOWN : regwatch::v1::LINK_UP);
    auto* iface = e.mutable_interface();
    uint32_t if_index = static_cast<uint32_t>(number_or(find(trap, kIfIndex), 0));
    const VarBind* name = find(trap, kIfName);
    if (!name) name = find(trap, kIfDescr);
    if (name && name->type == ValueType::kOctets) {
      iface->set_interface(printable(name->octets));
      if (if_index == 0 && !name->oid.empty()) if_index = name->oid.back();  // the row's index
    }
    iface->set_if_index(if_index);
    iface->set_state(oid == kLinkDown ? "down" : "up");
    return e;
  }
  if (oid == kCswStackMemberRemoved) {
    e.set_kind(regwatch::v1::STACK_MEMBER_REMOVED);
    e.mutable_stack_member()->set_member(
        static_cast<uint32_t>(number_or(find(trap, kCswSwitchNumCurrent), 0)));
    return e;
  }
  if (oid == kPethPortOnOff) {
    const uint64_t status = number_or(find(trap, kPethDetectionStatus), 0);
    if (status == 4 || status == 6) {  // fault, otherFault
      e.set_kind(regwatch::v1::POE_FAULT);
      e.mutable_interface()->set_cause(status == 4 ? "PoE fault" : "PoE other fault");
      if (const auto* bind = find(trap, kPethDetectionStatus); bind && !bind->oid.empty()) {
        e.mutable_interface()->set_if_index(bind->oid.back());  // pethPsePortIndex
      }
      return e;
    }
  }
  auto* payload = e.mutable_snmp_trap();
  payload->set_trap_oid(format_oid(oid));
  payload->set_version(trap.version);
  payload->set_inform(trap.inform);
  payload->set_sender(trap.sender);
  payload->set_security_name(trap.security_name);
  payload->set_cause_code(-1);
  for (const auto& v : trap.varbinds) {
    auto* tag = payload->add_varbinds();
    tag->set_key(format_oid(v.oid));
    tag->set_value(varbind_text(v));
  }
  if (oid == kColdStart || oid == kWarmStart) {
    e.set_kind(regwatch::v1::DEVICE_RESTART);
  } else if (oid == kCcmCallManagerFailed) {
    e.set_kind(regwatch::v1::CM_FAILED);
    payload->set_cause_code(
        static_cast<int32_t>(number_or(find(trap, kCcmFailCauseCode), static_cast<uint64_t>(-1))));
  } else if (oid == kCcmPhoneStatusUpdate) {
    e.set_kind(regwatch::v1::CCM_PHONE_STATUS_UPDATE);
    payload->set_count(static_cast<uint32_t>(number_or(find(trap, kCcmPhoneUpdates), 0)));
  } else if (oid == kCcmPhoneFailed) {
    e.set_kind(regwatch::v1::CCM_PHONE_FAILED);
    payload->set_count(static_cast<uint32_t>(number_or(find(trap, kCcmPhoneFailures), 0)));
  } else {
    e.set_kind(regwatch::v1::SNMP_TRAP_OTHER);
  }
  return e;
}

}  // namespace regwatch::agent::snmp
