#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "agent/app/replay_identity.h"
#include "agent/app/replay_outcome.h"

namespace regwatch::agent {
namespace {

namespace fs = std::filesystem;

class ReplayIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-replay-id-XXXXXX";
    dir_ = mkdtemp(templ);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(ReplayIdentityTest, DigestIsTheSha256OfTheContentsInOrder) {
  // sha256("abc"), and of "a" then "bc" read as one stream.
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_EQ(*archive_digest({write("abc", "abc")}), abc);
  EXPECT_EQ(*archive_digest({write("a", "a"), write("bc", "bc")}), abc);
  EXPECT_NE(*archive_digest({write("bc", "bc"), write("a", "a")}), abc);
  auto missing = archive_digest({(dir_ / "none").string()});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "replay_unreadable");
}

TEST_F(ReplayIdentityTest, DefaultIdComesFromTheArchiveAndForcedIdWins) {
  const std::string digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const auto derived = make_replay_identity("a1", "/var/spool/rw", digest, "");
  EXPECT_EQ(derived.agent_id, "a1/replay-ba7816bf8f01");
  EXPECT_TRUE(derived.from_content);
  // Its own spool under the configured one, never the live spool itself.
  EXPECT_EQ(derived.spool_dir.parent_path(), fs::path("/var/spool/rw"));
  EXPECT_EQ(derived.spool_dir.filename().string().rfind("replay-", 0), 0u);
  EXPECT_EQ(make_replay_identity("a1", "/var/spool/rw", digest, "").spool_dir, derived.spool_dir);

  const auto forced = make_replay_identity("a1", "/var/spool/rw", digest, "a1");
  EXPECT_EQ(forced.agent_id, "a1");
  EXPECT_FALSE(forced.from_content);
  EXPECT_NE(forced.spool_dir, derived.spool_dir);
  EXPECT_EQ(forced.spool_dir.parent_path(), fs::path("/var/spool/rw"));
  // Any id is a safe directory name.
  EXPECT_EQ(make_replay_identity("a1", "/s", digest, "../../etc").spool_dir.parent_path(),
            fs::path("/s"));
}

TEST(ReplayVerdict, EverythingNewIsSuccess) {
  const auto v = judge_replay({.read = 15, .stored = 15}, "a1/replay-x", true, false);
  EXPECT_TRUE(v.all_stored);
  EXPECT_NE(v.message.find("stored all 15"), std::string::npos) << v.message;
  // Duplicates of our own resends (a lost ack) are not "already stored".
  EXPECT_TRUE(
      judge_replay({.read = 15, .stored = 10, .duplicates = 5}, "x", false, false).all_stored);
}

TEST(ReplayVerdict, TheSameArchiveAgainIsAlreadyStored) {
  const auto again = judge_replay({.read = 15, .duplicates = 15, .unexpected_duplicates = 15},
                                  "a1/replay-x", true, false);
  EXPECT_TRUE(again.all_stored);
  EXPECT_EQ(again.message.rfind("already stored: this archive was replayed before", 0), 0u)
      << again.message;
  const auto resumed =
      judge_replay({.read = 15, .stored = 5, .duplicates = 10, .unexpected_duplicates = 10},
                   "a1/replay-x", true, false);
  EXPECT_TRUE(resumed.all_stored);
  EXPECT_NE(resumed.message.find("interrupted"), std::string::npos) << resumed.message;
}

TEST(ReplayVerdict, DuplicatesUnderAGivenIdAreNotAllStoredUnlessAllowed) {
  const ReplayTally partial{.read = 20, .stored = 5, .duplicates = 15, .unexpected_duplicates = 15};
  const auto refused = judge_replay(partial, "a1", false, false);
  EXPECT_FALSE(refused.all_stored);
  EXPECT_NE(refused.message.find("15 of 20"), std::string::npos) << refused.message;
  EXPECT_NE(refused.message.find("--allow-duplicates"), std::string::npos);
  EXPECT_TRUE(judge_replay(partial, "a1", false, true).all_stored);
  EXPECT_FALSE(
      judge_replay({.read = 20, .duplicates = 20, .unexpected_duplicates = 20}, "a1", false, false)
          .all_stored);
}

TEST(ReplayVerdict, SpoolDropsAreNeverAllStored) {
  const ReplayTally dropped{.read = 20, .spool_dropped = 3, .stored = 17};
  EXPECT_FALSE(judge_replay(dropped, "a1/replay-x", true, true).all_stored);
  EXPECT_NE(judge_replay(dropped, "x", true, false).message.find("dropped 3 of 20"),
            std::string::npos);
}

}  // namespace
}  // namespace regwatch::agent
