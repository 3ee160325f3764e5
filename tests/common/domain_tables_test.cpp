// The checked-in C++ tables must agree with the sourced CSVs they were generated
// from (tools/gen_domain_tables.py), for the codes correlation depends on.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/domain_tables.h"

namespace regwatch::domain {
namespace {

TEST(DomainTables, KnowsTheReasonCodesThatMatter) {
  EXPECT_EQ(unregistration_reason_name(13), "KeepAliveTimeout");
  EXPECT_EQ(unregistration_reason_name(6), "ConnectivityError");
  EXPECT_EQ(unregistration_reason_name(12), "SCCPDeviceThrottling");
  EXPECT_EQ(unregistration_reason_name(8), "DeviceInitiatedReset");
  EXPECT_EQ(unregistration_reason_name(27), "");  // the table has no 27
  EXPECT_EQ(registration_failure_reason_name(13), "DirectoryNumberMismatch");
  EXPECT_EQ(registration_failure_reason_name(28), "SecurityMismatch");
  EXPECT_EQ(device_type_name(7), "CISCO_7960");
  EXPECT_EQ(device_type_name(592), "");  // unknown codes stay numbers
  EXPECT_EQ(unregistration_reason_meaning(2),
            "Device not configured properly in the CUCM database");
  EXPECT_NE(registration_failure_reason_meaning(13).find("configured DN"), std::string_view::npos)
      << registration_failure_reason_meaning(13);
  EXPECT_EQ(unregistration_reason_meaning(27), "");
}

TEST(DomainTables, TablesAreSortedAndMatchTheCsv) {
  for (auto table : {detail::kUnregistrationReasons, detail::kRegistrationFailureReasons,
                     detail::kDeviceTypes}) {
    for (size_t i = 1; i < table.size(); ++i) EXPECT_LT(table[i - 1].code, table[i].code);
  }
  std::ifstream csv(std::string(REGWATCH_TEST_DATA_DIR) + "/reason_codes.csv");
  ASSERT_TRUE(csv.good());
  std::string line;
  int checked = 0;
  while (std::getline(csv, line)) {
    if (!line.starts_with("EndPointUnregistered.Reason")) continue;
    // code_set,code,name,...: the set name itself has no comma.
    auto first = line.find("),");
    ASSERT_NE(first, std::string::npos);
    auto rest = line.substr(first + 2);
    auto comma = rest.find(',');
    int code = std::stoi(rest.substr(0, comma));
    auto name = rest.substr(comma + 1, rest.find(',', comma + 1) - comma - 1);
    EXPECT_EQ(unregistration_reason_name(code), name) << line;
    ++checked;
  }
  EXPECT_GE(checked, 28);
}

}  // namespace
}  // namespace regwatch::domain
