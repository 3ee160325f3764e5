// ConfigStampHolder: what status and /metrics say about the running config and its reloads.
#include "common/config_stamp.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace regwatch::config {
namespace {

TEST(ConfigStampTest, FileSha256IsWhatSha256sumPrints) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("regwatch-stamp-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "abc";
  }
  auto hashed = file_sha256_hex(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(hashed.ok());
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(*hashed, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_FALSE(file_sha256_hex(path.string()).ok());
}

TEST(ConfigStampTest, ReloadsAreRecordedAndExposed) {
  metrics::Registry registry;
  ConfigStampHolder holder(registry, "regwatch_test");
  holder.loaded("/etc/regwatch/collector.yaml", "aa", 1'000'000);
  EXPECT_EQ(holder.get().loaded_at_us, 1'000'000);
  EXPECT_EQ(holder.get().reload_at_us, 0);  // a start, not a reload
  EXPECT_TRUE(holder.get().reload_ok);

  holder.reload_refused("collector.yaml:3: listen: not HOST:PORT", 2'000'000);
  auto stamp = holder.get();
  EXPECT_FALSE(stamp.reload_ok);
  EXPECT_EQ(stamp.sha256, "aa");  // the running config's, not the refused one's
  EXPECT_EQ(stamp.loaded_at_us, 1'000'000);
  EXPECT_EQ(stamp.reload_at_us, 2'000'000);
  EXPECT_NE(registry.exposition().find("regwatch_test_config_last_reload_successful 0"),
            std::string::npos);

  holder.loaded("/etc/regwatch/collector.yaml", "bb", 3'000'000);
  holder.needs_restart({"listen"});
  stamp = holder.get();
  EXPECT_TRUE(stamp.reload_ok);
  EXPECT_TRUE(stamp.reload_error.empty());
  EXPECT_EQ(stamp.sha256, "bb");
  EXPECT_EQ(stamp.reload_at_us, 3'000'000);
  EXPECT_EQ(stamp.needs_restart, std::vector<std::string>{"listen"});
  const std::string text = registry.exposition();
  EXPECT_NE(text.find("regwatch_test_config_last_reload_successful 1"), std::string::npos);
  EXPECT_NE(text.find("regwatch_test_config_last_reload_success_timestamp_seconds 3"),
            std::string::npos);
}

}  // namespace
}  // namespace regwatch::config
