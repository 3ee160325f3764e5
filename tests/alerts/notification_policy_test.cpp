// When an alert is owed a notification after the last one (alerts/notification_policy.h):
// a page again after its resolve, a notification for a change that matters and none for
// phones added, its resolve, and nothing twice.
#include <gtest/gtest.h>

#include "alerts/notification_policy.h"

namespace regwatch::alerts {
namespace {

using alerts::OutboxRow;

Alert burst(const std::string& severity = "warning", const std::string& scope_type = "module",
            const std::string& cause = "link_down") {
  Alert a;
  a.key = "module:sw-3f/2@1";
  a.labels = {{"alertname", "RegistrationBurst"},
              {"severity", severity},
              {"scope_type", scope_type},
              {"scope", scope_type == "module" ? "sw-3f/2" : "x"},
              {"cause", cause}};
  a.ends_us = 1'000'000;
  return a;
}

OutboxRow told(v1::AlertStatus status, const Alert& as, bool delivered = true) {
  OutboxRow row;
  row.seq = 3;
  row.notice.status = status;
  row.notice.told = told_of(as);
  if (delivered) row.delivered_us = 5;
  return row;
}

TEST(NotificationPolicy, AFiringAlertIsPagedOnceThenNothingWhileNothingThatMattersChanges) {
  const Alert a = burst();
  EXPECT_EQ(decide(a, std::nullopt, false).owed, Owed::kFirst);
  EXPECT_EQ(decide(a, told(v1::ALERT_STATUS_FIRING, a), false).owed, Owed::kNothing);
  EXPECT_EQ(decide(a, std::nullopt, true).owed, Owed::kNothing);  // a replay: never a first page
}

TEST(NotificationPolicy, ItComesBackAfterItsResolve) {
  Alert a = burst();
  const auto d = decide(a, told(v1::ALERT_STATUS_RESOLVED, a), false);
  EXPECT_EQ(d.owed, Owed::kReopened);
  EXPECT_EQ(d.change, "firing again after its resolve");
  a.resolved = true;
  EXPECT_EQ(decide(a, told(v1::ALERT_STATUS_RESOLVED, a), false).owed,
            Owed::kNothing);  // resolved once
}

TEST(NotificationPolicy, ItsResolveFollowsAPageAndOnlyAPage) {
  Alert a = burst();
  const OutboxRow paged = told(v1::ALERT_STATUS_FIRING, a);
  a.resolved = true;
  EXPECT_EQ(decide(a, paged, false).owed, Owed::kResolved);
  // Over before it was first seen, but recently: paged, then resolved.
  EXPECT_EQ(decide(a, std::nullopt, false).owed, Owed::kFirst);
  a.withdrawn = true;
  EXPECT_EQ(decide(a, std::nullopt, false).owed, Owed::kNothing);
  EXPECT_EQ(decide(a, paged, false).owed, Owed::kResolved);
}

TEST(NotificationPolicy, ChangesThatMatterAreNotifiedAndPhonesAddedAreNot) {
  const Alert before = burst();
  const OutboxRow paged = told(v1::ALERT_STATUS_FIRING, before);
  Alert more_phones = burst();
  more_phones.annotations["summary"] = "31 phones";  // not part of what is told
  EXPECT_EQ(decide(more_phones, paged, false).owed, Owed::kNothing);

  const auto critical = decide(burst("critical"), paged, false);
  EXPECT_EQ(critical.owed, Owed::kChanged);
  EXPECT_EQ(critical.change, "severity warning -> critical");

  const auto wider = decide(burst("warning", "cm_node"), paged, false);
  EXPECT_EQ(wider.owed, Owed::kChanged);
  EXPECT_EQ(wider.change, "scope widened: module sw-3f/2 -> cm_node x");

  const auto cause = decide(burst("warning", "module", "module_failure"), paged, false);
  EXPECT_EQ(cause.change, "top cause link_down -> module_failure");

  // Narrowing is recorded in the incident's updates, not paged.
  const OutboxRow wide_told = told(v1::ALERT_STATUS_FIRING, burst("warning", "cm_node"));
  EXPECT_EQ(decide(burst(), wide_told, false).owed, Owed::kNothing);
}

TEST(NotificationPolicy, AChangeBeforeThePageWasSentIsToldByThatPage) {
  const OutboxRow queued = told(v1::ALERT_STATUS_FIRING, burst(), false);
  EXPECT_EQ(decide(burst("critical"), queued, false).owed, Owed::kRetell);
}

TEST(NotificationPolicy, ScopesFromNarrowToBroad) {
  EXPECT_LT(scope_breadth("module"), scope_breadth("switch"));
  EXPECT_LT(scope_breadth("switch"), scope_breadth("cm_node"));
  EXPECT_LT(scope_breadth("cm_node"), scope_breadth("cluster"));
  EXPECT_EQ(scope_breadth("galaxy"), -1);
}

}  // namespace
}  // namespace regwatch::alerts
