#pragma once
// regwatch_build_info{version,revision} 1: which build a process runs, in the Prometheus way
// (an info gauge joined onto other series by its labels, as prometheus_build_info). version is
// the release, revision the git commit it was built from (common/build_version.h: short hash,
// "-dirty" for uncommitted changes, "unknown" outside a git checkout).
#include "common/metrics/registry.h"

namespace regwatch::metrics {

// Registers regwatch_build_info for this binary's build.
void register_build_info(Registry& registry);

}  // namespace regwatch::metrics
