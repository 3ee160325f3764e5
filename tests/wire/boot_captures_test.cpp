// The boot chain's scenarios as real captures (tests/data/boot/*.pcap: simulated phones against
// dnsmasq's DHCP and TFTP and a simulated CM, recorded in network namespaces by
// tests/integration/test_boot_chain.py's harness): each replayed through WireCapture gives the
// events and the stall its scenario is about, by packet time, as live capture gives them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agent/capture/pcap_source.h"
#include "agent/wire/wire_capture.h"
#include "common/event_kind.h"

namespace regwatch::agent::boot {
namespace {

using regwatch::v1::Event;

std::vector<Event> replay(const std::string& name) {
  std::vector<Event> events;
  wire::WireCapture wire(wire::WireSettings{}, [&](Event e) { events.push_back(std::move(e)); });
  EXPECT_TRUE(wire.start().ok());
  auto source =
      capture::PcapSource::open_file(std::string(REGWATCH_TEST_DATA_DIR) + "/boot/" + name);
  EXPECT_TRUE(source.ok()) << name;
  if (!source.ok()) return events;
  const int link = (*source)->link_type();
  int64_t last_us = 0;
  while (true) {
    auto n = (*source)->read(
        256, [&](int64_t t, std::span<const uint8_t> frame) { wire.on_packet(link, t, frame); });
    if (!n.ok() || *n < 0) break;
  }
  wire.finish(last_us);  // as the agent's replay does at a capture's end
  return events;
}

std::string describe(const std::vector<Event>& events) {
  std::string out;
  for (const auto& e : events) {
    out += kind_name(e.kind());
    if (e.has_boot_file()) out += " " + e.boot_file().file() + " " + e.boot_file().failure();
    if (e.has_phone()) out += " " + e.phone().device_name() + " " + e.phone().boot().rule();
    out += "\n";
  }
  return out;
}

size_t count(const std::vector<Event>& events, regwatch::v1::EventKind kind) {
  return static_cast<size_t>(std::count_if(events.begin(), events.end(),
                                           [&](const Event& e) { return e.kind() == kind; }));
}

std::vector<std::string> stall_rules(const std::vector<Event>& events) {
  std::vector<std::string> rules;
  for (const auto& e : events) {
    if (e.kind() == regwatch::v1::BOOT_STALLED) rules.push_back(e.phone().boot().rule());
  }
  return rules;
}

std::vector<Event> of(const std::vector<Event>& events, regwatch::v1::EventKind kind) {
  std::vector<Event> out;
  std::copy_if(events.begin(), events.end(), std::back_inserter(out),
               [&](const Event& e) { return e.kind() == kind; });
  return out;
}

TEST(BootCaptures, HealthyPhonesLeaseFetchTheirFilesAndRegisterWithoutAStall) {
  const auto events = replay("healthy.pcap");
  SCOPED_TRACE(describe(events));
  const auto leases = of(events, regwatch::v1::DHCP_LEASE);
  ASSERT_EQ(leases.size(), 3u);
  for (const auto& lease : leases) {
    ASSERT_EQ(lease.dhcp().tftp_servers_size(), 1);
    EXPECT_EQ(lease.dhcp().tftp_servers(0), "10.77.0.1");
    EXPECT_TRUE(lease.dhcp().cisco_phone());
  }
  size_t configs = 0;
  for (const auto& e : of(events, regwatch::v1::BOOT_FILE_FETCHED)) {
    if (e.boot_file().file_kind() != "config_signed") continue;
    ++configs;
    ASSERT_EQ(e.boot_file().cm_group_size(), 1) << e.boot_file().file();
    EXPECT_EQ(e.boot_file().cm_group(0), "10.77.0.10");
  }
  EXPECT_EQ(configs, 3u);
  EXPECT_EQ(count(events, regwatch::v1::PHONE_REGISTERED), 3u);
  EXPECT_TRUE(stall_rules(events).empty());
}

TEST(BootCaptures, PhonesThatTryHttpFirstAreFollowedOverHttp) {
  const auto events = replay("healthy_http.pcap");
  SCOPED_TRACE(describe(events));
  size_t over_http = 0;
  for (const auto& e : events) {
    if (e.has_boot_file() && e.boot_file().protocol() == "http") ++over_http;
  }
  EXPECT_GE(over_http, 3u);
  EXPECT_EQ(count(events, regwatch::v1::PHONE_REGISTERED), 3u);
  EXPECT_TRUE(stall_rules(events).empty());
}

TEST(BootCaptures, EachFaultScenarioStallsEveryPhoneByItsRule) {
  const std::vector<std::pair<std::string, std::string>> scenarios = {
      {"config_loop.pcap", "config_loop"},
      {"firmware_loop.pcap", "firmware_loop"},
      {"not_provisioned.pcap", "not_provisioned"},
      {"wrong_tftp.pcap", "wrong_cm_group"},
  };
  for (const auto& [file, rule] : scenarios) {
    const auto events = replay(file);
    SCOPED_TRACE(file + "\n" + describe(events));
    EXPECT_EQ(stall_rules(events), std::vector<std::string>(3, rule));
    EXPECT_EQ(count(events, regwatch::v1::PHONE_REGISTERED), 0u);
  }
}

TEST(BootCaptures, TheTftpServerTheWrongPhonesRegisteredToIsNamed) {
  for (const auto& e : of(replay("wrong_tftp.pcap"), regwatch::v1::BOOT_STALLED)) {
    EXPECT_EQ(e.phone().boot().cm_address(), "10.77.0.1");
    EXPECT_EQ(e.phone().boot().tftp_server(), "10.77.0.1");
    ASSERT_EQ(e.phone().boot().cm_group_size(), 1);
    EXPECT_EQ(e.phone().boot().cm_group(0), "10.77.0.10");
  }
}

TEST(BootCaptures, APhoneLeasedWithoutOption150IsFlagged) {
  const auto events = replay("no_option_150.pcap");
  SCOPED_TRACE(describe(events));
  EXPECT_EQ(count(events, regwatch::v1::DHCP_NO_TFTP_OPTION), 3u);
  for (const auto& e : of(events, regwatch::v1::DHCP_LEASE))
    EXPECT_EQ(e.dhcp().tftp_servers_size(), 0);
}

TEST(BootCaptures, RequestsToADownTftpServerAreUnanswered) {
  const auto events = replay("tftp_down.pcap");
  SCOPED_TRACE(describe(events));
  const auto failed = of(events, regwatch::v1::BOOT_FILE_FAILED);
  ASSERT_GE(failed.size(), 3u);
  for (const auto& e : failed) EXPECT_EQ(e.boot_file().failure(), "no_answer");
}

}  // namespace
}  // namespace regwatch::agent::boot
