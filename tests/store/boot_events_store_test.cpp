// The boot chain's DHCP and file events (issue 22) are stored under the phone they name, so that
// `regwatch events --device` and `regwatch explain` (a query by device) find them beside its
// registrations; and incidents reported at a TFTP server are found by that scope type.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "collector/store/event_reader.h"
#include "collector/store/event_rows.h"
#include "collector/store/event_writer.h"
#include "collector/store/incident_reader.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;

const std::string kPhone = "SEP0017943A98BA";

v1::Event boot_event(uint64_t seq, v1::EventKind kind) {
  v1::Event e;
  e.set_agent_id("a");
  e.set_seq(seq);
  e.set_event_time_us(static_cast<int64_t>(seq) * 1000);
  e.set_source(v1::SOURCE_BOOT);
  e.set_origin("agent-1");
  e.set_kind(kind);
  return e;
}

TEST(BootEventsStore, DhcpAndFileEventsNameTheirPhone) {
  v1::Event lease = boot_event(1, v1::DHCP_LEASE);
  lease.mutable_dhcp()->set_device_name(kPhone);
  EXPECT_EQ(columns_of(lease).device, kPhone);
  v1::Event file = boot_event(2, v1::BOOT_FILE_FETCHED);
  file.mutable_boot_file()->set_device_name(kPhone);
  EXPECT_EQ(columns_of(file).device, kPhone);
  v1::Event server = boot_event(3, v1::TFTP_SERVER_UNANSWERED);
  server.mutable_tftp_server()->set_server("10.1.1.5");
  EXPECT_TRUE(columns_of(server).device.empty());  // a server, not a phone
}

TEST(BootEventsStore, ExplainsQueryByDeviceFindsThem) {
  char templ[] = "/tmp/regwatch-boot-store-XXXXXX";
  const fs::path dir = mkdtemp(templ);
  const std::string path = regwatch::test::test_store_location((dir / "events.db").string());
  {
    auto writer = EventWriter::open(path);
    ASSERT_TRUE(writer.ok());
    std::vector<v1::Event> batch;
    batch.push_back(boot_event(1, v1::DHCP_LEASE));
    batch.back().mutable_dhcp()->set_device_name(kPhone);
    batch.back().mutable_dhcp()->set_leased_ip("10.88.3.17");
    batch.push_back(boot_event(2, v1::BOOT_FILE_FETCHED));
    batch.back().mutable_boot_file()->set_device_name(kPhone);
    batch.push_back(boot_event(3, v1::BOOT_STALLED));
    batch.back().mutable_phone()->set_device_name(kPhone);
    batch.push_back(boot_event(4, v1::BOOT_FILE_FETCHED));
    batch.back().mutable_boot_file()->set_device_name("SEP000000000001");  // another phone
    ASSERT_TRUE((*writer)->insert_batch(batch, 1).ok());
    auto reader = std::move(EventReader::open(path)).value();
    v1::EventQuery q;
    q.set_device(kPhone);
    q.set_oldest_first(true);
    auto found = reader->query(q);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->events_size(), 3);
    EXPECT_EQ(found->events(0).event().kind(), v1::DHCP_LEASE);
    EXPECT_EQ(found->events(1).event().kind(), v1::BOOT_FILE_FETCHED);
    EXPECT_EQ(found->events(2).event().kind(), v1::BOOT_STALLED);
  }
  fs::remove_all(dir);
}

TEST(BootEventsStore, IncidentsAtATftpServerAreFoundByItsScopeType) {
  auto typed = parse_scope_filter("tftp_server:10.1.1.5");
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(typed->type, "tftp_server");
  EXPECT_EQ(typed->name, "10.1.1.5");
  auto any_server = parse_scope_filter("tftp_server");
  ASSERT_TRUE(any_server.ok());
  EXPECT_EQ(any_server->type, "tftp_server");
  EXPECT_TRUE(any_server->name.empty());
}

}  // namespace
}  // namespace regwatch::collector::store
