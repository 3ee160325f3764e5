#pragma once
// SNMPv3 (USM) users the trap receiver accepts. A v3 TRAP is sent by an
// authoritative sender, so its keys are localised with the sender's engine ID
// and that ID must be configured; a v3 INFORM is sent to us, so its keys are
// localised with our own engine ID (leave engine_id empty). The same user may
// be registered for several engine IDs.
//
// net-snmp keeps users in one process-wide list: call register_usm_user()
// before the receiver starts. Passphrases are never logged.
#include <string>

#include "common/result.h"

namespace regwatch::agent::snmp {

struct UsmUserSpec {
  std::string name;
  std::string engine_id;      // hex ("0x8000000001020304" or "8000..."); "" = this agent's engine
  std::string auth_protocol;  // "SHA" (default when a passphrase is given), "MD5"; "" = noAuth
  std::string auth_passphrase;
  std::string priv_protocol;  // "AES" (default when a passphrase is given), "DES"; "" = noPriv
  std::string priv_passphrase;
};

// Checks and adds one user; a clear error for a bad engine ID, an unknown
// protocol, privacy without authentication, or a passphrase under 8 bytes
// (RFC 3414 section 11.2 asks for at least 8).
Status register_usm_user(const UsmUserSpec& spec);

// This agent's own engine ID as hex, for the senders of INFORMs.
std::string local_engine_id_hex();

}  // namespace regwatch::agent::snmp
