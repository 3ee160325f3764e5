// Silences with Alertmanager's matchers on a real SQLite file, and silences stored before
// matchers had operators (a JSON object of label: value) still silencing as they did.
#include "collector/store/silence_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "alerts/label_matcher.h"
#include "collector/store/event_writer.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kNow = 1'800'000'000'000'000;
constexpr int64_t kHour = 3600LL * 1'000'000;

class SilenceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-silences-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto events = EventWriter::open(path_);  // creates the schema
    ASSERT_TRUE(events.ok()) << events.error().message;
    auto store = SilenceStore::open(path_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<regwatch::v1::Silence> add(std::vector<const char*> matchers) {
    regwatch::v1::Silence s;
    for (const char* text : matchers) {
      auto m = alerts::LabelMatcher::parse(text);
      EXPECT_TRUE(m.ok()) << text;
      if (m.ok()) *s.add_label_matchers() = alerts::to_proto(*m);
    }
    s.set_ends_us(kNow + kHour);
    s.set_comment("CHG0042");
    return store_->create(s, kNow, alerts::alert_label_names({{"site", "lab-1"}}));
  }

  bool silenced(const alerts::Labels& labels) {
    auto active = store_->list(false, kNow);
    EXPECT_TRUE(active.ok());
    for (const auto& s : *active)
      if (silences(s, labels)) return true;
    return false;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<SilenceStore> store_;
};

TEST_F(SilenceStoreTest, StoresEveryOperatorAndReadsItBack) {
  auto made = add({"scope=~\"ucm-.*\"", "severity!=warning", "cause!~\"cm_.*\""});
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto listed = store_->list(false, kNow);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  auto back = alerts::matchers_of((*listed)[0]);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[0].to_string(), "scope=~\"ucm-.*\"");
  EXPECT_EQ((*back)[1].to_string(), "severity!=\"warning\"");
  EXPECT_EQ((*back)[2].to_string(), "cause!~\"cm_.*\"");
  EXPECT_TRUE(silenced({{"scope", "ucm-sub1"}, {"severity", "critical"}, {"cause", "switch"}}));
  EXPECT_FALSE(silenced({{"scope", "ucm-sub1"}, {"severity", "warning"}}));
  EXPECT_FALSE(silenced({{"scope", "ucm-sub1"}, {"severity", "critical"}, {"cause", "cm_cpu"}}));
  EXPECT_FALSE(silenced({{"scope", "sw-3f"}, {"severity", "critical"}}));
  EXPECT_FALSE(silenced({{"scope", "xucm-sub1"}, {"severity", "critical"}}));  // anchored
}

TEST_F(SilenceStoreTest, OldEqualityRowsStillSilence) {
  // A row as 004_silences.sql's first writers stored it.
  auto db = open_database(path_, false, 5000);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(exec(db->get(),
                   "INSERT INTO silences VALUES ('0123456789abcdef', "
                   "'{\"scope\":\"ucm-sub1\",\"alertname\":\"RegistrationBurst\"}', "
                   "1700000000000000, 1900000000000000, 'ops', 'patching', 1700000000000000)")
                  .ok());
  EXPECT_TRUE(silenced({{"scope", "ucm-sub1"}, {"alertname", "RegistrationBurst"}}));
  EXPECT_FALSE(silenced({{"scope", "ucm-sub1"}, {"alertname", "CallManagerDown"}}));
  auto listed = store_->list(false, kNow);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ((*listed)[0].label_matchers_size(), 2);
}

TEST_F(SilenceStoreTest, LegacyRequestsAreEqualityMatchers) {
  regwatch::v1::Silence s;  // what a CLI from before matchers had operators sends
  (*s.mutable_matchers())["scope"] = "ucm-sub1";
  s.set_ends_us(kNow + kHour);
  s.set_comment("CHG0042");
  auto made = store_->create(s, kNow, alerts::alert_label_names());
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_TRUE(silenced({{"scope", "ucm-sub1"}}));
  EXPECT_FALSE(silenced({{"scope", "ucm-sub2"}}));
}

TEST_F(SilenceStoreTest, RefusesTyposBadRegexesAndSilencingEverything) {
  auto typo = add({"scoep=ucm-sub1"});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean 'scope'?"), std::string::npos)
      << typo.error().message;
  EXPECT_TRUE(add({"site=lab-1"}).ok());  // an external label is one alerts carry
  regwatch::v1::Silence bad_regex;
  auto* m = bad_regex.add_label_matchers();
  m->set_name("scope");
  m->set_type(regwatch::v1::LabelMatcher::REGEX);
  m->set_value("ucm-(");
  bad_regex.set_ends_us(kNow + kHour);
  bad_regex.set_comment("x");
  auto refused = store_->create(bad_regex, kNow, alerts::alert_label_names());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("regular expression"), std::string::npos);
  auto everything = add({"scope=~\".*\"", "cm_node!=ucm-sub1"});
  ASSERT_FALSE(everything.ok());
  EXPECT_NE(everything.error().message.find("empty"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::collector::store
