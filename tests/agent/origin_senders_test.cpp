// The sender list: a listed origin from an address not allowed for it is flagged spoofed
// and counted; everything else passes untouched.
#include "agent/app/origin_senders.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace regwatch::agent {
namespace {

regwatch::v1::Event from(const std::string& origin, const std::string& sender) {
  regwatch::v1::Event e;
  e.set_kind(regwatch::v1::PHONE_UNREGISTERED);
  e.set_origin(origin);
  if (!sender.empty()) e.mutable_provenance()->set_sender_address(sender);
  return e;
}

TEST(OriginSenders, FlagsAListedOriginFromAnotherAddress) {
  OriginSenders senders({{"cucm-pub", {"10.0.0.5", "10.0.9.0/24"}}, {"sw-3f", {"2001:db8::7"}}});
  auto own = from("cucm-pub", "10.0.0.5");
  auto relay = from("CUCM-PUB.voice.example.net", "10.0.9.20");  // case and domain do not matter
  auto forged = from("cucm-pub", "10.0.0.6");
  auto forged_v6 = from("sw-3f.example.net", "2001:db8::8");
  EXPECT_FALSE(senders.check(own));
  EXPECT_FALSE(senders.check(relay));
  EXPECT_TRUE(senders.check(forged));
  EXPECT_TRUE(senders.check(forged_v6));
  EXPECT_FALSE(own.provenance().spoofed());
  EXPECT_FALSE(relay.provenance().spoofed());
  EXPECT_TRUE(forged.provenance().spoofed());
  EXPECT_TRUE(forged_v6.provenance().spoofed());
  EXPECT_EQ(senders.spoofed(), 2u);
}

TEST(OriginSenders, LeavesUnlistedOriginsAndReplayAlone) {
  OriginSenders senders(std::vector<OriginSenderConfig>{{"cucm-pub", {"10.0.0.5"}}});
  auto unlisted = from("cucm-sub1", "10.0.0.99");
  auto replayed = from("cucm-pub", "");  // an archive has no sender
  EXPECT_FALSE(senders.check(unlisted));
  EXPECT_FALSE(senders.check(replayed));
  EXPECT_FALSE(replayed.has_provenance());
  EXPECT_EQ(senders.spoofed(), 0u);
  OriginSenders none(std::vector<OriginSenderConfig>{});
  auto any = from("cucm-pub", "10.0.0.6");
  EXPECT_FALSE(none.check(any));
}

TEST(OriginSenders, ConfigIsReadAndBadEntriesAreNamed) {
  char templ[] = "/tmp/regwatch-config-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  const auto good = (dir / "good.yaml").string();
  std::ofstream(good)
      << "origin_senders:\n  - origin: cucm-pub\n    from: [10.0.0.5, 10.0.9.0/24]\n";
  auto loaded = load_agent_config(good);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->origin_senders.size(), 1u);
  EXPECT_EQ(loaded->origin_senders[0].from.size(), 2u);
  const auto bad = (dir / "bad.yaml").string();
  std::ofstream(bad) << "origin_senders:\n  - origin: cucm-pub\n    from: [10.0.0.5/16]\n"
                        "  - from: [10.0.0.7]\n  - origin: sw-1\n";
  auto refused = load_agent_config(bad);
  ASSERT_FALSE(refused.ok());
  const auto& message = refused.error().message;
  EXPECT_NE(message.find("10.0.0.0/16"), std::string::npos) << message;  // says what was meant
  EXPECT_NE(message.find("origin: is required"), std::string::npos) << message;
  EXPECT_NE(message.find("needs at least one address"), std::string::npos) << message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace regwatch::agent
