#pragma once
// The agent config's `boot:` section (agent/boot/boot_settings.h): reading it with every
// problem named, and writing its defaults for `--print-default-config`.
#include <yaml-cpp/yaml.h>

#include "agent/boot/boot_settings.h"
#include "common/yaml_config.h"

namespace regwatch::agent {

// Reads section into settings (and finishes it: unknown keys are errors).
void read_boot(config::YamlMap section, boot::BootSettings& settings);
void write_boot(YAML::Emitter& out, const boot::BootSettings& settings);

}  // namespace regwatch::agent
