#include "agent/snmp/usm_users.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include "agent/snmp/net_snmp_support.h"

namespace regwatch::agent::snmp {
namespace {

Result<std::vector<u_char>> parse_engine_id(std::string hex) {
  if (hex.rfind("0x", 0) == 0 || hex.rfind("0X", 0) == 0) hex.erase(0, 2);
  if (hex.size() < 10 || hex.size() > 64 || hex.size() % 2 != 0) {
    return make_error("snmp_config", "engine ID '" + hex + "' must be 5 to 32 bytes of hex");
  }
  std::vector<u_char> out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    char* end = nullptr;
    const std::string pair = hex.substr(i, 2);
    const long value = std::strtol(pair.c_str(), &end, 16);
    if (*end != '\0') return make_error("snmp_config", "engine ID '" + hex + "' is not hex");
    out.push_back(static_cast<u_char>(value));
  }
  return out;
}

// net-snmp frees the user's fields with free(): give it malloc'd copies.
template <typename T>
T* malloc_copy(const T* data, size_t count) {
  auto* out = static_cast<T*>(std::malloc(count * sizeof(T)));
  if (out) std::memcpy(out, data, count * sizeof(T));
  return out;
}

struct UserFree {
  void operator()(usmUser* user) const { usm_free_user(user); }
};

// Derives the localised key (RFC 3414 A.2) into a malloc'd buffer.
Status localise(const oid* hash, size_t hash_len, const std::vector<u_char>& engine,
                const std::string& passphrase, size_t key_len, u_char** key_out,
                size_t* key_len_out) {
  u_char ku[USM_AUTH_KU_LEN];
  size_t ku_len = sizeof(ku);
  if (generate_Ku(hash, static_cast<u_int>(hash_len),
                  reinterpret_cast<const u_char*>(passphrase.data()), passphrase.size(), ku,
                  &ku_len) != SNMPERR_SUCCESS) {
    return make_error("snmp_config", "cannot derive a key from the passphrase");
  }
  u_char kul[USM_AUTH_KU_LEN];
  size_t kul_len = sizeof(kul);
  if (generate_kul(hash, static_cast<u_int>(hash_len), engine.data(), engine.size(), ku, ku_len,
                   kul, &kul_len) != SNMPERR_SUCCESS) {
    return make_error("snmp_config", "cannot localise the key to the engine ID");
  }
  const size_t used = key_len ? std::min(key_len, kul_len) : kul_len;
  *key_out = malloc_copy(kul, used);
  *key_len_out = used;
  return Ok{};
}

}  // namespace

std::string local_engine_id_hex() {
  init_net_snmp();
  u_char buffer[64];
  const size_t n = snmpv3_get_engineID(buffer, sizeof(buffer));
  static const char* digits = "0123456789abcdef";
  std::string out = "0x";
  for (size_t i = 0; i < n; ++i) {
    out += digits[buffer[i] >> 4];
    out += digits[buffer[i] & 0xf];
  }
  return out;
}

Status register_usm_user(const UsmUserSpec& spec) {
  init_net_snmp();
  const std::string who = "SNMPv3 trap user '" + spec.name + "'";
  if (spec.name.empty()) return make_error("snmp_config", "an SNMPv3 trap user needs a name");
  std::vector<u_char> engine;
  if (spec.engine_id.empty()) {
    engine.resize(64);
    engine.resize(snmpv3_get_engineID(engine.data(), engine.size()));
  } else {
    auto parsed = parse_engine_id(spec.engine_id);
    if (!parsed.ok()) return make_error("snmp_config", who + ": " + parsed.error().message);
    engine = std::move(parsed).value();
  }
  const bool auth = !spec.auth_passphrase.empty();
  const bool priv = !spec.priv_passphrase.empty();
  if (priv && !auth)
    return make_error("snmp_config", who + ": privacy needs authentication too (authPriv)");
  for (const auto* passphrase : {&spec.auth_passphrase, &spec.priv_passphrase}) {
    if (!passphrase->empty() && passphrase->size() < 8) {
      return make_error("snmp_config",
                        who + ": passphrases must be at least 8 characters (RFC 3414)");
    }
  }
  std::unique_ptr<usmUser, UserFree> user(usm_create_user());
  if (!user) return make_error("snmp_config", "out of memory");
  user->engineID = malloc_copy(engine.data(), engine.size());
  user->engineIDLen = engine.size();
  user->name = strdup(spec.name.c_str());
  user->secName = strdup(spec.name.c_str());
  if (auth) {
    const std::string protocol = spec.auth_protocol.empty() ? "SHA" : spec.auth_protocol;
    const oid* hash = nullptr;
    size_t hash_len = 0;
    if (protocol == "SHA") {
      hash = usmHMACSHA1AuthProtocol;
      hash_len = OID_LENGTH(usmHMACSHA1AuthProtocol);
    } else if (protocol == "MD5") {
      hash = usmHMACMD5AuthProtocol;
      hash_len = OID_LENGTH(usmHMACMD5AuthProtocol);
    } else {
      return make_error("snmp_config",
                        who + ": unknown auth protocol '" + protocol + "' (SHA or MD5)");
    }
    free(user->authProtocol);
    user->authProtocol = malloc_copy(hash, hash_len);
    user->authProtocolLen = hash_len;
    if (auto done = localise(hash, hash_len, engine, spec.auth_passphrase, 0, &user->authKey,
                             &user->authKeyLen);
        !done.ok()) {
      return make_error("snmp_config", who + ": " + done.error().message);
    }
    if (priv) {
      const std::string cipher = spec.priv_protocol.empty() ? "AES" : spec.priv_protocol;
      const oid* protocol_oid = nullptr;
      size_t protocol_len = 0;
      size_t key_len = 16;  // AES-128 and DES both use the first 16 bytes (DES: key + pre-IV)
      if (cipher == "AES") {
        protocol_oid = usmAESPrivProtocol;
        protocol_len = OID_LENGTH(usmAESPrivProtocol);
      } else if (cipher == "DES") {
        protocol_oid = usmDESPrivProtocol;
        protocol_len = OID_LENGTH(usmDESPrivProtocol);
      } else {
        return make_error("snmp_config",
                          who + ": unknown privacy protocol '" + cipher + "' (AES or DES)");
      }
      free(user->privProtocol);
      user->privProtocol = malloc_copy(protocol_oid, protocol_len);
      user->privProtocolLen = protocol_len;
      if (auto done = localise(hash, hash_len, engine, spec.priv_passphrase, key_len,
                               &user->privKey, &user->privKeyLen);
          !done.ok()) {
        return make_error("snmp_config", who + ": " + done.error().message);
      }
    }
  }
  usm_add_user(user.release());  // the list owns it from here
  return Ok{};
}

}  // namespace regwatch::agent::snmp
