// The shipper sends the spool's stored bytes as they are (issue 24). Against a collector on
// loopback that keeps the raw bytes of every message (a generic gRPC service), these check:
// - the bytes on the wire are, byte for byte and field by field, the EventBatch the previous
//   shipper built (events parsed from the spool, put in a typed batch, serialised);
// - a spool written by the previous agent (tests/data/spool/previous_version) ships, with its
//   agent id, seqs and incarnation;
// - a stored record the collector could not parse is never shipped: every batch parses;
// - StoredEventBatch keeps EventBatch's field numbers and wire types.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "agent/shipper/shipper.h"
#include "agent/shipper/stored_event_batch.pb.h"
#include "agent/spool/spool.h"
#include "agent/spool/spool_record.h"
#include "common/clock.h"
#include "regwatch/v1/ingest.pb.h"

namespace regwatch::agent::shipper {
namespace {

namespace fs = std::filesystem;
namespace pb = google::protobuf;
using namespace std::chrono_literals;

constexpr auto kWait = 20s;  // only a failing test waits this long

// A collector that keeps each message's bytes as they arrived, parses them as the collector
// does (a typed EventBatch) and acks them; a message that does not parse ends the stream, as
// INVALID_ARGUMENT, and is counted.
class RawCollector final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  int unparsable() const {
    std::lock_guard lock(mutex_);
    return unparsable_;
  }
  std::string method() const {
    std::lock_guard lock(mutex_);
    return method_;
  }

 private:
  friend class RawStream;
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  int unparsable_ = 0;
  std::string method_;
};

class RawStream final : public grpc::ServerGenericBidiReactor {
 public:
  explicit RawStream(RawCollector& collector) : collector_(collector) { StartRead(&in_); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(in_.Dump(&slices).ok());
    std::string bytes;
    for (const auto& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    v1::EventBatch batch;
    if (!batch.ParseFromString(bytes) || batch.events().empty()) {
      {
        std::lock_guard lock(collector_.mutex_);
        ++collector_.unparsable_;
      }
      Finish({grpc::StatusCode::INVALID_ARGUMENT, "batch does not parse"});
      return;
    }
    {
      std::lock_guard lock(collector_.mutex_);
      collector_.messages_.push_back(bytes);
    }
    v1::Ack ack;
    ack.set_batch_id(batch.batch_id());
    ack.set_last_seq(batch.events().rbegin()->seq());
    ack.set_stored(static_cast<uint32_t>(batch.events_size()));
    const std::string ack_bytes = ack.SerializeAsString();
    grpc::Slice slice(ack_bytes);
    out_ = grpc::ByteBuffer(&slice, 1);
    StartWrite(&out_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish({grpc::StatusCode::UNAVAILABLE, "write failed"});
      return;
    }
    StartRead(&in_);
  }
  void OnDone() override { delete this; }  // the callback API's ownership model

 private:
  RawCollector& collector_;
  grpc::ByteBuffer in_;
  grpc::ByteBuffer out_;
};

grpc::ServerGenericBidiReactor* RawCollector::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  {
    std::lock_guard lock(mutex_);
    method_ = context->method();
  }
  return new RawStream(*this);
}

class StoredEventBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-stored-batch-XXXXXX";
    dir_ = mkdtemp(templ);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterCallbackGenericService(&collector_);
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_);
  }
  void TearDown() override {
    if (shipper_) shipper_->stop();
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 5s);
    shipper_.reset();
    spool_.reset();
    fs::remove_all(dir_);
  }

  void open_spool(const std::string& agent_id) {
    spool::SpoolOptions options;
    options.dir = dir_ / "spool";
    options.fsync_interval = 0ms;
    auto opened = spool::Spool::open(options, agent_id, clock_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    spool_ = std::move(opened).value();
  }
  void ship(const std::string& agent_id, uint32_t batch_max_events) {
    ShipperOptions options;
    options.targets = {"127.0.0.1:" + std::to_string(port_)};
    options.credentials = grpc::InsecureChannelCredentials();
    options.agent_id = agent_id;
    options.limits.batch_max_events = batch_max_events;
    options.backoff_initial = 20ms;
    options.backoff_max = 200ms;
    shipper_ = std::make_unique<Shipper>(*spool_, options);
    shipper_->start();
    ASSERT_TRUE(shipper_->wait_acked(spool_->last_seq(), kWait)) << shipper_->stats().last_error;
  }
  std::vector<v1::EventBatch> received() const {
    std::vector<v1::EventBatch> batches;
    for (const auto& bytes : collector_.messages()) {
      EXPECT_TRUE(batches.emplace_back().ParseFromString(bytes));
    }
    return batches;
  }

  fs::path dir_;
  ManualClock clock_{1'795'132'800'000'000};
  RawCollector collector_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<spool::Spool> spool_;
  std::unique_ptr<Shipper> shipper_;
};

// Events of several shapes: syslog with tags and multi-byte text, a phone payload with nested
// repeated strings, the spool's own drop report.
void append_varied(spool::Spool& spool, int count) {
  for (int i = 0; i < count; ++i) {
    v1::Event e;
    e.set_event_time_us(1'795'132'800'000'000 + i);
    e.set_receive_time_us(1'795'132'800'000'500 + i);
    e.set_origin("cucm-pub");
    e.set_source(v1::SOURCE_SYSLOG);
    e.set_kind(i % 3 == 0 ? v1::PHONE_UNREGISTERED : v1::SYSLOG_OTHER);
    e.set_raw("line " + std::to_string(i) + ": Grüße %[DeviceName=SEP0017943A98BA][Reason=8]");
    e.mutable_syslog()->set_app("UC_CALLMANAGER");
    auto* tag = e.mutable_syslog()->add_tags();
    tag->set_key("Reason");
    tag->set_value(std::to_string(i));
    if (i % 3 == 0) {
      e.mutable_phone()->set_device_name("SEP0017943A98BA");
      e.mutable_phone()->set_reason_code(i);
      e.mutable_phone()->mutable_boot()->add_cm_group("cucm-sub1");
    }
    ASSERT_TRUE(spool.append(std::move(e)));
  }
  ASSERT_TRUE(spool.append(spool::make_drop_report("", "spool_full", "drop_oldest", 3, 3, 42)));
}

TEST_F(StoredEventBatchTest, TheBytesOnTheWireAreTheEventBatchThePreviousShipperBuilt) {
  open_spool("edge-1");
  append_varied(*spool_, 23);
  // What the previous shipper did with the same spool: parse, put in a typed batch.
  const std::vector<v1::Event> events = spool_->read_after(0, 1000, 1 << 20);
  ASSERT_EQ(events.size(), 24u);
  ship("edge-1", 5);

  EXPECT_EQ(collector_.method(), "/regwatch.v1.Ingest/Stream");
  const auto wire = collector_.messages();
  const auto batches = received();
  ASSERT_EQ(batches.size(), 5u);  // 5, 5, 5, 5, 4
  size_t next = 0;
  for (size_t b = 0; b < batches.size(); ++b) {
    v1::EventBatch previous;
    previous.set_batch_id(b + 1);
    previous.set_spool_incarnation(spool_->incarnation());
    for (int i = 0; i < batches[b].events_size(); ++i) *previous.add_events() = events[next + i];
    // Byte for byte ...
    EXPECT_EQ(wire[b], previous.SerializeAsString()) << "batch " << b + 1;
    // ... and field by field.
    EXPECT_EQ(batches[b].batch_id(), b + 1);
    EXPECT_EQ(batches[b].spool_incarnation(), spool_->incarnation());
    EXPECT_FALSE(batches[b].spool_incarnation().empty());
    ASSERT_EQ(batches[b].events_size(), b < 4 ? 5 : 4);
    for (const auto& event : batches[b].events()) {
      const v1::Event& expected = events[next++];
      EXPECT_EQ(event.agent_id(), "edge-1");
      EXPECT_EQ(event.seq(), next);
      EXPECT_EQ(event.raw(), expected.raw());
      EXPECT_TRUE(pb::util::MessageDifferencer::Equals(event, expected))
          << "seq " << next << ":\n"
          << event.DebugString() << "\nexpected\n"
          << expected.DebugString();
    }
  }
  EXPECT_EQ(next, events.size());
  EXPECT_EQ(batches.back().events().rbegin()->agent_drops().reason(), "spool_full");
  EXPECT_EQ(shipper_->stats().events_stored, 24u);
}

// The spool in tests/data/spool/previous_version was written by the agent before this change
// (regwatch-agent --replay-syslog of tests/data/spool/previous_version.log, to a collector that
// was not there): the same record format, agent id and seq stamped in each stored event.
TEST_F(StoredEventBatchTest, ASpoolWrittenByThePreviousAgentShips) {
  fs::copy(fs::path(REGWATCH_TEST_DATA_DIR) / "spool" / "previous_version", dir_ / "spool",
           fs::copy_options::recursive);
  std::ifstream lines_file(fs::path(REGWATCH_TEST_DATA_DIR) / "spool" / "previous_version.log");
  std::vector<std::string> lines;
  for (std::string line; std::getline(lines_file, line);) lines.push_back(line);
  ASSERT_FALSE(lines.empty());
  std::ifstream agent_id_file(fs::path(REGWATCH_TEST_DATA_DIR) / "spool" /
                              "previous_version.agent_id");
  std::string agent_id;
  std::getline(agent_id_file, agent_id);
  ASSERT_FALSE(agent_id.empty());

  open_spool(agent_id);
  ASSERT_EQ(spool_->acked_seq(), 0u);
  const uint64_t last = spool_->last_seq();
  ASSERT_GE(last, lines.size());
  const std::string incarnation = spool_->incarnation();
  ship(agent_id, 1000);

  std::vector<std::string> raws;
  uint64_t seq = 0;
  for (const auto& batch : received()) {
    EXPECT_EQ(batch.spool_incarnation(), incarnation);
    for (const auto& event : batch.events()) {
      EXPECT_EQ(event.agent_id(), agent_id);
      EXPECT_EQ(event.seq(), ++seq);
      if (event.kind() != v1::AGENT_DROPS) raws.push_back(event.raw());
    }
  }
  EXPECT_EQ(seq, last);
  EXPECT_EQ(raws, lines);
  EXPECT_EQ(spool_->stats().unparsable_records, 0u);
}

TEST_F(StoredEventBatchTest, AStoredRecordTheCollectorCouldNotParseIsNeverShipped) {
  open_spool("edge-1");
  append_varied(*spool_, 3);  // seqs 1-4 (4 the drop report)
  spool_.reset();
  // Seq 5 under a good CRC, cut short in the middle of its raw line; then 6, a good one.
  v1::Event cut;
  cut.set_agent_id("edge-1");
  cut.set_seq(5);
  cut.set_raw(std::string(100, 'x'));
  const std::string cut_bytes = cut.SerializeAsString();
  v1::Event good;
  good.set_agent_id("edge-1");
  good.set_seq(6);
  good.set_raw("after the damage");
  std::string records;
  spool::encode_record(5, std::string_view(cut_bytes).substr(0, 50), records);
  spool::encode_record(6, good.SerializeAsString(), records);
  for (const auto& entry : fs::directory_iterator(dir_ / "spool")) {
    if (entry.path().extension() == ".log") {
      std::ofstream(entry.path(), std::ios::binary | std::ios::app) << records;
    }
  }
  open_spool("edge-1");
  ASSERT_EQ(spool_->last_seq(), 6u);
  ship("edge-1", 1000);
  ASSERT_TRUE(shipper_->wait_acked(7, kWait));  // the report the read wrote

  EXPECT_EQ(collector_.unparsable(), 0);
  std::vector<uint64_t> seqs;
  std::string report;
  for (const auto& batch : received()) {
    for (const auto& event : batch.events()) {
      seqs.push_back(event.seq());
      if (event.seq() == 7) report = event.agent_drops().reason();
    }
  }
  // 7 is the drop report for 5, written when the read skipped it.
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3, 4, 6, 7}));
  EXPECT_EQ(report, "spool_unreadable_record");
  EXPECT_EQ(spool_->stats().unparsable_records, 1u);
  EXPECT_EQ(spool_->acked_seq(), 7u);
}

TEST(StoredEventBatch, KeepsEventBatchsFieldNumbersAndWireTypes) {
  const pb::Descriptor* typed = v1::EventBatch::descriptor();
  const pb::Descriptor* stored = StoredEventBatch::descriptor();
  ASSERT_EQ(typed->field_count(), stored->field_count());
  for (int i = 0; i < typed->field_count(); ++i) {
    const pb::FieldDescriptor* field = typed->field(i);
    const pb::FieldDescriptor* same = stored->FindFieldByNumber(field->number());
    ASSERT_NE(same, nullptr) << field->name();
    EXPECT_EQ(same->name(), field->name());
    EXPECT_EQ(same->label(), field->label()) << field->name();
    if (field->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
      EXPECT_EQ(same->type(), pb::FieldDescriptor::TYPE_BYTES) << field->name();
    } else {
      EXPECT_EQ(same->type(), field->type()) << field->name();
    }
  }
}

}  // namespace
}  // namespace regwatch::agent::shipper
