#include "common/boot_rules.h"

#include <array>

namespace regwatch::domain {
namespace {

constexpr std::array<std::string_view, 5> kStageNames = {"dhcp", "trust_list", "config", "firmware",
                                                         "registration"};

// The sources of each rule are in docs/boot-chain.md (seeds 000, 001 and 004, Cisco's admin
// guides and TAC notes).
constexpr std::array kRules = {
    BootRule{"config_loop", BootStage::kConfig, "security",
             "fetches its config again and again and never registers",
             "The phone rejects its signed config: its trust list (ITL/CTL) is from another "
             "cluster or an old TFTP signer. Erase the trust list on the phone (Settings > "
             "Security > Trust List, or **# then erase), or restore the cluster's ITL recovery "
             "key; check that every TFTP server of the cluster signs with the same certificate."},
    BootRule{"firmware_loop", BootStage::kFirmware, "security",
             "fetches its firmware load again and again and never registers",
             "The phone cannot authenticate the load its config names (7900 loads older than "
             "8.5(2) do not trust newer loads' signing keys): upgrade it through an intermediate "
             "load (8.5(2)), from a TFTP server serving that load, then point it back."},
    BootRule{"not_provisioned", BootStage::kConfig, "config",
             "has no config of its own and fell back to XMLDefault.cnf.xml",
             "CUCM has no device with this MAC (a typo in the device name, or a phone never "
             "added) and the phone took the default config: add the device, or enable "
             "autoregistration if that is how phones join."},
    BootRule{"wrong_cm_group", BootStage::kRegistration, "config",
             "tried to register to a CM that is not in its config's CM group",
             "CUCM accepts a phone only on a member of the CM group of its device pool. The "
             "phone registered elsewhere (often its TFTP server, when the group's members' "
             "names do not resolve or are unreachable): fix the device pool's CM group, the "
             "CM names (System > Server) or the phone's path to the group's members."},
    BootRule{"no_tftp_option", BootStage::kDhcp, "config",
             "got an address without a TFTP server (no DHCP option 150 or 66)",
             "Add option 150 (the cluster's TFTP servers) to the voice VLAN's DHCP scope; "
             "option 66 carries one server name only."},
    BootRule{"tftp_unanswered", BootStage::kTrustList, "infrastructure",
             "asks its TFTP server for its files and gets no answer",
             "The TFTP server named by option 150 does not answer: check the Cisco TFTP service "
             "on that node, the path and ACLs between the voice VLAN and it (UDP 69 and the "
             "ports the server answers from), and that option 150 names the right servers."},
    BootRule{"dhcp_unanswered", BootStage::kDhcp, "infrastructure",
             "asks for an address and no DHCP server offers one",
             "No DHCP server answers on the voice VLAN: check the scope (exhausted?), the "
             "server, and the ip helper-address on the VLAN's interface."},
};

}  // namespace

std::string_view boot_stage_name(BootStage stage) {
  return kStageNames[static_cast<size_t>(stage)];
}

std::optional<BootStage> boot_stage_from_name(std::string_view name) {
  for (size_t i = 0; i < kStageNames.size(); ++i) {
    if (kStageNames[i] == name) return static_cast<BootStage>(i);
  }
  return std::nullopt;
}

std::span<const BootRule> boot_rules() {
  return kRules;
}

const BootRule* find_boot_rule(std::string_view name) {
  for (const BootRule& rule : kRules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

}  // namespace regwatch::domain
