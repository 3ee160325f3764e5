#include "common/event_kind.h"

#include <gtest/gtest.h>

#include "common/device_name.h"

namespace regwatch {
namespace {

TEST(EventKind, RoundTripsEveryKind) {
  auto names = all_kind_names();
  ASSERT_GE(names.size(), 17u);
  for (const auto& name : names) {
    auto kind = parse_kind(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_EQ(kind_name(*kind), name);
  }
  EXPECT_EQ(kind_name(v1::PHONE_UNREGISTERED), "phone_unregistered");
  EXPECT_FALSE(parse_kind("unspecified").has_value());
  EXPECT_FALSE(parse_kind("nonsense").has_value());
  EXPECT_EQ(source_name(v1::SOURCE_SNMP_TRAP), "snmp_trap");
}

TEST(DeviceName, DerivesMacFromSepNames) {
  EXPECT_EQ(mac_from_device_name("SEP0017943A98BA"), "00:17:94:3a:98:ba");
  EXPECT_EQ(mac_from_device_name("SEPE0D1730A8137"), "e0:d1:73:0a:81:37");
  EXPECT_EQ(mac_from_device_name("NONSECURE_CONF"), "");
  EXPECT_EQ(mac_from_device_name("SEP0017943A98B"), "");
  EXPECT_EQ(mac_from_device_name("SEP0017943A98BG"), "");
}

TEST(DeviceName, ListsEveryNameThatCarriesAMac) {
  const auto names = device_names_with_mac("00:17:94:3a:98:ba");
  EXPECT_EQ(names,
            (std::vector<std::string>{"SEP0017943A98BA", "ATA0017943A98BA", "BAT0017943A98BA",
                                      "AN0017943A98BA", "VGC0017943A98BA"}));
  for (const auto& name : names) EXPECT_EQ(mac_from_device_name(name), "00:17:94:3a:98:ba");
  EXPECT_TRUE(device_names_with_mac("00:17:94:3a:98").empty());
  EXPECT_TRUE(device_names_with_mac("00:17:94:3a:98:bg").empty());
}

TEST(DeviceName, FoldsAsciiLettersOnly) {
  EXPECT_EQ(folded_device_name("sep0017943a98ba"), "SEP0017943A98BA");
  EXPECT_EQ(folded_device_name("CSFj_smith-2.x"), "CSFJ_SMITH-2.X");
  // Bytes past ASCII stay as they are: SQLite's NOCASE folded only ASCII too.
  EXPECT_EQ(folded_device_name("T\xC3\xA9l\xC3\xA9phone"), "T\xC3\xA9L\xC3\xA9PHONE");
  EXPECT_EQ(folded_device_name(""), "");
}

}  // namespace
}  // namespace regwatch
