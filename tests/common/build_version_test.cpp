// What --version prints and what the build recorded (common/build_version.h).
#include "common/build_version.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace regwatch {
namespace {

TEST(BuildVersionTest, LineNamesProgramVersionRevisionAndDate) {
  EXPECT_EQ(version_line("regwatch-collector"),
            "regwatch-collector " + std::string(build_version()) + " (git " +
                std::string(build_revision()) + ", built " + std::string(build_date()) + ")");
}

TEST(BuildVersionTest, FieldsHaveTheirShapes) {
  EXPECT_TRUE(std::regex_match(std::string(build_version()), std::regex(R"(\d+\.\d+\.\d+)")));
  // A short hash, maybe -dirty; "unknown" outside a checkout; or what -DREGWATCH_GIT_REVISION
  // named (a word).
  EXPECT_TRUE(std::regex_match(std::string(build_revision()),
                               std::regex(R"([0-9a-f]{7,40}(-dirty)?|unknown|[\w.+-]+)")))
      << build_revision();
  EXPECT_TRUE(std::regex_match(std::string(build_date()), std::regex(R"(\d{4}-\d{2}-\d{2})")))
      << build_date();
}

}  // namespace
}  // namespace regwatch
