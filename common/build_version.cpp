#include "common/build_version.h"

#include "common/build_version_values.h"

namespace regwatch {

std::string_view build_version() {
  return REGWATCH_BUILD_VERSION;
}

std::string_view build_revision() {
  return REGWATCH_BUILD_REVISION;
}

std::string_view build_date() {
  return REGWATCH_BUILD_DATE;
}

std::string version_line(std::string_view program) {
  std::string line(program);
  line.append(" ").append(build_version());
  line.append(" (git ").append(build_revision());
  line.append(", built ").append(build_date()).append(")");
  return line;
}

}  // namespace regwatch
