#pragma once
// The agent config's `sip:` section (agent/sip/sip_settings.h): reading it with every problem
// named, and writing its defaults for `--print-default-config`.
#include <yaml-cpp/yaml.h>

#include "agent/sip/sip_settings.h"
#include "common/yaml_config.h"

namespace regwatch::agent {

// Reads section into settings (and finishes it: unknown keys are errors).
void read_sip(config::YamlMap section, sip::SipSettings& settings);
void write_sip(YAML::Emitter& out, const sip::SipSettings& settings);

}  // namespace regwatch::agent
