// Label matchers as Alertmanager's: syntax (amtool's), anchoring, the empty label.
#include "alerts/label_matcher.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alerts/incident_alert.h"
#include "tests/alerts/incident_fixture.h"

namespace regwatch::alerts {
namespace {

LabelMatcher parsed(const char* text) {
  auto m = LabelMatcher::parse(text);
  EXPECT_TRUE(m.ok()) << text << ": " << (m.ok() ? "" : m.error().message);
  return m.ok() ? *m : LabelMatcher("", "");
}

TEST(LabelMatcher, ParsesAmtoolsForms) {
  const auto eq = parsed("scope=ucm-sub1");
  EXPECT_EQ(eq.name(), "scope");
  EXPECT_EQ(eq.type(), MatchType::kEqual);
  EXPECT_EQ(eq.value(), "ucm-sub1");
  EXPECT_EQ(parsed("severity!=warning").type(), MatchType::kNotEqual);
  const auto re = parsed("scope=~\"ucm-.*\"");
  EXPECT_EQ(re.type(), MatchType::kRegex);
  EXPECT_EQ(re.value(), "ucm-.*");  // quotes are optional and not part of the value
  EXPECT_EQ(parsed("cause!~cm_.*").type(), MatchType::kNotRegex);
  EXPECT_EQ(parsed("  scope = \"a b\" ").value(), "a b");
  EXPECT_EQ(parsed("x=\"say \\\"hi\\\"\"").value(), "say \"hi\"");
  EXPECT_EQ(parsed("x=~\"ucm\\d+\"").value(), "ucm\\d+");  // a regex escape is kept
  EXPECT_EQ(parsed("cm_node=\"\"").value(), "");
  EXPECT_EQ(parsed("cm_node=").value(), "");
}

TEST(LabelMatcher, RefusesWhatIsNoMatcherWithTheForms) {
  for (const char* bad : {"scope", "=x", "scope~=x", "sco pe=x", "1scope=x", "scope=\"open",
                          "scope=~\"(\"", "scope=~\"[a-\""}) {
    auto m = LabelMatcher::parse(bad);
    EXPECT_FALSE(m.ok()) << bad;
  }
  auto no_op = LabelMatcher::parse("scope");
  ASSERT_FALSE(no_op.ok());
  EXPECT_NE(no_op.error().message.find("LABEL=~REGEX"), std::string::npos);
  auto regex = LabelMatcher::parse("scope=~\"ucm-(\"");
  ASSERT_FALSE(regex.ok());
  EXPECT_NE(regex.error().message.find("not a regular expression"), std::string::npos)
      << regex.error().message;
}

TEST(LabelMatcher, RegexesAreFullyAnchored) {
  const Labels sub1 = {{"scope", "ucm-sub1"}};
  EXPECT_TRUE(parsed("scope=~ucm-.*").matches(sub1));
  EXPECT_FALSE(parsed("scope=~ucm").matches(sub1));  // not a substring search
  EXPECT_FALSE(parsed("scope=~sub1").matches(sub1));
  EXPECT_TRUE(parsed("scope=~\"ucm-sub1|ucm-sub2\"").matches(sub1));  // ^(?:a|b)$, not ^a|b$
  EXPECT_FALSE(parsed("scope=~\"x|ucm-sub\"").matches(sub1));
  EXPECT_TRUE(parsed("scope!~ucm").matches(sub1));
  EXPECT_FALSE(parsed("scope!~\"ucm-.*\"").matches(sub1));
}

TEST(LabelMatcher, AnAbsentLabelIsTheEmptyValue) {
  const Labels no_node = {{"scope", "sw-3f"}};
  const Labels node = {{"cm_node", "ucm-sub1"}};
  EXPECT_TRUE(parsed("cm_node=\"\"").matches(no_node));
  EXPECT_FALSE(parsed("cm_node=\"\"").matches(node));
  EXPECT_TRUE(parsed("cm_node!=\"\"").matches(node));
  EXPECT_FALSE(parsed("cm_node!=\"\"").matches(no_node));
  EXPECT_TRUE(parsed("cm_node!=ucm-sub1").matches(no_node));
  EXPECT_TRUE(parsed("cm_node=~\".*\"").matches(no_node));
  EXPECT_TRUE(parsed("cm_node!~\".+\"").matches(no_node));
  EXPECT_TRUE(parsed("cm_node=~\".*\"").matches_empty());
  EXPECT_FALSE(parsed("cm_node=~\".+\"").matches_empty());
}

TEST(LabelMatcher, PrintsAlertmanagersFormAndParsesItBack) {
  for (const char* text : {"scope=~\"ucm-.*\"", "severity!=\"warning\"", "x=\"say \\\"hi\\\"\"",
                           "x=~\"ucm\\\\d+\"", "cm_node=\"\"", "x=\"back\\\\\""}) {
    const auto m = parsed(text);
    EXPECT_EQ(m.to_string(), text);
    EXPECT_EQ(parsed(m.to_string().c_str()), m);
  }
  EXPECT_EQ(parsed("scope=ucm-sub1").to_string(), "scope=\"ucm-sub1\"");
}

TEST(LabelMatcher, HostilePatternsMatchInLinearTime) {
  // (a+)+$ takes a backtracking engine exponential time on "aaaa...!"; RE2 does not backtrack.
  const auto m = parsed("scope=~\"(a+)+\"");
  EXPECT_FALSE(m.matches({{"scope", std::string(100000, 'a') + "!"}}));
}

TEST(LabelMatcher, UnknownLabelNamesAreTyposWithASuggestion) {
  const auto known = alert_label_names({{"site", "lab-1"}});
  EXPECT_TRUE(check_label_name("scope", known).ok());
  EXPECT_TRUE(check_label_name("site", known).ok());  // external_labels count
  auto typo = check_label_name("scoep", known);
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean 'scope'?"), std::string::npos);
  auto far = check_label_name("building", known);
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().message.find("did you mean"), std::string::npos);
  EXPECT_NE(far.error().message.find("alertname"), std::string::npos);  // lists them
}

TEST(LabelMatcher, OldSilencesAreEqualityMatchers) {
  regwatch::v1::Silence old;
  (*old.mutable_matchers())["scope"] = "ucm-sub1";
  auto m = matchers_of(old);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].to_string(), "scope=\"ucm-sub1\"");
  regwatch::v1::Silence now;
  *now.add_label_matchers() = to_proto(parsed("scope=~\"ucm-.*\""));
  auto back = matchers_of(now);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[0].to_string(), "scope=~\"ucm-.*\"");
}

// The label names an incident alert carries are all in the one list (so a silence or a route
// on any of them is accepted).
TEST(LabelMatcher, EveryLabelAnIncidentAlertCarriesIsKnown) {
  const auto incident = nlohmann::ordered_json::parse(R"({
    "id": "cm_node:ucm-sub1@1", "class": "infrastructure",
    "scope": {"type": "cm_node", "name": "ucm-sub1"}, "phone_count": 80, "state": "open",
    "phones_by_cm": {"ucm-sub1": 80}, "phones_by_switch": {"sw-3f": 80},
    "phones_by_cluster": {"cl-1": 80},
    "start_time": "2026-11-20T09:00:00.000Z", "end_time": "2026-11-20T09:05:00.000Z",
    "causes": [{"kind": "cm_cpu", "subject": "ucm-sub1", "score": 0.9}]})");
  const auto alert = alert_for(record_of(incident), default_alert_rules(), "cm_node:ucm-sub1@1");
  ASSERT_TRUE(alert.has_value());
  const auto known = alert_label_names();
  for (const auto& [name, value] : alert->labels)
    EXPECT_TRUE(check_label_name(name, known).ok()) << name;
}

}  // namespace
}  // namespace regwatch::alerts
