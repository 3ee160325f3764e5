#pragma once
// How a boot stage (common/boot_rules.h) reads inside a sentence, the same in an incident's
// cause ("38 phones on sw-3f stuck at config download") and in `explain` ("stuck at config
// download from 10.1.1.5 for 14 min"). Pure.
#include <string_view>

#include "common/boot_rules.h"

namespace regwatch::collector::correlate {

inline std::string_view boot_stage_words(domain::BootStage stage) {
  switch (stage) {
    case domain::BootStage::kDhcp: return "DHCP";
    case domain::BootStage::kTrustList: return "trust list download";
    case domain::BootStage::kConfig: return "config download";
    case domain::BootStage::kFirmware: return "firmware download";
    case domain::BootStage::kRegistration: return "registration";
  }
  return "boot";
}

// The same for a stage's name as events carry it ("config"); the name itself when unknown.
inline std::string_view boot_stage_words(std::string_view stage_name) {
  const auto stage = domain::boot_stage_from_name(stage_name);
  return stage ? boot_stage_words(*stage) : stage_name;
}

}  // namespace regwatch::collector::correlate
