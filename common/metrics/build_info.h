#pragma once
// regwatch_build_info{version,revision} 1: which build a process runs, in the Prometheus way
// (an info gauge joined onto other series by its labels). version is REGWATCH_VERSION;
// revision the git commit the build was configured at, "unknown" when it was not built from a
// git checkout.
#include "common/metrics/registry.h"

namespace regwatch::metrics {

// The revision this binary was built from.
const char* build_revision();
// Registers regwatch_build_info with the given version (each binary's REGWATCH_VERSION).
void register_build_info(Registry& registry, const std::string& version);

}  // namespace regwatch::metrics
