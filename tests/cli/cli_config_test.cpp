// The CLI's config files (cli/cli_config.h): where they are looked for, how they layer, what a
// broken one says, the token file; and the shipped example loads.
#include "cli/cli_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace regwatch::cli {
namespace {

class CliConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("regwatch-cli-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(CliConfigTest, FilesAreTheExplicitOneOrSystemThenUser) {
  auto only = cli_config_files("/tmp/x.yaml", "/home/ann", "");
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].path, "/tmp/x.yaml");
  EXPECT_TRUE(only[0].required);
  auto layered = cli_config_files("", "/home/ann", "");
  ASSERT_EQ(layered.size(), 2u);
  EXPECT_EQ(layered[0].path, "/etc/regwatch/cli.yaml");
  EXPECT_EQ(layered[1].path, "/home/ann/.config/regwatch/cli.yaml");
  EXPECT_FALSE(layered[1].required);
  auto xdg = cli_config_files("", "/home/ann", "/home/ann/xdg");
  EXPECT_EQ(xdg.back().path, "/home/ann/xdg/regwatch/cli.yaml");
}

TEST_F(CliConfigTest, ALaterFileOverridesOnlyTheKeysItSets) {
  CliSettings s;
  ASSERT_TRUE(apply_cli_config_file(
                  write("system.yaml", "collector: c1:7443\ntimeout: 30\ntz: Europe/Berlin\n"), s)
                  .ok());
  ASSERT_TRUE(apply_cli_config_file(write("user.yaml", "collector: c2:7443\n"), s).ok());
  EXPECT_EQ(s.collector, "c2:7443");
  EXPECT_EQ(s.timeout, 30);
  EXPECT_EQ(s.tz, "Europe/Berlin");
  EXPECT_EQ(s.format, "table");  // the default, set by neither
}

TEST_F(CliConfigTest, ABrokenFileSaysFileAndLine) {
  CliSettings s;
  const std::string typo = write("typo.yaml", "collector: c1:7443\ntoken_fil: /x\ntimeout: 0\n");
  auto r = apply_cli_config_file(typo, s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(typo + ":2:"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("token_file"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(typo + ":3:"), std::string::npos) << r.error().message;
  EXPECT_EQ(s.collector, "127.0.0.1:7443");  // nothing of a refused file is applied
  const std::string syntax = write("syntax.yaml", "collector: [c1\n");
  auto bad = apply_cli_config_file(syntax, s);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(syntax + ":"), std::string::npos) << bad.error().message;
  auto format = apply_cli_config_file(write("format.yaml", "format: xml\n"), s);
  ASSERT_FALSE(format.ok());
  EXPECT_NE(format.error().message.find("jsonl"), std::string::npos);
}

TEST_F(CliConfigTest, TheShippedExampleLoads) {
  CliSettings s;
  auto r = apply_cli_config_file(std::string(REGWATCH_SOURCE_DIR) + "/deploy/cli.example.yaml", s);
  ASSERT_TRUE(r.ok()) << r.error().message;
}

TEST_F(CliConfigTest, TokenFileIsTrimmedAndOpenOnesAreWarnedAbout) {
  const std::string path = write("token", "s3cret\n");
  ::chmod(path.c_str(), 0600);
  std::string warning;
  auto token = read_token_file(path, warning);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "s3cret");
  EXPECT_TRUE(warning.empty());
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(read_token_file(path, warning).ok());
  EXPECT_NE(warning.find("chmod o-r"), std::string::npos) << warning;
  EXPECT_FALSE(read_token_file(write("empty", "\n"), warning).ok());
  EXPECT_FALSE(read_token_file(write("two", "a\nb\n"), warning).ok());
  auto missing = read_token_file((dir_ / "absent").string(), warning);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("absent"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::cli
