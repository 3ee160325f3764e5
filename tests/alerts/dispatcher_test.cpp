// The dispatcher's parts driven by hand, with a manual clock, a fake notifier registered in a
// registry of the test's own, and the collector's SQLite stores in a temp dir: the router owes
// (AlertRouter::route), one receiver's delivery pass sends (ReceiverDelivery::pass), and the
// outbox's state machine decides in between. No threads and no sleeps, except the one test of
// the whole dispatcher, which waits on the fake receiver's condition variable.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerts/alert_dispatcher.h"
#include "alerts/alert_router.h"
#include "alerts/notifiers/notifier_registry.h"
#include "alerts/receiver_delivery.h"
#include "alerts/sender.h"
#include "collector/store/alert_outbox.h"
#include "collector/store/event_writer.h"
#include "collector/store/incident_store.h"
#include "collector/store/silence_store.h"
#include "collector/store/sqlite_alert_stores.h"
#include "common/incident_state.h"
#include "common/time_format.h"
#include "tests/alerts/incident_fixture.h"
#include "tests/store/test_store.h"

namespace regwatch::alerts {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kStart = 1'795'000'000 * kSecond;

// What the fake receiver was sent, and whether its next sends fail.
struct FakeReceiver {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<Notification> sent;  // accepted ones
  int attempts = 0;
  int failures_to_come = 0;  // < 0: every send fails

  size_t accepted() {
    std::lock_guard lock(mutex);
    return sent.size();
  }
};

class FakeNotifier final : public Notifier {
 public:
  explicit FakeNotifier(FakeReceiver& receiver) : receiver_(receiver) {}
  Status send(const Notification& notification) override {
    std::lock_guard lock(receiver_.mutex);
    ++receiver_.attempts;
    if (receiver_.failures_to_come != 0) {
      if (receiver_.failures_to_come > 0) --receiver_.failures_to_come;
      return make_error("http", "HTTP 503 from the fake receiver");
    }
    receiver_.sent.push_back(notification);
    receiver_.arrived.notify_all();
    return Ok{};
  }

 private:
  FakeReceiver& receiver_;
};

// The incident as a pass stores it (written as its JSON rendering,
// tests/alerts/incident_fixture.h).
v1::Incident incident_of(const std::string& id, v1::IncidentState state, int64_t now) {
  const nlohmann::ordered_json body = {
      {"id", id},
      {"state", std::string(incident_state_name(state))},
      {"class", "infrastructure"},
      {"scope", {{"type", "cm_node"}, {"name", "ucm-sub1"}}},
      {"start_time", format_rfc3339_ms(now - 20 * kSecond)},
      {"end_time", format_rfc3339_ms(now - 10 * kSecond)},
      {"phone_count", 40},
      {"phones_by_cm", {{"ucm-sub1", 40}}},
      {"phones_by_switch", {{"sw-3f", 40}}},
      {"causes",
       {{{"kind", "cm_cpu"},
         {"subject", "ucm-sub1"},
         {"score", 0.93},
         {"explanation", "ucm-sub1: CPU pegged 20 s before the first drop"},
         {"remediation", "find the process hogging the CUCM node's CPU"},
         {"evidence", {1, 2}}}}}};
  return record_of(body);
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/regwatch-dispatcher-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    db_ = regwatch::test::test_store_location(dir_ + "/regwatch.db");
    ASSERT_TRUE(collector::store::EventWriter::open(db_).ok());  // creates the schema
    auto incidents = collector::store::IncidentWriter::open(db_);
    ASSERT_TRUE(incidents.ok());
    incidents_ = std::move(incidents).value();
    auto outbox = collector::store::AlertOutbox::open(db_);
    ASSERT_TRUE(outbox.ok());
    outbox_ = std::move(outbox).value();

    config_.group_wait_s = 0;
    config_.retry_min_s = 5;
    config_.retry_max_s = 20;
    config_.give_up_after_s = 60;
    ReceiverConfig fake;
    fake.name = "on-call";
    fake.type = "fake";
    config_.receivers = {fake};
    NotifierType type;
    type.name = "fake";
    type.make = [this](const ReceiverConfig&, const AlertingConfig&) {
      return std::make_unique<FakeNotifier>(receiver_);
    };
    registry_.add(type);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  AlertStores stores() {
    auto opened = collector::store::sqlite_alert_stores(db_, fence_)();
    EXPECT_TRUE(opened.ok());
    return std::move(opened).value();
  }
  // Builds the router and the receiver's delivery once the test has set the config up.
  void start() {
    router_ = std::make_unique<AlertRouter>(config_, stores(), clock_);
    delivery_ = std::make_unique<ReceiverDelivery>(config_, config_.receivers[0],
                                                   *registry_.find("fake"), stores(), clock_);
  }
  // The correlation pass that stores the burst in this state, handed to the router.
  void pass(v1::IncidentState state) {
    collector::store::IncidentRow row;
    row.id = "cm_node:ucm-sub1@1795000000";
    row.state = state;
    row.incident_class = "infrastructure";
    row.scope_type = "cm_node";
    row.scope_name = "ucm-sub1";
    row.start_time_us = kStart - 20 * kSecond;
    row.end_time_us = kStart - 10 * kSecond;
    row.phone_count = 40;
    row.top_cause = "cm_cpu";
    row.phones = {"SEP000000000001"};
    row.record = incident_of(row.id, state, kStart);
    auto keyed =
        incidents_->replace_range(row.start_time_us, row.start_time_us + 1, {row}, clock_.now_us());
    ASSERT_TRUE(keyed.ok()) << keyed.error().message;
    for (const auto& incident : *keyed) ASSERT_TRUE(router_->route(incident));
  }
  void deliver() {
    (void)delivery_->pass([] { return false; });
  }
  std::optional<OutboxRow> last_row() {
    auto last = outbox_->last("on-call", "cm_node:ucm-sub1@1795000000");
    EXPECT_TRUE(last.ok());
    return last.ok() ? *last : std::nullopt;
  }

  std::string dir_, db_;
  collector::store::LeaseFence fence_;  // the lease the stores' claims check (none by default)
  ManualClock clock_{kStart};
  AlertingConfig config_;
  NotifierRegistry registry_;
  FakeReceiver receiver_;
  std::unique_ptr<collector::store::IncidentWriter> incidents_;
  std::unique_ptr<collector::store::AlertOutbox> outbox_;
  std::unique_ptr<AlertRouter> router_;
  std::unique_ptr<ReceiverDelivery> delivery_;
};

TEST_F(DispatcherTest, AFiringIncidentIsSentOnceHoweverOftenItIsRoutedAndDelivered) {
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  deliver();
  ASSERT_EQ(receiver_.accepted(), 1u);
  const Notification& page = receiver_.sent[0];
  ASSERT_EQ(page.alerts.size(), 1u);
  EXPECT_FALSE(page.alerts[0].resolved);
  EXPECT_EQ(page.alerts[0].labels.at("alertname"), "RegistrationBurst");
  EXPECT_EQ(page.group_labels,
            (std::map<std::string, std::string>{{"incident", "cm_node:ucm-sub1@1795000000"}}));
  for (int i = 0; i < 3; ++i) {
    clock_.advance_us(30 * kSecond);
    pass(v1::INCIDENT_STATE_OPEN);
    deliver();
  }
  EXPECT_EQ(receiver_.accepted(), 1u);
  EXPECT_EQ(receiver_.attempts, 1);
  ASSERT_TRUE(last_row());
  EXPECT_TRUE(last_row()->delivered_us.has_value());
}

// Collectors in pairs share the outbox: what another collector claimed (it is sending it) is
// not sent here, and once its claim runs out (it died while sending) it is.
TEST_F(DispatcherTest, ANotificationAnotherCollectorClaimedIsNotSentHereUntilItsClaimRunsOut) {
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  ASSERT_TRUE(last_row());
  ASSERT_TRUE(*outbox_->claim({last_row()->id}, 60 * kSecond));
  deliver();
  EXPECT_EQ(receiver_.attempts, 0);
  ASSERT_TRUE(*outbox_->claim({}, 0));  // an empty claim takes nothing and succeeds
  // Its claim ends (here: by hand, as a short window does) and this collector sends it.
  ASSERT_TRUE(outbox_->postpone(last_row()->id, kStart).ok());
  deliver();
  EXPECT_EQ(receiver_.accepted(), 1u);
  EXPECT_TRUE(last_row()->delivered_us.has_value());
}

// A collector whose lease is gone (another leads now) sends nothing, even while its dispatcher
// still runs: its claims check the lease, in the database.
TEST_F(DispatcherTest, ADeliveryFencedByALeaseItDoesNotHoldSendsNothing) {
  fence_ = {"collector-a", 7};  // no such lease in the store
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  deliver();
  EXPECT_EQ(receiver_.attempts, 0);
  ASSERT_TRUE(last_row());
  EXPECT_TRUE(last_row()->pending());
}

TEST_F(DispatcherTest, AFailedSendBacksOffAndIsRetriedWhenItsTimeComes) {
  receiver_.failures_to_come = 2;
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  deliver();
  EXPECT_EQ(receiver_.attempts, 1);
  EXPECT_EQ(receiver_.accepted(), 0u);
  ASSERT_TRUE(last_row());
  EXPECT_EQ(last_row()->attempts, 1u);
  EXPECT_EQ(last_row()->due_us, kStart + 5 * kSecond);  // retry_min_s after the first failure

  clock_.advance_us(5 * kSecond - 1);
  deliver();
  EXPECT_EQ(receiver_.attempts, 1) << "tried again before its backoff ran out";
  clock_.advance_us(1);
  deliver();
  EXPECT_EQ(receiver_.attempts, 2);
  EXPECT_EQ(last_row()->due_us, clock_.now_us() + 10 * kSecond);  // doubled

  clock_.advance_us(10 * kSecond);
  deliver();
  EXPECT_EQ(receiver_.attempts, 3);
  EXPECT_EQ(receiver_.accepted(), 1u);
  EXPECT_TRUE(last_row()->delivered_us.has_value());
  EXPECT_FALSE(last_row()->given_up);
}

TEST_F(DispatcherTest, ARowThatKeepsFailingIsGivenUpAfterGiveUpAfterAndNeverTriedAgain) {
  receiver_.failures_to_come = -1;
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  // Backoff 5, 10, 20, 20, ... s: attempts at 0, 5, 15, 35, 55, 75 s; the one at 75 s is past
  // give_up_after_s (60) and gives it up.
  int expected_attempts = 0;
  for (int64_t at : {0, 5, 15, 35, 55, 75}) {
    clock_.set_us(kStart + at * kSecond);
    deliver();
    EXPECT_EQ(receiver_.attempts, ++expected_attempts) << "at " << at << " s";
  }
  ASSERT_TRUE(last_row());
  EXPECT_TRUE(last_row()->given_up);
  EXPECT_FALSE(last_row()->delivered_us.has_value());
  clock_.advance_us(3600 * kSecond);
  deliver();
  EXPECT_EQ(receiver_.attempts, expected_attempts);
  EXPECT_EQ(receiver_.accepted(), 0u);
}

TEST_F(DispatcherTest, BackoffDoublesFromRetryMinUpToRetryMax) {
  EXPECT_EQ(retry_backoff_us(config_, 0), 5 * kSecond);
  EXPECT_EQ(retry_backoff_us(config_, 1), 10 * kSecond);
  EXPECT_EQ(retry_backoff_us(config_, 2), 20 * kSecond);
  EXPECT_EQ(retry_backoff_us(config_, 3), 20 * kSecond);
  EXPECT_EQ(retry_backoff_us(config_, 4'000'000'000u), 20 * kSecond);  // no overflow
  OutboxRow row;
  row.created_us = kStart;
  EXPECT_FALSE(gives_up(config_, row, kStart + 60 * kSecond));
  EXPECT_TRUE(gives_up(config_, row, kStart + 60 * kSecond + 1));
}

regwatch::v1::Silence silence_for(const std::string& alertname, int64_t ends_us) {
  regwatch::v1::Silence s;
  auto* m = s.add_label_matchers();
  m->set_name("alertname");
  m->set_value(alertname);
  m->set_type(regwatch::v1::LabelMatcher::EQUAL);
  s.set_starts_us(kStart);
  s.set_ends_us(ends_us);
  s.set_author("test");
  s.set_comment("CHG0001");
  return s;
}

TEST_F(DispatcherTest, ASilencedAlertIsNeitherOwedNorSent) {
  auto silences = collector::store::SilenceStore::open(db_);
  ASSERT_TRUE(silences.ok());
  ASSERT_TRUE((*silences)
                  ->create(silence_for("RegistrationBurst", kStart + 3600 * kSecond), kStart,
                           alert_label_names())
                  .ok());
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  deliver();
  EXPECT_EQ(receiver_.attempts, 0);
  EXPECT_FALSE(last_row()) << "a page was owed under an active silence";
}

TEST_F(DispatcherTest, APageOwedBeforeASilenceIsHeldUntilItEndsThenSent) {
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  auto silences = collector::store::SilenceStore::open(db_);
  ASSERT_TRUE(silences.ok());
  const int64_t ends = kStart + 600 * kSecond;
  ASSERT_TRUE((*silences)
                  ->create(silence_for("RegistrationBurst", ends), kStart, alert_label_names())
                  .ok());
  deliver();
  EXPECT_EQ(receiver_.attempts, 0);
  ASSERT_TRUE(last_row());
  EXPECT_EQ(last_row()->due_us, ends);
  EXPECT_EQ(last_row()->attempts, 0u);  // held, not counted as a failure

  clock_.set_us(ends + 1);
  deliver();
  EXPECT_EQ(receiver_.accepted(), 1u);
}

TEST_F(DispatcherTest, AResolveAfterAFiringPageIsSentAfterIt) {
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  deliver();
  ASSERT_EQ(receiver_.accepted(), 1u);
  clock_.advance_us(60 * kSecond);
  pass(v1::INCIDENT_STATE_RESOLVED);
  deliver();
  ASSERT_EQ(receiver_.accepted(), 2u);
  ASSERT_EQ(receiver_.sent[1].alerts.size(), 1u);
  EXPECT_TRUE(receiver_.sent[1].alerts[0].resolved);
  ASSERT_TRUE(last_row());
  EXPECT_EQ(last_row()->notice.reason, NoticeReason::kResolved);
  EXPECT_EQ(last_row()->seq, 2);
}

TEST_F(DispatcherTest, AResolveWhoseFiringPageWasNeverSentIsNotSent) {
  receiver_.failures_to_come = -1;
  config_.give_up_after_s = 0;  // a failure after the row's first moment gives it up
  start();
  pass(v1::INCIDENT_STATE_OPEN);
  deliver();
  clock_.advance_us(5 * kSecond);
  deliver();
  EXPECT_EQ(receiver_.attempts, 2);
  ASSERT_TRUE(last_row());
  EXPECT_TRUE(last_row()->given_up);
  clock_.advance_us(60 * kSecond);
  receiver_.failures_to_come = 0;
  pass(v1::INCIDENT_STATE_RESOLVED);
  deliver();
  EXPECT_EQ(receiver_.attempts, 2) << "a resolve went to a receiver never told it fired";
  ASSERT_TRUE(last_row());
  EXPECT_EQ(last_row()->notice.status, v1::ALERT_STATUS_RESOLVED);
  EXPECT_TRUE(last_row()->given_up);
}

TEST_F(DispatcherTest, TheWholeDispatcherDeliversThroughARegisteredNotifier) {
  AlertDispatcher dispatcher(config_, collector::store::sqlite_alert_stores(db_), clock_,
                             registry_);
  ASSERT_TRUE(dispatcher.start().ok());
  collector::store::IncidentRow row;
  row.id = "cm_node:ucm-sub1@1795000000";
  row.state = v1::INCIDENT_STATE_OPEN;
  row.incident_class = "infrastructure";
  row.scope_type = "cm_node";
  row.scope_name = "ucm-sub1";
  row.start_time_us = kStart - 20 * kSecond;
  row.end_time_us = kStart - 10 * kSecond;
  row.phone_count = 40;
  row.phones = {"SEP000000000001"};
  row.record = incident_of(row.id, v1::INCIDENT_STATE_OPEN, kStart);
  auto keyed = incidents_->replace_range(row.start_time_us, row.start_time_us + 1, {row}, kStart);
  ASSERT_TRUE(keyed.ok());
  dispatcher.on_incidents(*keyed);
  {
    std::unique_lock lock(receiver_.mutex);
    ASSERT_TRUE(receiver_.arrived.wait_for(lock, std::chrono::seconds(20),
                                           [&] { return !receiver_.sent.empty(); }));
    EXPECT_EQ(receiver_.sent[0].alerts.at(0).key, row.id);
  }
  dispatcher.stop();
  EXPECT_EQ(receiver_.accepted(), 1u);
}

TEST_F(DispatcherTest, AReceiverTypeTheRegistryDoesNotKnowStopsTheStartNamingTheKnownOnes) {
  config_.receivers[0].type = "sms";
  AlertDispatcher dispatcher(config_, collector::store::sqlite_alert_stores(db_), clock_,
                             registry_);
  const auto started = dispatcher.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("unknown type 'sms' (known: fake)"), std::string::npos)
      << started.error().message;
}

TEST(NotifierRegistry, TheShippedTypesAndAnUnknownTypeInTheConfig) {
  const auto& builtin = builtin_notifiers();
  for (const char* type : {"webhook", "email", "pagerduty", "alertmanager"})
    EXPECT_NE(builtin.find(type), nullptr) << type;
  EXPECT_EQ(builtin.find("sms"), nullptr);
  EXPECT_TRUE(builtin.find("pagerduty")->per_alert);
  EXPECT_TRUE(builtin.find("alertmanager")->resends_firing);
  EXPECT_FALSE(builtin.find("webhook")->per_alert || builtin.find("webhook")->resends_firing);
  AlertingConfig config;
  ReceiverConfig sms;
  sms.name = "texts";
  sms.type = "sms";
  config.receivers = {sms};
  const auto problems = alerting_config_problems(config);
  EXPECT_NE(problems.find("type must be webhook, email, pagerduty or alertmanager"),
            std::string::npos)
      << problems;
}

}  // namespace
}  // namespace regwatch::alerts
