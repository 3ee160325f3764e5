// open_store_backend: a path is SQLite, whose sink and source see the same events; a
// PostgreSQL URL is refused with a clear error (not built in yet), as is an unknown scheme.
#include "collector/store/store_backend.h"
#include "tests/store/test_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;

// A path on SQLite, a URL on PostgreSQL ($REGWATCH_TEST_STORE): either way one store.
TEST(StoreBackendTest, APathIsSqliteWhoseSinkAndSourceShareTheEvents) {
  char templ[] = "/tmp/regwatch-backend-XXXXXX";
  const fs::path dir = mkdtemp(templ);
  const std::string path = regwatch::test::test_store_location((dir / "events.db").string());
  auto backend = open_store_backend(path);
  ASSERT_TRUE(backend.ok()) << backend.error().message;
  EXPECT_EQ((*backend)->name(), regwatch::test::testing_postgresql() ? "postgresql" : "sqlite");
  auto sink = (*backend)->open_sink();
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  EXPECT_GT((*sink)->schema_version(), 0);
  v1::Event event;
  event.set_agent_id("a1");
  event.set_seq(1);
  event.set_event_time_us(1000);
  event.set_kind(v1::LINK_DOWN);
  auto stored = (*sink)->insert_batch(std::span(&event, 1), 2000);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->stored, 1u);
  auto source = (*backend)->open_source();
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto status = (*source)->status();
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->total_events(), 1u);
  fs::remove_all(dir);
}

TEST(StoreBackendTest, APostgresqlUrlOpensThePostgresqlBackendAndNeverShowsItsPassword) {
  for (const char* url : {"postgresql://regwatch:s3cret@db.invalid/regwatch",
                          "postgres://regwatch:s3cret@db.invalid/regwatch"}) {
    auto backend = open_store_backend(url);
    ASSERT_TRUE(backend.ok()) << url << ": " << backend.error().message;
    EXPECT_EQ((*backend)->name(), "postgresql");
    EXPECT_FALSE((*backend)->is_local_file());
    EXPECT_EQ((*backend)->shown_location().find("s3cret"), std::string::npos)
        << (*backend)->shown_location();
  }
  auto file = open_store_backend("/var/lib/regwatch/regwatch.db");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->name(), "sqlite");
  EXPECT_TRUE((*file)->is_local_file());
  EXPECT_EQ((*file)->shown_location(), "/var/lib/regwatch/regwatch.db");
}

TEST(StoreBackendTest, AnUnknownSchemeIsRefusedByName) {
  auto backend = open_store_backend("mysql://db/regwatch");
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.error().code, "store_backend");
  EXPECT_NE(backend.error().message.find("unknown store backend 'mysql://'"), std::string::npos)
      << backend.error().message;
}

}  // namespace
}  // namespace regwatch::collector::store
