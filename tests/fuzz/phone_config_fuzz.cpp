// Any bytes as a downloaded phone config (SEP<MAC>.cnf.xml, .sgn, .enc.sgn): what it says or a
// named error, never a crash, an exception or unbounded work; what it keeps stays within its
// limits (16 CM group members, short texts).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "agent/boot/phone_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::boot;
  const auto config = parse_phone_config(std::span<const uint8_t>(data, size));
  if (!config) {
    const auto& code = config.error().code;
    if (code != "encrypted" && code != "not_a_phone_config") std::abort();
    return 0;
  }
  if (config->cm_group.size() > 16) std::abort();
  for (const auto& node : config->cm_group)
    if (node.empty() || node.size() > 1024) std::abort();
  if (config->load_name.size() > 1024 || config->security_mode.size() > 1024 ||
      config->device_protocol.size() > 1024)
    std::abort();
  return 0;
}
