#pragma once
// Which build this binary is: the release version (CMake's project version), the git revision
// it was built from (short hash, "-dirty" when the tree had uncommitted changes, "unknown"
// outside a git checkout unless -DREGWATCH_GIT_REVISION= named it) and the build date (UTC,
// YYYY-MM-DD; SOURCE_DATE_EPOCH, else the commit's date, so builds are reproducible).
// Computed when building, not when configuring (cmake/build_version.cmake).
#include <string>
#include <string_view>

namespace regwatch {

std::string_view build_version();
std::string_view build_revision();
std::string_view build_date();

// "<program> 0.1.0 (git 10059e9, built 2026-12-06)": what --version prints on all three binaries.
std::string version_line(std::string_view program);

}  // namespace regwatch
