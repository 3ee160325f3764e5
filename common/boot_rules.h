#pragma once
// The boot-chain diagnoses: one place for each rule's stage, incident class, plain-language
// explanation and remediation. The agent's boot tracker (agent/boot/boot_tracker.h) decides
// when a rule holds and fills BootStall from here; the collector (correlation, `explain`, the
// docs' table in docs/boot-chain.md) reads the same table, so the words never disagree.
//
// Stages, in the order a phone walks them (Cisco 7900/8800 admin guides, FACTS.md section 10):
//   dhcp -> trust_list (CTLSEP/ITLSEP .tlv) -> config (SEP<MAC>.cnf.xml[.sgn]) -> firmware
//   (the load its config names) -> registration (SCCP Register / SIP REGISTER).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace regwatch::domain {

enum class BootStage : uint8_t { kDhcp, kTrustList, kConfig, kFirmware, kRegistration };

std::string_view boot_stage_name(BootStage stage);  // "dhcp", "trust_list", ...
std::optional<BootStage> boot_stage_from_name(std::string_view name);

struct BootRule {
  std::string_view name;            // config_loop, ... (BootStall.rule)
  BootStage stage;                  // where the phone is stuck
  std::string_view incident_class;  // security, config, infrastructure (reason_class.h's words)
  std::string_view summary;         // "loops at config download"
  std::string_view remediation;     // what an experienced voice engineer does
};

// A phone fetched its config this many times since its lease without trying to register (or a
// firmware load without registering): a loop. Three, because a healthy phone fetches each file
// once per boot and retries a failed transfer at most twice before moving on.
inline constexpr uint32_t kLoopFetches = 3;

// Every rule, in the order `explain` and the docs list them.
std::span<const BootRule> boot_rules();
// The rule named name, or nullptr.
const BootRule* find_boot_rule(std::string_view name);

}  // namespace regwatch::domain
