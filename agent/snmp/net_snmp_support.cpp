#include "agent/snmp/net_snmp_support.h"

#include <cstdlib>
#include <mutex>

namespace regwatch::agent::snmp {

// net-snmp's library state is global: initialise it once, without reading
// configuration or MIB files (we use numeric OIDs) and without persisting
// engine state to disk.
void init_net_snmp() {
  static std::once_flag once;
  std::call_once(once, [] {
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, 1);
    setenv("MIBS", "", 0);
    init_snmp("regwatch-agent");
  });
}

VarBind to_varbind(const netsnmp_variable_list* v) {
  VarBind out;
  out.oid.assign(v->name, v->name + v->name_length);
  switch (v->type) {
    case ASN_INTEGER:
      out.type = ValueType::kInteger;
      out.integer = *v->val.integer;
      break;
    case ASN_GAUGE:  // also Unsigned32
      out.type = ValueType::kUnsigned;
      out.unsigned_value = static_cast<uint32_t>(*v->val.integer);
      break;
    case ASN_COUNTER:
      out.type = ValueType::kCounter32;
      out.unsigned_value = static_cast<uint32_t>(*v->val.integer);
      break;
    case ASN_TIMETICKS:
      out.type = ValueType::kTimeTicks;
      out.unsigned_value = static_cast<uint32_t>(*v->val.integer);
      break;
    case ASN_COUNTER64:
      out.type = ValueType::kCounter64;
      out.unsigned_value =
          (static_cast<uint64_t>(v->val.counter64->high) << 32) | v->val.counter64->low;
      break;
    case ASN_OCTET_STR:
      out.type = ValueType::kOctets;
      out.octets.assign(reinterpret_cast<const char*>(v->val.string), v->val_len);
      break;
    case ASN_IPADDRESS:
      out.type = ValueType::kIpAddress;
      out.octets.assign(reinterpret_cast<const char*>(v->val.string), v->val_len);
      break;
    case ASN_OBJECT_ID:
      out.type = ValueType::kOid;
      out.octets = format_oid(Oid(v->val.objid, v->val.objid + v->val_len / sizeof(oid)));
      break;
    case ASN_NULL: out.type = ValueType::kNull; break;
    case SNMP_NOSUCHOBJECT: out.type = ValueType::kNoSuchObject; break;
    case SNMP_NOSUCHINSTANCE: out.type = ValueType::kNoSuchInstance; break;
    case SNMP_ENDOFMIBVIEW: out.type = ValueType::kEndOfMib; break;
    default: out.type = ValueType::kOther; break;
  }
  return out;
}

}  // namespace regwatch::agent::snmp
