// Arbitrary decoded traps (what a lying or broken agent can make net-snmp hand
// us): any trap OID, any varbinds of any type and content. classify_trap must
// produce an event that serialises (valid UTF-8 everywhere) and never crash.
// Input layout: [trap OID arcs...] 0xFF then repeated [type][oid len][arcs][value bytes
// len][bytes].
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/snmp/trap_classifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::snmp;
  size_t i = 0;
  TrapMessage trap;
  trap.version = size % 2 ? "1" : "2c";
  trap.sender = "127.0.0.1";
  trap.peer = "127.0.0.1";
  while (i < size && data[i] != 0xFF && trap.trap_oid.size() < 128)
    trap.trap_oid.push_back(data[i++]);
  ++i;
  while (i + 2 < size && trap.varbinds.size() < 64) {
    VarBind bind;
    bind.type = static_cast<ValueType>(data[i++] % (static_cast<int>(ValueType::kOther) + 1));
    const size_t oid_length = data[i++] % 32;
    for (size_t k = 0; k < oid_length && i < size; ++k) bind.oid.push_back(data[i++]);
    const size_t value_length = i < size ? data[i++] : 0;
    for (size_t k = 0; k < value_length && i < size; ++k)
      bind.octets.push_back(static_cast<char>(data[i++]));
    bind.integer = static_cast<int64_t>(bind.octets.size()) - 100;
    bind.unsigned_value = bind.octets.empty() ? 0 : static_cast<unsigned char>(bind.octets[0]);
    trap.varbinds.push_back(std::move(bind));
  }
  regwatch::v1::Event event = classify_trap(trap, 1);
  std::string bytes;
  if (!event.SerializeToString(&bytes)) std::abort();
  regwatch::v1::Event back;
  if (!back.ParseFromString(bytes)) std::abort();
  return 0;
}
