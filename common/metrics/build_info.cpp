#include "common/metrics/build_info.h"

#include <string>

#include "common/build_version.h"

namespace regwatch::metrics {

void register_build_info(Registry& registry) {
  registry
      .gauge("regwatch_build_info", "The running build: version and git revision; always 1.",
             {"version", "revision"})
      .with({std::string(build_version()), std::string(build_revision())})
      .set(1);
}

}  // namespace regwatch::metrics
