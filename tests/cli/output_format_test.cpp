#include "cli/output_format.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/reports/event_report.h"

namespace regwatch::cli {
namespace {

v1::EventList sample() {
  v1::EventList list;
  auto* phone = list.add_events();
  phone->set_id(7);
  phone->set_store_time_us(1435818152000000);
  auto* e = phone->mutable_event();
  e->set_agent_id("a1");
  e->set_seq(3);
  e->set_event_time_us(1435818151454000);
  e->set_receive_time_us(1435818151500000);
  e->set_origin("uc-ucm-01");
  e->set_source(v1::SOURCE_SYSLOG);
  e->set_kind(v1::PHONE_UNREGISTERED);
  e->set_raw("line, with \"quotes\"\nand a newline");
  auto* p = e->mutable_phone();
  p->set_device_name("SEPE0D1730A8137");
  p->set_ip("10.60.98.210");
  p->set_reason_code(13);
  p->set_reason("KeepAliveTimeout");
  auto* link = list.add_events();
  link->set_id(8);
  link->mutable_event()->set_kind(v1::LINK_DOWN);
  link->mutable_event()->mutable_interface()->set_interface("Gi1/0/12");
  link->mutable_event()->mutable_interface()->set_state("down");
  auto* other = list.add_events();
  other->set_id(9);
  other->mutable_event()->set_kind(v1::SYSLOG_OTHER);
  other->mutable_event()->mutable_syslog()->set_text("something else");
  return list;
}

TEST(OutputFormat, JsonIsAnArrayOfFlatObjects) {
  std::ostringstream out;
  write_events(out, sample(), Format::kJson);
  auto json = nlohmann::json::parse(out.str());
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 3u);
  const auto& phone = json[0];
  EXPECT_EQ(phone["id"], 7);
  EXPECT_EQ(phone["device"], "SEPE0D1730A8137");
  EXPECT_EQ(phone["ip"], "10.60.98.210");
  EXPECT_EQ(phone["reason_code"], 13);
  EXPECT_EQ(phone["reason"], "KeepAliveTimeout");
  EXPECT_EQ(phone["kind"], "phone_unregistered");
  EXPECT_EQ(phone["source"], "syslog");
  EXPECT_EQ(phone["event_time"], "2015-07-02T06:22:31.454Z");
  EXPECT_FALSE(phone.contains("device_name"));
  for (const auto& item : phone.items()) EXPECT_FALSE(item.value().is_object()) << item.key();
  EXPECT_EQ(json[1]["interface"], "Gi1/0/12");
  EXPECT_FALSE(json[1].contains("device"));  // fields of payloads that are not set are omitted
  EXPECT_EQ(json[2]["syslog_text"], "something else");
}

TEST(OutputFormat, ReasonCodeIsNullWhenAbsent) {
  v1::EventList list;
  list.add_events()->mutable_event()->mutable_phone()->set_device_name("SEP1");
  auto json = reports::event_object(list.events(0));
  EXPECT_TRUE(json["reason_code"].is_null());
}

TEST(OutputFormat, JsonlIsOneObjectPerLine) {
  std::ostringstream out;
  write_events(out, sample(), Format::kJsonl);
  std::istringstream lines(out.str());
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(nlohmann::json::parse(line).is_object());
    ++n;
  }
  EXPECT_EQ(n, 3);
}

TEST(OutputFormat, CsvQuotesAndHasAStableHeader) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  std::ostringstream out;
  write_events(out, sample(), Format::kCsv);
  const std::string text = out.str();
  const std::string header = text.substr(0, text.find('\n'));
  EXPECT_EQ(header.rfind("id,agent_id,seq,event_time", 0), 0u);
  EXPECT_NE(header.find(",device,"), std::string::npos);
  EXPECT_NE(header.find(",interface"), std::string::npos);
  EXPECT_NE(text.find("\"line, with \"\"quotes\"\"\nand a newline\""), std::string::npos);
}

TEST(OutputFormat, TableAndEmptyResult) {
  std::ostringstream out;
  write_events(out, sample(), Format::kTable);
  EXPECT_NE(out.str().find("EVENT TIME"), std::string::npos);
  EXPECT_NE(out.str().find("13 KeepAliveTimeout"), std::string::npos);
  EXPECT_NE(out.str().find("Gi1/0/12"), std::string::npos);
  std::ostringstream empty;
  write_events(empty, v1::EventList(), Format::kTable);
  EXPECT_EQ(empty.str(), "no events match\n");
  EXPECT_FALSE(parse_format("xml").has_value());
}

}  // namespace
}  // namespace regwatch::cli
