#include "common/metrics/build_info.h"

#ifndef REGWATCH_REVISION
#define REGWATCH_REVISION "unknown"
#endif

namespace regwatch::metrics {

const char* build_revision() {
  return REGWATCH_REVISION;
}

void register_build_info(Registry& registry, const std::string& version) {
  registry
      .gauge("regwatch_build_info", "The running build: version and git revision; always 1.",
             {"version", "revision"})
      .with({version, build_revision()})
      .set(1);
}

}  // namespace regwatch::metrics
