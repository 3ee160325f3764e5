#include "common/reports/event_report.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <string>

#include "common/ascii_case.h"
#include "common/event_kind.h"
#include "common/time_format.h"

namespace regwatch::reports {
namespace {

namespace pb = google::protobuf;

// Adds every field of a payload message under its own name (proto3 fields are
// always present with their zero value, so each payload type has a stable key set).
void add_fields(const pb::Message& message, nlohmann::ordered_json& out) {
  const auto* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    std::string name = field->name();
    if (name == "device_name") name = "device";
    if (field->is_repeated() || field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->has_presence() && !reflection->HasField(message, field)) {
      out[name] = nullptr;
      continue;
    }
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        out[name] = reflection->GetInt32(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        out[name] = reflection->GetInt64(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        out[name] = reflection->GetUInt32(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        out[name] = reflection->GetUInt64(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        out[name] = reflection->GetDouble(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        out[name] = reflection->GetFloat(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        out[name] = reflection->GetBool(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        out[name] = ascii_lower(reflection->GetEnum(message, field)->name());
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        out[name] = reflection->GetString(message, field);
        break;
      default: break;
    }
  }
}

}  // namespace

nlohmann::ordered_json event_object(const v1::StoredEvent& stored) {
  const auto& e = stored.event();
  nlohmann::ordered_json out;
  out["id"] = stored.id();
  out["agent_id"] = e.agent_id();
  out["seq"] = e.seq();
  out["event_time"] = format_rfc3339_ms(e.event_time_us());
  out["receive_time"] = format_rfc3339_ms(e.receive_time_us());
  out["store_time"] = format_rfc3339_ms(stored.store_time_us());
  out["origin"] = e.origin();
  out["source"] = source_name(e.source());
  out["kind"] = kind_name(e.kind());
  if (e.duplicate_of_source() != v1::SOURCE_UNSPECIFIED) {
    // The same drop was reported first by another input: evidence, counted once.
    out["duplicate_of_source"] = source_name(e.duplicate_of_source());
    out["duplicate_of_event_time"] = format_rfc3339_ms(e.duplicate_of_event_time_us());
  }
  if (e.has_provenance()) {
    const auto& p = e.provenance();
    out["sender_address"] = p.sender_address();
    if (!p.stated_address().empty()) out["stated_address"] = p.stated_address();
    out["relayed"] = p.relayed();
    out["spoofed"] = p.spoofed();
  }
  const auto& t = e.time_info();
  out["device_time_untrusted"] = t.device_time_untrusted();
  if (t.device_time_us() != 0) out["device_time"] = format_rfc3339_ms(t.device_time_us());
  out["device_time_text"] = t.device_time_text();
  out["clock_marker"] = t.clock_marker();
  out["year_inferred"] = t.year_inferred();
  out["timezone_assumed"] = t.timezone_assumed();
  if (e.has_syslog()) {
    const auto& s = e.syslog();
    out["syslog_facility"] = s.facility();
    out["syslog_severity"] = s.severity();  // the Cisco tag's when the line has one
    out["syslog_pri_severity"] = s.pri_severity();
    out["syslog_app"] = s.app();
    out["syslog_mnemonic"] = s.mnemonic();
    out["syslog_host"] = s.host();
    out["syslog_relay_host"] = s.relay_host();
    out["syslog_sequence"] = s.sequence();
    out["syslog_text"] = s.text();
    if (!s.interface().empty()) out["syslog_interface"] = s.interface();
    std::string tags;
    for (const auto& tag : s.tags())
      tags += (tags.empty() ? "" : ";") + tag.key() + "=" + tag.value();
    out["syslog_tags"] = tags;
  }
  out["raw"] = e.raw();
  const auto* oneof = e.GetDescriptor()->FindOneofByName("payload");
  if (const auto* field = e.GetReflection()->GetOneofFieldDescriptor(e, oneof)) {
    add_fields(e.GetReflection()->GetMessage(e, field), out);
  }
  // The boot chain's lists and the stall's detail (issue 22): the TFTP servers a lease offered,
  // the CM group a config named, where a phone is stuck (boot_stage, boot_rule, ...).
  if (e.has_dhcp()) {
    out["tftp_servers"] =
        std::vector<std::string>(e.dhcp().tftp_servers().begin(), e.dhcp().tftp_servers().end());
  }
  if (e.has_boot_file()) {
    out["cm_group"] =
        std::vector<std::string>(e.boot_file().cm_group().begin(), e.boot_file().cm_group().end());
  }
  if (e.has_phone() && e.phone().has_boot()) {
    const auto& boot = e.phone().boot();
    nlohmann::ordered_json fields;
    add_fields(boot, fields);
    for (const auto& item : fields.items()) out["boot_" + item.key()] = item.value();
    out["boot_cm_group"] = std::vector<std::string>(boot.cm_group().begin(), boot.cm_group().end());
  }
  if (e.has_cpu()) {
    // Each CPU by name (a stack's members): which member is busy.
    out["members"] = nlohmann::ordered_json::array();
    for (const auto& member : e.cpu().members()) {
      nlohmann::ordered_json one;
      add_fields(member, one);
      out["members"].push_back(std::move(one));
    }
  }
  return out;
}

nlohmann::ordered_json events_json(const v1::EventList& list) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& e : list.events()) array.push_back(event_object(e));
  return array;
}

}  // namespace regwatch::reports
