#include "agent/snmp/ccm_tables.h"

#include <cctype>
#include <cstdio>

#include "common/device_name.h"
#include "common/domain_tables.h"
#include "common/time_format.h"

namespace regwatch::agent::snmp {
namespace {

regwatch::v1::Event phone_event(regwatch::v1::EventKind kind, const std::string& cm_node,
                                int64_t poll_time_us, const std::string& time_octets) {
  regwatch::v1::Event e;
  e.set_kind(kind);
  e.set_source(regwatch::v1::SOURCE_SNMP_POLL);
  e.set_origin(cm_node);
  e.set_receive_time_us(poll_time_us);
  auto when = date_and_time_to_unix_us(time_octets);
  e.set_event_time_us(when ? *when : poll_time_us);
  if (!when) e.mutable_time_info()->set_device_time_untrusted(true);
  e.mutable_phone()->set_cm_node(cm_node);
  return e;
}

}  // namespace

std::optional<int64_t> date_and_time_to_unix_us(std::string_view o, int assumed_offset_minutes) {
  if (o.size() != 8 && o.size() != 11) return std::nullopt;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(o[i]); };
  const int year = byte(0) << 8 | byte(1);
  int offset = assumed_offset_minutes;
  if (o.size() == 11) {
    if (o[8] != '+' && o[8] != '-') return std::nullopt;
    if (byte(9) > 13 || byte(10) > 59) return std::nullopt;
    offset = (o[8] == '-' ? -1 : 1) * (byte(9) * 60 + byte(10));
  }
  if (byte(7) > 9) return std::nullopt;
  auto utc = unix_us_from_utc(year, byte(2), byte(3), byte(4), byte(5),
                              byte(6) == 60 ? 59 : byte(6), byte(7) * 100'000);
  if (!utc) return std::nullopt;
  return *utc - int64_t{offset} * 60'000'000;
}

std::optional<TableCursor::Range> TableCursor::advance(uint32_t last_added, uint32_t max_rows) {
  if (!seen_) {
    seen_ = last_added;
    return std::nullopt;
  }
  Range range;
  if (last_added < *seen_) {
    range.reset = true;
    range.after = 0;
  } else if (last_added == *seen_) {
    return std::nullopt;
  } else {
    range.after = *seen_;
  }
  range.through = last_added;
  // More than we may read in one poll: take the newest, say so by the jump.
  if (range.through - range.after > max_rows) range.after = range.through - max_rows;
  seen_ = last_added;
  if (range.through == 0) return std::nullopt;
  return range;
}

std::optional<regwatch::v1::Event> status_update_event(const StatusUpdateRow& row,
                                                       const std::string& cm_node,
                                                       int64_t poll_time_us) {
  regwatch::v1::EventKind kind;
  if (row.update_type == 2) {
    kind = regwatch::v1::PHONE_REGISTERED;
  } else if (row.update_type == 3) {
    kind = regwatch::v1::PHONE_UNREGISTERED;
  } else {
    return std::nullopt;
  }
  auto e = phone_event(kind, cm_node, poll_time_us, row.update_time);
  auto* phone = e.mutable_phone();
  phone->set_device_name(row.device_name);
  phone->set_mac(mac_from_device_name(row.device_name));
  phone->set_ip(row.ip);
  phone->set_alarm("ccmPhoneStatusUpdate");
  if (kind == regwatch::v1::PHONE_UNREGISTERED && row.unreg_reason != 0) {
    phone->set_reason_code(row.unreg_reason);
    phone->set_reason(std::string(domain::unregistration_reason_name(row.unreg_reason)));
  }
  return e;
}

regwatch::v1::Event failed_phone_event(const FailedRow& row, const std::string& cm_node,
                                       int64_t poll_time_us) {
  auto e =
      phone_event(regwatch::v1::PHONE_REGISTRATION_FAILED, cm_node, poll_time_us, row.failed_time);
  auto* phone = e.mutable_phone();
  std::string mac;
  if (row.mac.size() == 6) {
    char text[18];
    const auto* b = reinterpret_cast<const unsigned char*>(row.mac.data());
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                  b[5]);
    mac = text;
  }
  std::string name = row.name;
  if (name.empty() && !mac.empty()) {  // CUCM names phones SEP + MAC
    name = "SEP";
    for (char c : mac) {
      if (c != ':') name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  phone->set_device_name(name);
  phone->set_mac(mac);
  phone->set_ip(row.ip);
  phone->set_alarm("ccmPhoneFailed");
  if (row.reg_fail_reason != 0) {
    phone->set_reason_code(row.reg_fail_reason);
    phone->set_reason(std::string(domain::registration_failure_reason_name(row.reg_fail_reason)));
  }
  return e;
}

}  // namespace regwatch::agent::snmp
