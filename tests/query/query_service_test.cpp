// The Query service's event and status RPCs through a real gRPC server on loopback, reading a
// real SQLite store: who may ask (a viewer or operator token reads; an agent's token, an
// unknown token or none does not), and the filters and limits return what is stored.
#include "collector/query/query_service.h"
#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"
#include "common/build_version.h"
#include "tests/store/test_store.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <set>

namespace regwatch::collector::query {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z
constexpr int64_t kSecond = 1'000'000;

v1::Event phone(const std::string& agent, uint64_t seq, int64_t time_us, const std::string& device,
                v1::EventKind kind = v1::PHONE_UNREGISTERED, int reason = 13,
                const std::string& origin = "ucm-sub1") {
  v1::Event e;
  e.set_agent_id(agent);
  e.set_seq(seq);
  e.set_event_time_us(time_us);
  e.set_receive_time_us(time_us);
  e.set_origin(origin);
  e.set_kind(kind);
  e.mutable_phone()->set_device_name(device);
  e.mutable_phone()->set_reason_code(reason);
  return e;
}

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-querysvc-XXXXXX";
    dir_ = mkdtemp(templ);
    db_ = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto writer = store::EventWriter::open(db_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    // 20 events of edge-1 a second apart: phones A and B alternating, every 5th registered,
    // the odd ones from ucm-sub2; 3 of edge-2.
    std::vector<v1::Event> edge1, edge2;
    for (int i = 0; i < 20; ++i) {
      edge1.push_back(phone("edge-1", static_cast<uint64_t>(i + 1), kT0 + i * kSecond,
                            i % 2 ? "SEP00000000000B" : "SEP00000000000A",
                            i % 5 == 4 ? v1::PHONE_REGISTERED : v1::PHONE_UNREGISTERED,
                            i < 10 ? 13 : 8, i % 2 ? "ucm-sub2" : "ucm-sub1"));
    }
    for (int i = 0; i < 3; ++i)
      edge2.push_back(phone("edge-2", static_cast<uint64_t>(i + 1), kT0 + 100 * kSecond + i,
                            "SEP00000000000C"));
    ASSERT_TRUE((*writer)->insert_batch(edge1, kT0 + 500 * kSecond, "inc").ok());
    ASSERT_TRUE((*writer)->insert_batch(edge2, kT0 + 600 * kSecond, "inc").ok());
    writer->reset();

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
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 5s);
    server_.reset();
    service_.reset();
    fs::remove_all(dir_);
  }

  grpc::Status events(const v1::EventQuery& q, v1::EventList& out,
                      const std::string& token = "viewer-secret") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 20s);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    return stub_->Events(&context, q, &out);
  }
  grpc::Status status(v1::StatusReply& out, const std::string& token) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 20s);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    return stub_->Status(&context, v1::StatusRequest(), &out);
  }

  // A query's answer as (agent, seq) pairs, in the order returned.
  std::vector<std::pair<std::string, uint64_t>> ask(const v1::EventQuery& q,
                                                    bool* truncated = nullptr) {
    v1::EventList list;
    const auto s = events(q, list);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (truncated) *truncated = list.truncated();
    std::vector<std::pair<std::string, uint64_t>> got;
    for (const auto& stored : list.events())
      got.emplace_back(stored.event().agent_id(), stored.event().seq());
    return got;
  }

  fs::path dir_;
  std::string db_;
  AccessPolicy policy_{false,
                       {{"edge-1", Role::kAgent, "agent-secret"},
                        {"noc", Role::kViewer, "viewer-secret"},
                        {"alice", Role::kOperator, "operator-secret"}}};
  std::unique_ptr<QueryService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<v1::Query::Stub> stub_;
};

TEST_F(QueryServiceTest, AViewerOrOperatorTokenReadsAndAnAgentTokenDoesNot) {
  for (const char* token : {"viewer-secret", "operator-secret"}) {
    SCOPED_TRACE(token);
    v1::EventList list;
    const auto s = events(v1::EventQuery(), list, token);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(list.events_size(), 23);
    v1::StatusReply reply;
    ASSERT_TRUE(status(reply, token).ok());
    EXPECT_EQ(reply.total_events(), 23u);
  }
  v1::EventList list;
  auto s = events(v1::EventQuery(), list, "agent-secret");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_NE(s.error_message().find("viewer or operator"), std::string::npos) << s.error_message();
  EXPECT_EQ(list.events_size(), 0);
  v1::StatusReply reply;
  s = status(reply, "agent-secret");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(reply.total_events(), 0u);
  for (const char* token : {"", "not-a-token"}) {
    SCOPED_TRACE(std::string("token '") + token + "'");
    s = events(v1::EventQuery(), list, token);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
    s = status(reply, token);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  }
}

TEST_F(QueryServiceTest, StatusCountsWhatEachAgentStored) {
  v1::StatusReply reply;
  const auto s = status(reply, "viewer-secret");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.total_events(), 23u);
  EXPECT_EQ(reply.version(), regwatch::build_version());
  EXPECT_EQ(reply.git_revision(), regwatch::build_revision());
  EXPECT_EQ(reply.build_date(), regwatch::build_date());
  EXPECT_GT(reply.schema_version(), 0);
  ASSERT_EQ(reply.agents_size(), 2);
  for (const auto& agent : reply.agents()) {
    if (agent.agent_id() == "edge-1") {
      EXPECT_EQ(agent.events(), 20u);
      EXPECT_EQ(agent.last_seq(), 20u);
      EXPECT_EQ(agent.last_store_time_us(), kT0 + 500 * kSecond);
    } else {
      EXPECT_EQ(agent.agent_id(), "edge-2");
      EXPECT_EQ(agent.events(), 3u);
      EXPECT_EQ(agent.last_seq(), 3u);
    }
  }
}

TEST_F(QueryServiceTest, NewestFirstByDefaultAndALimitSaysItCut) {
  v1::EventQuery q;
  q.set_limit(5);
  bool truncated = false;
  auto got = ask(q, &truncated);
  EXPECT_TRUE(truncated);
  const std::vector<std::pair<std::string, uint64_t>> newest = {
      {"edge-2", 3}, {"edge-2", 2}, {"edge-2", 1}, {"edge-1", 20}, {"edge-1", 19}};
  EXPECT_EQ(got, newest);
  q.set_oldest_first(true);
  got = ask(q, &truncated);
  EXPECT_TRUE(truncated);
  const std::vector<std::pair<std::string, uint64_t>> oldest = {
      {"edge-1", 1}, {"edge-1", 2}, {"edge-1", 3}, {"edge-1", 4}, {"edge-1", 5}};
  EXPECT_EQ(got, oldest);
  q.set_limit(23);  // exactly all: not cut
  EXPECT_EQ(ask(q, &truncated).size(), 23u);
  EXPECT_FALSE(truncated);
}

TEST_F(QueryServiceTest, FiltersReturnExactlyTheMatchingStoredEvents) {
  v1::EventQuery q;
  q.set_oldest_first(true);
  q.set_device("SEP00000000000B");
  auto got = ask(q);
  ASSERT_EQ(got.size(), 10u);
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i].second, 2 * i + 2);  // B: odd i, seq i + 1

  q.Clear();
  q.add_kinds("phone_registered");
  got = ask(q);
  std::set<uint64_t> seqs;
  for (const auto& [agent, seq] : got) seqs.insert(seq);
  EXPECT_EQ(seqs, (std::set<uint64_t>{5, 10, 15, 20}));

  q.Clear();  // event time in [t0+5s, t0+8s)
  q.set_since_us(kT0 + 5 * kSecond);
  q.set_until_us(kT0 + 8 * kSecond);
  q.set_oldest_first(true);
  got = ask(q);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, uint64_t>>{
                     {"edge-1", 6}, {"edge-1", 7}, {"edge-1", 8}}));

  q.Clear();
  q.set_origin("ucm-sub2");
  q.set_reason_code(8);
  q.add_kinds("phone_unregistered");
  got = ask(q);
  seqs.clear();
  for (const auto& [agent, seq] : got) seqs.insert(seq);
  // Odd i >= 10, not a registration (i % 5 == 4): i = 11, 13, 15, 17 -> seqs 12, 14, 16, 18.
  EXPECT_EQ(seqs, (std::set<uint64_t>{12, 14, 16, 18}));

  // What an event's id names is that event.
  q.Clear();
  v1::EventList all;
  ASSERT_TRUE(events(v1::EventQuery(), all).ok());
  ASSERT_FALSE(all.events().empty());
  const auto& picked = all.events(7);
  q.add_ids(picked.id());
  v1::EventList one;
  ASSERT_TRUE(events(q, one).ok());
  ASSERT_EQ(one.events_size(), 1);
  EXPECT_EQ(one.events(0).event().agent_id(), picked.event().agent_id());
  EXPECT_EQ(one.events(0).event().seq(), picked.event().seq());
}

TEST_F(QueryServiceTest, AnUnknownKindIsAnInvalidArgument) {
  v1::EventQuery q;
  q.add_kinds("phone_exploded");
  v1::EventList list;
  const auto s = events(q, list);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("phone_exploded"), std::string::npos) << s.error_message();
}

}  // namespace
}  // namespace regwatch::collector::query
