// The API's parameters read as the CLI reads its flags, and every mistake named.
#include "collector/http/request_params.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace regwatch::collector::http {
namespace {

constexpr int64_t kNow = 1'795'000'000'000'000;  // 2026-11-18T...

TEST(RequestParams, IncidentFiltersAndDefaults) {
  auto q =
      incident_query({{"state", "open"}, {"since", "2h"}, {"scope", "cm_node:ucm-sub1"}}, kNow);
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->state(), "open");
  EXPECT_EQ(q->since_us(), kNow - 2 * 3600 * int64_t{1'000'000});
  EXPECT_EQ(q->scope(), "cm_node:ucm-sub1");
  EXPECT_EQ(q->limit(), kDefaultLimit);
  auto all = incident_query({{"state", "all"}}, kNow);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->state(), "");
}

TEST(RequestParams, MistakesAreNamed) {
  auto bad_state = incident_query({{"state", "opne"}}, kNow);
  ASSERT_FALSE(bad_state.ok());
  EXPECT_EQ(bad_state.error().code, "bad_query");
  EXPECT_NE(bad_state.error().message.find("'opne'"), std::string::npos);
  auto bad_time = event_query({{"since", "yesterday"}}, kNow);
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.error().message.find("since:"), std::string::npos);
  auto typo = event_query({{"devcie", "SEP0017943A98BA"}}, kNow);
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("unknown parameter 'devcie'"), std::string::npos);
  EXPECT_NE(typo.error().message.find("device"), std::string::npos);
  auto backwards = top_query({{"since", "1h"}, {"until", "2h"}}, kNow);
  ASSERT_FALSE(backwards.ok());
  EXPECT_NE(backwards.error().message.find("not after since"), std::string::npos);
}

TEST(RequestParams, LimitsAreBounded) {
  EXPECT_FALSE(event_query({{"limit", "1001"}}, kNow).ok());
  EXPECT_FALSE(event_query({{"limit", "0"}}, kNow).ok());
  EXPECT_FALSE(event_query({{"limit", "12x"}}, kNow).ok());
  auto most = event_query({{"limit", "1000"}}, kNow);
  ASSERT_TRUE(most.ok());
  EXPECT_EQ(most->limit(), 1000u);
  EXPECT_FALSE(explain_query("SEP0017943A98BA", {{"timeline_limit", "5000"}}, kNow).ok());
}

TEST(RequestParams, EventSourcesRepeatOrCommaAndUnknownOnesAreNamed) {
  auto q = event_query(
      {{"source", "sip,SCCP"}, {"source", "syslog"}, {"kind", "phone_firmware_changed"}}, kNow);
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->sources_size(), 3);
  EXPECT_EQ(q->sources(0), "sip");
  EXPECT_EQ(q->sources(1), "sccp");  // as the store holds it
  EXPECT_EQ(q->sources(2), "syslog");
  EXPECT_EQ(q->kinds(0), "phone_firmware_changed");
  auto bad = event_query({{"source", "sip,fax"}}, kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_query");
  EXPECT_NE(bad.error().message.find("'fax'"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("boot, sip"), std::string::npos) << bad.error().message;
}

TEST(RequestParams, EventKindsRepeatOrComma) {
  auto q = event_query(
      {{"kind", "phone_unregistered,phone_registered"}, {"kind", "link_down"}, {"order", "oldest"}},
      kNow);
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->kinds_size(), 3);
  EXPECT_EQ(q->kinds(2), "link_down");
  EXPECT_TRUE(q->oldest_first());
  auto unknown = event_query({{"kind", "phone_gone"}}, kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("phone_unregistered"), std::string::npos);
}

TEST(RequestParams, ReasonByNameOrNumber) {
  auto named = event_query({{"reason_code", "KeepAliveTimeout"}}, kNow);
  ASSERT_TRUE(named.ok()) << named.error().message;
  EXPECT_EQ(named->reason_code(), 13);
  auto number = event_query({{"reason_code", "8"}}, kNow);
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number->reason_code(), 8);
  EXPECT_FALSE(event_query({{"reason_code", "Gremlins"}}, kNow).ok());
}

TEST(RequestParams, AlertsDefaultToTheLastDay) {
  auto q = alert_query({{"all", "true"}}, kNow);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->resolved_too());
  EXPECT_EQ(q->since_us(), kNow - 24 * 3600 * int64_t{1'000'000});
  EXPECT_FALSE(alert_query({{"all", "maybe"}}, kNow).ok());
}

TEST(RequestParams, SilenceFromJson) {
  auto s = silence_from_json(
      R"({"matchers": ["alertname=RegistrationBurst", "scope=~\"ucm-.*\""], "for": "2h",)"
      R"( "comment": "CHG0042"})",
      kNow);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->label_matchers_size(), 2);
  EXPECT_EQ(s->label_matchers(1).name(), "scope");
  EXPECT_EQ(s->label_matchers(1).type(), v1::LabelMatcher::REGEX);
  EXPECT_EQ(s->starts_us(), kNow);
  EXPECT_EQ(s->ends_us(), kNow + 2 * 3600 * int64_t{1'000'000});
  EXPECT_EQ(s->comment(), "CHG0042");
}

TEST(RequestParams, BadSilencesAreRefusedWithWhy) {
  for (const char* body : {
           "not json",
           "[]",
           R"({"matchers": [], "for": "2h", "comment": "x"})",
           R"({"matchers": ["scope"], "for": "2h", "comment": "x"})",
           R"({"matchers": ["scope=a"], "comment": "x"})",
           R"({"matchers": ["scope=a"], "for": "2h", "until": "3h", "comment": "x"})",
           R"({"matchers": ["scope=a"], "for": "soon", "comment": "x"})",
           R"({"matchers": ["scope=a"], "for": "2h", "comment": 5})",
           R"({"matchers": ["scope=a"], "for": "2h", "comment": "x", "author": "me"})",
       }) {
    auto s = silence_from_json(body, kNow);
    ASSERT_FALSE(s.ok()) << body;
    EXPECT_EQ(s.error().code, "bad_query") << body;
    EXPECT_FALSE(s.error().message.empty()) << body;
  }
}

TEST(RequestParams, DashboardQuestions) {
  auto drops = drop_series_query({{"since", "6h"}, {"step", "300"}}, kNow);
  ASSERT_TRUE(drops.ok()) << drops.error().message;
  EXPECT_EQ(drops->step_s(), 300u);
  EXPECT_EQ(drops->since_us(), kNow - 6 * 3600 * int64_t{1'000'000});
  EXPECT_FALSE(drop_series_query({{"step", "0"}}, kNow).ok());
  EXPECT_FALSE(drop_series_query({{"step", "fast"}}, kNow).ok());
  auto inputs = inputs_query({{"silent_after", "30m"}});
  ASSERT_TRUE(inputs.ok());
  EXPECT_EQ(inputs->silent_after_s(), 1800u);
  EXPECT_FALSE(inputs_query({{"silent_after", "soon"}}).ok());
  auto search = phone_search({{"q", "00:17:94:3a:98:ba"}, {"limit", "5"}});
  ASSERT_TRUE(search.ok());
  EXPECT_EQ(search->q(), "00:17:94:3a:98:ba");
  EXPECT_EQ(search->limit(), 5u);
  EXPECT_FALSE(phone_search({}).ok());
  EXPECT_FALSE(phone_search({{"q", "x"}, {"limit", "101"}}).ok());
  auto cursor = event_query({{"cursor", "abc"}}, kNow);
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->cursor(), "abc");
}

TEST(RequestParams, IncidentFormat) {
  EXPECT_EQ(*incident_format({}), "json");
  EXPECT_EQ(*incident_format({{"format", "markdown"}}), "markdown");
  EXPECT_FALSE(incident_format({{"format", "pdf"}}).ok());
}

}  // namespace
}  // namespace regwatch::collector::http
