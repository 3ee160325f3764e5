#include "agent/snmp/ccm_tables.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace regwatch::agent::snmp {
namespace {

std::string date(int year, int month, int day, int h, int m, int s, int ds, char dir = 0,
                 int oh = 0, int om = 0) {
  std::string o = {static_cast<char>(year >> 8), static_cast<char>(year & 0xff),
                   static_cast<char>(month),     static_cast<char>(day),
                   static_cast<char>(h),         static_cast<char>(m),
                   static_cast<char>(s),         static_cast<char>(ds)};
  if (dir) {
    o.push_back(dir);
    o.push_back(static_cast<char>(oh));
    o.push_back(static_cast<char>(om));
  }
  return o;
}

TEST(CcmTables, DecodesDateAndTime) {
  auto t = date_and_time_to_unix_us(date(2026, 11, 20, 9, 14, 31, 5, '+', 1, 0));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_rfc3339_ms(*t), "2026-11-20T08:14:31.500Z");
  EXPECT_EQ(format_rfc3339_ms(*date_and_time_to_unix_us(date(2026, 11, 20, 9, 14, 31, 0))),
            "2026-11-20T09:14:31.000Z");
  EXPECT_FALSE(date_and_time_to_unix_us("short").has_value());
  EXPECT_FALSE(date_and_time_to_unix_us(date(2026, 13, 1, 0, 0, 0, 0)).has_value());
  EXPECT_FALSE(date_and_time_to_unix_us(date(2026, 1, 1, 0, 0, 0, 0, '*', 0, 0)).has_value());
}

TEST(CcmTables, CursorBaselinesThenFollowsAndSurvivesAReset) {
  TableCursor cursor;
  EXPECT_FALSE(cursor.advance(120, 500).has_value());  // baseline: no backfill
  EXPECT_FALSE(cursor.advance(120, 500).has_value());  // nothing new
  auto next = cursor.advance(125, 500);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->after, 120u);
  EXPECT_EQ(next->through, 125u);
  auto reset = cursor.advance(3, 500);  // CUCM's SNMP service restarted
  ASSERT_TRUE(reset.has_value());
  EXPECT_TRUE(reset->reset);
  EXPECT_EQ(reset->after, 0u);
  EXPECT_EQ(reset->through, 3u);
  auto flood = cursor.advance(5003, 500);  // more than one poll may read: the newest 500
  ASSERT_TRUE(flood.has_value());
  EXPECT_EQ(flood->after, 4503u);
}

TEST(CcmTables, StatusUpdatesBecomePhoneEventsWithCucmTime) {
  StatusUpdateRow row;
  row.update_type = 3;
  row.unreg_reason = 13;
  row.device_name = "SEP0017943A98BA";
  row.ip = "10.20.31.99";
  row.update_time = date(2026, 11, 20, 9, 14, 31, 0, '+', 0, 0);
  auto e = status_update_event(row, "ucm-sub1", 1);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind(), v1::PHONE_UNREGISTERED);
  EXPECT_EQ(format_rfc3339_ms(e->event_time_us()), "2026-11-20T09:14:31.000Z");
  EXPECT_EQ(e->phone().reason(), "KeepAliveTimeout");
  EXPECT_EQ(e->phone().mac(), "00:17:94:3a:98:ba");
  EXPECT_EQ(e->source(), v1::SOURCE_SNMP_POLL);
  row.update_type = 4;
  EXPECT_FALSE(status_update_event(row, "ucm-sub1", 1).has_value());
  row.update_type = 2;
  row.update_time = "bad";
  auto registered = status_update_event(row, "ucm-sub1", 77);
  EXPECT_EQ(registered->kind(), v1::PHONE_REGISTERED);
  EXPECT_EQ(registered->event_time_us(), 77);  // no usable CUCM time: the poll's
  EXPECT_TRUE(registered->time_info().device_time_untrusted());
}

TEST(CcmTables, FailedPhonesAreNamedFromTheirMac) {
  FailedRow row;
  row.mac = std::string("\xab\xcd\xef\x12\x34\x56", 6);
  row.ip = "10.20.40.7";
  row.reg_fail_reason = 28;
  row.failed_time = date(2026, 11, 20, 9, 19, 0, 0);
  auto e = failed_phone_event(row, "ucm-pub", 1);
  EXPECT_EQ(e.kind(), v1::PHONE_REGISTRATION_FAILED);
  EXPECT_EQ(e.phone().device_name(), "SEPABCDEF123456");
  EXPECT_EQ(e.phone().mac(), "ab:cd:ef:12:34:56");
  EXPECT_EQ(e.phone().reason(), "SecurityMismatch");
}

}  // namespace
}  // namespace regwatch::agent::snmp
