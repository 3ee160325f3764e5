// The dashboard's questions (issue 19) through QueryService, its plain methods (what the HTTP
// API calls) and its RPCs, reading a real SQLite store: drops per step by reason class (the
// drop rule's count, as `top` counts), registered phones per CM node, the inputs and which went
// silent, the phone search, and event pages by cursor.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "collector/query/drop_series.h"
#include "collector/query/phone_search.h"
#include "collector/query/query_service.h"
#include "collector/store/event_writer.h"
#include "common/clock.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::query {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z
constexpr int64_t kSecond = 1'000'000;

v1::Event report(uint64_t seq, const std::string& agent, v1::Source source, int64_t time_us,
                 const std::string& device, v1::EventKind kind, std::optional<int32_t> reason) {
  v1::Event e;
  e.set_agent_id(agent);
  e.set_seq(seq);
  e.set_event_time_us(time_us);
  e.set_receive_time_us(time_us);
  e.set_origin(source == v1::SOURCE_SCCP ? "eth1" : "ucm-sub1");
  e.set_source(source);
  e.set_kind(kind);
  e.mutable_phone()->set_device_name(device);
  if (reason) e.mutable_phone()->set_reason_code(*reason);
  return e;
}

DropReport drop(const std::string& device, int64_t time_us, v1::EventKind kind,
                std::optional<int32_t> reason = std::nullopt) {
  DropReport r;
  r.device = device;
  r.time_us = time_us;
  r.kind = kind;
  r.reason = reason;
  return r;
}

std::map<std::string, uint64_t> nonzero(const v1::DropPoint& point) {
  std::map<std::string, uint64_t> counts;
  for (const auto& [name, n] : point.counts())
    if (n) counts[name] = n;
  return counts;
}

// Sorted by device, then time, as the store gives them.
TEST(DropSeries, EachDropOnceInTheStepOfItsFirstReportByItsReasonsClass) {
  const correlate::DropRule rule(120);
  const DropRange range{kT0, kT0 + 180 * kSecond, 60};
  const std::vector<DropReport> reports = {
      // A: unregistered (KeepAliveTimeout: network) and its connection lost 10 s later: one
      // drop. Registered again, then unregistered for a reset (8: planned): a drop of its own.
      drop("SEPA", kT0 + 10 * kSecond, v1::PHONE_UNREGISTERED, 13),
      drop("SEPA", kT0 + 20 * kSecond, v1::CONNECTION_LOST),
      drop("SEPA", kT0 + 140 * kSecond, v1::PHONE_REGISTERED),
      drop("SEPA", kT0 + 150 * kSecond, v1::PHONE_UNREGISTERED, 8),
      // B: rejected, code 10 from the registration-failure table (security, not the
      // unregistration table's 10).
      drop("SEPB", kT0 + 70 * kSecond, v1::PHONE_REGISTRATION_FAILED, 10),
      // C: its own authentication failure, no code: security.
      drop("SEPC", kT0 + 75 * kSecond, v1::PHONE_AUTH_FAILED),
      // D: only the wire saw it, no code: unknown; the code of a later report of the same
      // drop names it (E).
      drop("SEPD", kT0 + 130 * kSecond, v1::KEEPALIVE_MISSED),
      drop("SEPE", kT0 + 131 * kSecond, v1::KEEPALIVE_MISSED),
      drop("SEPE", kT0 + 135 * kSecond, v1::PHONE_UNREGISTERED, 13),
      // F: its drop began before the range; a report inside it is the same drop: not counted.
      drop("SEPF", kT0 - 30 * kSecond, v1::PHONE_UNREGISTERED, 13),
      drop("SEPF", kT0 + 5 * kSecond, v1::CONNECTION_LOST),
      // G: at until, outside.
      drop("SEPG", kT0 + 180 * kSecond, v1::PHONE_UNREGISTERED, 13),
  };
  const auto series = count_drop_series(reports, range, rule);
  EXPECT_EQ(series.step_s(), 60u);
  const std::vector<std::string> classes(series.classes().begin(), series.classes().end());
  EXPECT_EQ(classes, drop_classes());
  ASSERT_EQ(series.points_size(), 3);
  EXPECT_EQ(series.points(0).time_us(), kT0);
  EXPECT_EQ(series.points(2).time_us(), kT0 + 120 * kSecond);
  EXPECT_EQ(series.points(0).counts_size(), 7);  // every class, zeros included
  EXPECT_EQ(nonzero(series.points(0)), (std::map<std::string, uint64_t>{{"network", 1}}));
  EXPECT_EQ(nonzero(series.points(1)), (std::map<std::string, uint64_t>{{"security", 2}}));
  EXPECT_EQ(nonzero(series.points(2)),
            (std::map<std::string, uint64_t>{{"network", 1}, {"planned", 1}, {"unknown", 1}}));
  EXPECT_EQ(series.points(0).drops(), 1u);
  EXPECT_EQ(series.points(2).drops(), 3u);
}

TEST(DropSeries, DefaultsAndTheBoundOnPoints) {
  const int64_t now = kT0;
  auto defaults = drop_range(v1::DropSeriesQuery(), now);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->until_us, now);
  EXPECT_EQ(defaults->since_us, now - 3 * 3600 * kSecond);
  EXPECT_EQ(defaults->step_s, 60u);

  v1::DropSeriesQuery day;
  day.set_since_us(kT0 - 86400 * kSecond);
  day.set_until_us(kT0);
  EXPECT_TRUE(drop_range(day, now).ok());  // 1440 points exactly
  v1::DropSeriesQuery two_days = day;
  two_days.set_since_us(kT0 - 2 * 86400 * kSecond);
  auto too_fine = drop_range(two_days, now);
  ASSERT_FALSE(too_fine.ok());
  EXPECT_EQ(too_fine.error().code, "bad_query");
  EXPECT_NE(too_fine.error().message.find("the smallest step allowed is 120 s"), std::string::npos)
      << too_fine.error().message;
  two_days.set_step_s(120);
  EXPECT_TRUE(drop_range(two_days, now).ok());

  v1::DropSeriesQuery backwards;
  backwards.set_since_us(kT0);
  backwards.set_until_us(kT0 - 1);
  auto empty = drop_range(backwards, now);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "bad_query");
}

TEST(PhoneSearchText, MacsInEveryCommonFormAndNothingElse) {
  for (const char* mac : {"00:17:94:3a:98:ba", "0017.943a.98ba", "00-17-94-3A-98-BA",
                          "0017943A98BA", "0017943a98ba"}) {
    EXPECT_EQ(mac_digits(mac), "0017943A98BA") << mac;
  }
  for (const char* not_mac :
       {"00:17:94:3a:98", "0017.943a.98ba.", "00:17-94:3a:98:ba", "0:17:94:3a:98:bba",
        "SEP0017943A98BA", "0017943A98BG", ":00:17:94:3a:98:ba", "00::17:94:3a:98:ba", ""}) {
    EXPECT_FALSE(mac_digits(not_mac).has_value()) << not_mac;
  }
  EXPECT_EQ(colon_mac("0017943A98BA"), "00:17:94:3a:98:ba");
  EXPECT_TRUE(is_ip_address("10.1.2.3"));
  EXPECT_TRUE(is_ip_address("2001:db8::7"));
  EXPECT_FALSE(is_ip_address("10.1.2"));
  EXPECT_FALSE(is_ip_address("Desk 36"));
}

class DashboardQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-dashboard-XXXXXX";
    dir_ = mkdtemp(templ);
    db_ = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto writer = store::EventWriter::open(db_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    writer_ = std::move(writer).value();
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 5s);
    server_.reset();
    service_.reset();
    writer_.reset();
    fs::remove_all(dir_);
  }
  void store(const std::vector<v1::Event>& events, int64_t store_time_us = kT0) {
    auto stored = writer_->insert_batch(events, store_time_us);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
  }
  void start() {
    auto service =
        QueryService::create(db_, 2, policy_, {"alertname"}, 86400, correlate::DropRule(120));
    ASSERT_TRUE(service.ok()) << service.error().message;
    service_ = std::move(service).value();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_);
    stub_ = v1::Query::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                                   grpc::InsecureChannelCredentials()));
  }
  std::unique_ptr<grpc::ClientContext> context(const std::string& token) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + 20s);
    c->AddMetadata("authorization", "Bearer " + token);
    return c;
  }
  std::vector<std::string> found(const std::string& q, std::string* matched_as = nullptr) {
    v1::PhoneSearch search;
    search.set_q(q);
    auto list = service_->find_phones(search);
    EXPECT_TRUE(list.ok()) << list.error().message;
    if (matched_as) *matched_as = list->matched_as();
    std::vector<std::string> devices;
    for (const auto& p : list->phones()) devices.push_back(p.device());
    return devices;
  }

  fs::path dir_;
  std::string db_;
  std::unique_ptr<store::EventWriter> writer_;
  AccessPolicy policy_{
      false, {{"edge-1", Role::kAgent, "agent-secret"}, {"noc", Role::kViewer, "viewer-secret"}}};
  std::unique_ptr<QueryService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<v1::Query::Stub> stub_;
};

// The same stored drops, reported by syslog and by the wire: the series counts each once and
// its total is top's.
TEST_F(DashboardQueriesTest, DropsPerStepCountWhatTopCounts) {
  std::vector<v1::Event> events;
  uint64_t seq = 0;
  for (int phone = 0; phone < 5; ++phone) {
    const std::string device = "SEP00000000000" + std::to_string(phone);
    const int64_t t = kT0 + phone * 50 * kSecond;
    events.push_back(
        report(++seq, "edge-1", v1::SOURCE_SYSLOG, t, device, v1::PHONE_UNREGISTERED, 13));
    events.push_back(report(++seq, "edge-1", v1::SOURCE_SCCP, t + 2 * kSecond, device,
                            v1::CONNECTION_LOST, std::nullopt));
  }
  store(events);
  start();
  v1::DropSeriesQuery q;
  q.set_since_us(kT0);
  q.set_until_us(kT0 + 300 * kSecond);
  q.set_step_s(100);
  auto series = service_->drops(q);
  ASSERT_TRUE(series.ok()) << series.error().message;
  ASSERT_EQ(series->points_size(), 3);
  EXPECT_EQ(series->points(0).counts().at("network"), 2u);  // 0 s and 50 s
  EXPECT_EQ(series->points(1).counts().at("network"), 2u);  // 100 s and 150 s
  EXPECT_EQ(series->points(2).counts().at("network"), 1u);  // 200 s
  EXPECT_FALSE(series->truncated());
  v1::TopQuery top_q;
  top_q.set_since_us(q.since_us());
  top_q.set_until_us(q.until_us());
  auto top = service_->top(top_q);
  ASSERT_TRUE(top.ok());
  uint64_t total = 0;
  for (const auto& p : series->points()) total += p.drops();
  EXPECT_EQ(total, top->drops());

  q.set_step_s(0);
  q.set_since_us(kT0 - 30 * 86400 * kSecond);
  auto too_fine = service_->drops(q);
  ASSERT_FALSE(too_fine.ok());
  EXPECT_EQ(too_fine.error().code, "bad_query");
  // And over gRPC: INVALID_ARGUMENT with the same words.
  v1::DropSeries reply;
  const auto status = stub_->Drops(context("viewer-secret").get(), q, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("smallest step allowed is 1801 s"), std::string::npos)
      << status.error_message();
}

TEST_F(DashboardQueriesTest, CmNodesLatestCountsAtATimeForViewersOnly) {
  auto poll = [](uint64_t seq, int64_t t, const std::string& node, uint64_t reg, uint64_t unreg,
                 uint64_t rejected) {
    v1::Event e;
    e.set_agent_id("edge-1");
    e.set_seq(seq);
    e.set_event_time_us(t);
    e.set_receive_time_us(t);
    e.set_origin(node);
    e.set_source(v1::SOURCE_SNMP_POLL);
    e.set_kind(v1::REGISTERED_PHONES);
    e.mutable_registered_phones()->set_registered(reg);
    e.mutable_registered_phones()->set_unregistered(unreg);
    e.mutable_registered_phones()->set_rejected(rejected);
    return e;
  };
  store({poll(1, kT0, "ucm-sub1", 1000, 2, 0), poll(2, kT0, "ucm-pub", 20, 0, 0),
         poll(3, kT0 + 60 * kSecond, "ucm-sub1", 400, 600, 3)});
  start();
  v1::CmNodesQuery q;
  auto now = service_->cm_nodes(q);  // 0 = now: the latest polls
  ASSERT_TRUE(now.ok()) << now.error().message;
  ASSERT_EQ(now->cm_nodes_size(), 2);
  EXPECT_EQ(now->cm_nodes(0).cm_node(), "ucm-pub");
  const auto& sub1 = now->cm_nodes(1);
  EXPECT_EQ(sub1.cm_node(), "ucm-sub1");
  EXPECT_EQ(sub1.registered(), 400u);
  EXPECT_EQ(sub1.unregistered(), 600u);
  EXPECT_EQ(sub1.rejected(), 3u);
  EXPECT_EQ(sub1.time_us(), kT0 + 60 * kSecond);
  EXPECT_EQ(sub1.agent_id(), "edge-1");

  q.set_at_us(kT0 + 30 * kSecond);
  v1::CmNodeList before;
  ASSERT_TRUE(stub_->CmNodes(context("viewer-secret").get(), q, &before).ok());
  ASSERT_EQ(before.cm_nodes_size(), 2);
  EXPECT_EQ(before.cm_nodes(1).registered(), 1000u);
  EXPECT_EQ(before.at_us(), kT0 + 30 * kSecond);
  v1::CmNodeList denied;
  EXPECT_EQ(stub_->CmNodes(context("agent-secret").get(), q, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DashboardQueriesTest, InputsSayWhichWentSilent) {
  const int64_t now = SystemClock::instance().now_us();
  auto line = report(1, "edge-1", v1::SOURCE_SYSLOG, now - 2000 * kSecond, "SEP000000000001",
                     v1::PHONE_REGISTERED, std::nullopt);
  auto wire = report(1, "edge-2", v1::SOURCE_SCCP, now - 10 * kSecond, "SEP000000000002",
                     v1::PHONE_REGISTERED, std::nullopt);
  store({line}, now - 2000 * kSecond);
  store({wire}, now - 10 * kSecond);
  start();
  auto inputs = service_->inputs(v1::InputsQuery());
  ASSERT_TRUE(inputs.ok()) << inputs.error().message;
  EXPECT_EQ(inputs->silent_after_s(), 900u);
  ASSERT_EQ(inputs->inputs_size(), 2);
  EXPECT_EQ(inputs->inputs(0).agent_id(), "edge-1");
  EXPECT_EQ(inputs->inputs(0).source(), "syslog");
  EXPECT_EQ(inputs->inputs(0).origin(), "ucm-sub1");
  EXPECT_TRUE(inputs->inputs(0).silent());
  EXPECT_EQ(inputs->inputs(1).source(), "sccp");
  EXPECT_EQ(inputs->inputs(1).origin(), "eth1");
  EXPECT_EQ(inputs->inputs(1).last_event_time_us(), now - 10 * kSecond);
  EXPECT_FALSE(inputs->inputs(1).silent());

  v1::InputsQuery patient;
  patient.set_silent_after_s(3000);
  v1::InputList list;
  ASSERT_TRUE(stub_->Inputs(context("viewer-secret").get(), patient, &list).ok());
  EXPECT_FALSE(list.inputs(0).silent());
  EXPECT_FALSE(list.inputs(1).silent());
}

TEST_F(DashboardQueriesTest, PhoneSearchFindsByNameMacIpAndDescription) {
  auto with = [](uint64_t seq, const std::string& device, const std::string& ip,
                 const std::string& description) {
    auto e = report(seq, "edge-1", v1::SOURCE_SYSLOG, kT0 + int64_t(seq) * kSecond, device,
                    v1::PHONE_REGISTERED, std::nullopt);
    e.mutable_phone()->set_ip(ip);
    e.mutable_phone()->set_description(description);
    return e;
  };
  store({with(1, "SEP0017943A98BA", "10.1.2.3", "Desk 36 reception"),
         with(2, "SEP0017943A98BA1", "10.1.2.4", "Lab"),  // a longer name: a prefix match
         with(3, "SEPAABBCCDDEEFF", "10.9.0.1", "Conference 0017943A98BA")});
  start();
  std::string as;
  const std::vector<std::string> one = {"SEP0017943A98BA"};
  for (const char* mac :
       {"00:17:94:3a:98:ba", "0017.943a.98ba", "00-17-94-3A-98-BA", "0017943A98BA"}) {
    EXPECT_EQ(found(mac, &as), one) << mac;
    EXPECT_EQ(as, "mac");
  }
  EXPECT_EQ(found("10.1.2.3", &as), one);
  EXPECT_EQ(as, "ip");
  // The exact name first (without case), then the longer one it begins.
  EXPECT_EQ(found("sep0017943a98ba", &as),
            (std::vector<std::string>{"SEP0017943A98BA", "SEP0017943A98BA1"}));
  EXPECT_EQ(as, "device");
  // A piece of names and of a description.
  EXPECT_EQ(found("943a98ba", &as),
            (std::vector<std::string>{"SEP0017943A98BA", "SEP0017943A98BA1", "SEPAABBCCDDEEFF"}));
  EXPECT_EQ(as, "text");
  EXPECT_EQ(found("reception", &as), one);
  EXPECT_EQ(as, "text");
  EXPECT_TRUE(found("10.7.7.7", &as).empty());
  EXPECT_EQ(as, "ip");

  v1::PhoneSearch limited;
  limited.set_q("SEP");
  limited.set_limit(2);
  auto cut = service_->find_phones(limited);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->phones_size(), 2);
  EXPECT_TRUE(cut->truncated());
  v1::PhoneSearch empty;
  empty.set_q("   ");
  auto refused = service_->find_phones(empty);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "bad_query");
  v1::PhoneList list;
  EXPECT_EQ(stub_->FindPhones(context("viewer-secret").get(), empty, &list).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DashboardQueriesTest, EventPagesByCursorThroughTheService) {
  std::vector<v1::Event> events;
  for (uint64_t i = 1; i <= 5; ++i)
    events.push_back(report(i, "edge-1", v1::SOURCE_SYSLOG, kT0 + int64_t(i) * kSecond,
                            "SEP000000000001", v1::PHONE_UNREGISTERED, 13));
  store(events);
  start();
  v1::EventQuery q;
  q.set_limit(2);
  std::vector<uint64_t> seqs;
  for (int page = 0; page < 5; ++page) {
    auto list = service_->events(q);
    ASSERT_TRUE(list.ok()) << list.error().message;
    for (const auto& e : list->events()) seqs.push_back(e.event().seq());
    if (list->next_cursor().empty()) break;
    EXPECT_TRUE(list->truncated());
    q.set_cursor(list->next_cursor());
  }
  EXPECT_EQ(seqs, (std::vector<uint64_t>{5, 4, 3, 2, 1}));
  q.set_cursor("not-a-cursor");
  auto bad = service_->events(q);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_query");
  v1::EventList list;
  const auto status = stub_->Events(context("viewer-secret").get(), q, &list);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("malformed cursor"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::collector::query
