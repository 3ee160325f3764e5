#pragma once
// A blocking SNMP client for one target, on net-snmp's single-session API
// (thread-safe per session: one client per polling thread). v1, v2c and v3
// (USM, authPriv with SHA/AES). Walks use GETBULK with bounded repetitions
// (GETNEXT on v1), stop at the end of the subtree, and are capped at max_rows
// so a 100,000-row table costs bounded time and memory (truncated is set). A
// lying agent that returns OIDs out of order ends the walk with an error
// instead of looping.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"

namespace regwatch::agent::snmp {

struct SnmpTargetSettings {
  std::string address;                // "127.0.0.1:161", "udp6:[::1]:161"
  std::string version = "2c";         // "1", "2c" or "3"
  std::string community = "public";   // v1/v2c
  std::string user;                   // v3
  std::string auth_protocol = "SHA";  // v3: SHA or MD5 ("" = noAuth)
  std::string auth_passphrase;
  std::string priv_protocol = "AES";  // v3: AES or DES ("" = noPriv)
  std::string priv_passphrase;
  std::chrono::milliseconds timeout{2000};
  int retries = 1;
  uint32_t bulk_repetitions = 10;  // GETBULK max-repetitions (CUCM: at most 5)
  uint32_t max_rows = 10000;
  bool operator==(const SnmpTargetSettings&) const = default;
};

using Oid = std::vector<uint32_t>;
Result<Oid> parse_oid(std::string_view dotted);  // "1.3.6.1.2.1.1.3.0", leading dot allowed
std::string format_oid(const Oid& oid);

enum class ValueType {
  kInteger,
  kUnsigned,
  kCounter32,
  kCounter64,
  kTimeTicks,
  kOctets,
  kOid,
  kIpAddress,
  kNull,
  kNoSuchObject,
  kNoSuchInstance,
  kEndOfMib,
  kOther
};

struct VarBind {
  Oid oid;
  ValueType type = ValueType::kNull;
  int64_t integer = 0;          // kInteger
  uint64_t unsigned_value = 0;  // kUnsigned (Gauge32), kCounter32, kCounter64, kTimeTicks
  std::string octets;           // kOctets, kIpAddress (4 raw bytes), kOid (dotted)
  bool is_number() const;
  // The value as an unsigned number when it is one (integers >= 0 too).
  bool as_unsigned(uint64_t& out) const;
};

struct WalkResult {
  std::vector<VarBind> rows;
  bool truncated = false;  // stopped at max_rows
  uint32_t requests = 0;
};

class SnmpClient {
 public:
  static Result<std::unique_ptr<SnmpClient>> open(const SnmpTargetSettings& settings);
  ~SnmpClient();
  SnmpClient(const SnmpClient&) = delete;
  SnmpClient& operator=(const SnmpClient&) = delete;

  Result<std::vector<VarBind>> get(const std::vector<Oid>& oids);
  // Rows under `base`; with after_index, only rows whose index is greater
  // (incremental table reads); max_rows 0 = the target's max_rows.
  Result<WalkResult> walk(const Oid& base, uint32_t after_index = 0, uint32_t max_rows = 0);

 private:
  SnmpClient() = default;
  struct Session;
  std::unique_ptr<Session> session_;
  SnmpTargetSettings settings_;
};

}  // namespace regwatch::agent::snmp
