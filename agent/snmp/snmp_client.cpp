#include "agent/snmp/snmp_client.h"

#include "agent/snmp/net_snmp_support.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace regwatch::agent::snmp {
namespace {

bool starts_with(const Oid& oid_value, const Oid& prefix) {
  return oid_value.size() > prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), oid_value.begin());
}

}  // namespace

struct SnmpClient::Session {
  void* handle = nullptr;
  ~Session() {
    if (handle) snmp_sess_close(handle);
  }
  std::string last_error() const {
    int library_error = 0, system_error = 0;
    char* text = nullptr;
    snmp_sess_error(handle, &library_error, &system_error, &text);
    std::string message = text ? text : "unknown error";
    std::free(text);
    return message;
  }
};

Result<Oid> parse_oid(std::string_view dotted) {
  if (!dotted.empty() && dotted.front() == '.') dotted.remove_prefix(1);
  Oid out;
  while (!dotted.empty()) {
    uint32_t arc = 0;
    auto [end, ec] = std::from_chars(dotted.data(), dotted.data() + dotted.size(), arc);
    if (ec != std::errc() || out.size() >= MAX_OID_LEN) {
      return make_error("bad_oid", "'" + std::string(dotted) + "' is not a numeric OID");
    }
    out.push_back(arc);
    dotted.remove_prefix(static_cast<size_t>(end - dotted.data()));
    if (!dotted.empty()) {
      if (dotted.front() != '.' || dotted.size() == 1)
        return make_error("bad_oid", "malformed OID");
      dotted.remove_prefix(1);
    }
  }
  if (out.size() < 2) return make_error("bad_oid", "an OID needs at least two arcs");
  return out;
}

std::string format_oid(const Oid& value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) out += (i ? "." : "") + std::to_string(value[i]);
  return out;
}

bool VarBind::is_number() const {
  return type == ValueType::kInteger || type == ValueType::kUnsigned ||
         type == ValueType::kCounter32 || type == ValueType::kCounter64 ||
         type == ValueType::kTimeTicks;
}

bool VarBind::as_unsigned(uint64_t& out) const {
  if (type == ValueType::kInteger) {
    if (integer < 0) return false;
    out = static_cast<uint64_t>(integer);
    return true;
  }
  if (!is_number()) return false;
  out = unsigned_value;
  return true;
}

Result<std::unique_ptr<SnmpClient>> SnmpClient::open(const SnmpTargetSettings& settings) {
  init_net_snmp();
  netsnmp_session session;
  snmp_sess_init(&session);
  std::string peer = settings.address;
  session.peername = peer.data();
  session.timeout = static_cast<long>(settings.timeout.count()) * 1000;
  session.retries = settings.retries;
  std::string community = settings.community;
  std::string user = settings.user;
  if (settings.version == "1" || settings.version == "2c") {
    session.version = settings.version == "1" ? SNMP_VERSION_1 : SNMP_VERSION_2c;
    session.community = reinterpret_cast<u_char*>(community.data());
    session.community_len = community.size();
  } else if (settings.version == "3") {
    session.version = SNMP_VERSION_3;
    session.securityName = user.data();
    session.securityNameLen = user.size();
    session.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    if (!settings.auth_protocol.empty()) {
      session.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
      if (settings.auth_protocol == "SHA") {
        session.securityAuthProto = usmHMACSHA1AuthProtocol;
        session.securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
      } else if (settings.auth_protocol == "MD5") {
        session.securityAuthProto = usmHMACMD5AuthProtocol;
        session.securityAuthProtoLen = USM_AUTH_PROTO_MD5_LEN;
      } else {
        return make_error("snmp_config",
                          "unknown SNMPv3 auth protocol '" + settings.auth_protocol + "'");
      }
      session.securityAuthKeyLen = USM_AUTH_KU_LEN;
      if (generate_Ku(session.securityAuthProto, static_cast<u_int>(session.securityAuthProtoLen),
                      reinterpret_cast<const u_char*>(settings.auth_passphrase.data()),
                      settings.auth_passphrase.size(), session.securityAuthKey,
                      &session.securityAuthKeyLen) != SNMPERR_SUCCESS) {
        return make_error("snmp_config",
                          "cannot derive the SNMPv3 auth key (passphrase at least 8 characters?)");
      }
      if (!settings.priv_protocol.empty()) {
        session.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
        if (settings.priv_protocol == "AES") {
          session.securityPrivProto = usmAESPrivProtocol;
          session.securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
        } else if (settings.priv_protocol == "DES") {
          session.securityPrivProto = usmDESPrivProtocol;
          session.securityPrivProtoLen = USM_PRIV_PROTO_DES_LEN;
        } else {
          return make_error("snmp_config",
                            "unknown SNMPv3 privacy protocol '" + settings.priv_protocol + "'");
        }
        session.securityPrivKeyLen = USM_PRIV_KU_LEN;
        if (generate_Ku(session.securityAuthProto, static_cast<u_int>(session.securityAuthProtoLen),
                        reinterpret_cast<const u_char*>(settings.priv_passphrase.data()),
                        settings.priv_passphrase.size(), session.securityPrivKey,
                        &session.securityPrivKeyLen) != SNMPERR_SUCCESS) {
          return make_error("snmp_config", "cannot derive the SNMPv3 privacy key");
        }
      }
    }
  } else {
    return make_error("snmp_config",
                      "SNMP version must be 1, 2c or 3, not '" + settings.version + "'");
  }
  std::unique_ptr<SnmpClient> client(new SnmpClient());
  client->settings_ = settings;
  client->session_ = std::make_unique<Session>();
  client->session_->handle = snmp_sess_open(&session);
  if (!client->session_->handle) {
    return make_error("snmp_open", "cannot open an SNMP session to " + settings.address);
  }
  return client;
}

SnmpClient::~SnmpClient() = default;

Result<std::vector<VarBind>> SnmpClient::get(const std::vector<Oid>& oids) {
  netsnmp_pdu* request = snmp_pdu_create(SNMP_MSG_GET);
  for (const auto& o : oids) {
    std::vector<oid> arcs(o.begin(), o.end());
    snmp_add_null_var(request, arcs.data(), arcs.size());
  }
  netsnmp_pdu* raw_response = nullptr;
  const int status =
      snmp_sess_synch_response(session_->handle, request, &raw_response);  // frees request
  PduPtr response(raw_response);
  if (status == STAT_TIMEOUT) return make_error("timeout", "no response from " + settings_.address);
  if (status != STAT_SUCCESS || !response) {
    return make_error("snmp_error", settings_.address + ": " + session_->last_error());
  }
  if (response->errstat != SNMP_ERR_NOERROR) {
    return make_error("snmp_error", settings_.address + ": " +
                                        snmp_errstring(static_cast<int>(response->errstat)));
  }
  std::vector<VarBind> out;
  for (auto* v = response->variables; v; v = v->next_variable) out.push_back(to_varbind(v));
  return out;
}

Result<WalkResult> SnmpClient::walk(const Oid& base, uint32_t after_index, uint32_t max_rows) {
  WalkResult result;
  Oid cursor = base;
  if (after_index > 0) cursor.push_back(after_index);
  const uint32_t row_cap =
      max_rows > 0 ? std::min(max_rows, settings_.max_rows) : settings_.max_rows;
  const bool bulk = settings_.version != "1";
  for (;;) {
    netsnmp_pdu* request = snmp_pdu_create(bulk ? SNMP_MSG_GETBULK : SNMP_MSG_GETNEXT);
    if (bulk) {
      request->non_repeaters = 0;
      request->max_repetitions =
          static_cast<long>(std::max<uint32_t>(1, settings_.bulk_repetitions));
    }
    std::vector<oid> arcs(cursor.begin(), cursor.end());
    snmp_add_null_var(request, arcs.data(), arcs.size());
    netsnmp_pdu* raw_response = nullptr;
    const int status = snmp_sess_synch_response(session_->handle, request, &raw_response);
    PduPtr response(raw_response);
    ++result.requests;
    if (status == STAT_TIMEOUT)
      return make_error("timeout", "no response from " + settings_.address);
    if (status != STAT_SUCCESS || !response) {
      return make_error("snmp_error", settings_.address + ": " + session_->last_error());
    }
    if (response->errstat == SNMP_ERR_NOSUCHNAME) return result;  // v1's end of the MIB
    if (response->errstat != SNMP_ERR_NOERROR) {
      return make_error("snmp_error", settings_.address + ": " +
                                          snmp_errstring(static_cast<int>(response->errstat)));
    }
    if (!response->variables) return result;
    for (auto* v = response->variables; v; v = v->next_variable) {
      VarBind bind = to_varbind(v);
      if (bind.type == ValueType::kEndOfMib || !starts_with(bind.oid, base)) return result;
      if (!(cursor < bind.oid)) {
        return make_error("snmp_not_increasing", settings_.address + " returned OID " +
                                                     format_oid(bind.oid) + " after " +
                                                     format_oid(cursor) + " (a broken agent)");
      }
      cursor = bind.oid;
      result.rows.push_back(std::move(bind));
      if (result.rows.size() >= row_cap) {
        result.truncated = true;
        return result;
      }
    }
  }
}

}  // namespace regwatch::agent::snmp
