// The Ingest service through a real gRPC server on loopback, in front of a real commit queue
// and SQLite store: a batch is acked with its batch id and last seq once stored, a resent batch
// is acked as duplicates, a stream is refused when its token may not ingest as the agent id it
// claims, an event of another agent ends the stream, and a store that fails acks nothing.
// A peer's bad input (bytes that are not an EventBatch, a message over the size limit, events
// that break a rule) ends its stream with a status saying what failed and is counted by reason,
// while other streams go on.
#include "collector/ingest/ingest_service.h"
#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"
#include "tests/ingest/raw_ingest_stream.h"
#include "tests/store/test_store.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <filesystem>

namespace regwatch::collector::ingest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace std::string_literals;

constexpr int64_t kNow = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z

v1::EventBatch batch(uint64_t batch_id, const std::string& agent, uint64_t first_seq, int events) {
  v1::EventBatch b;
  b.set_batch_id(batch_id);
  b.set_spool_incarnation("inc-1");
  for (int i = 0; i < events; ++i) {
    auto* e = b.add_events();
    e->set_agent_id(agent);
    e->set_seq(first_seq + static_cast<uint64_t>(i));
    e->set_event_time_us(kNow + i);
    e->set_receive_time_us(kNow + i);
    e->set_origin("ucm-sub1");
    e->set_kind(v1::PHONE_UNREGISTERED);
    e->mutable_phone()->set_device_name("SEP000000000001");
  }
  return b;
}

class IngestServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-ingestsvc-XXXXXX";
    dir_ = mkdtemp(templ);
    db_ = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto writer = store::EventWriter::open(db_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    writer_db_ = (*writer)->database();
    queue_ = std::make_unique<CommitQueue>(std::move(writer).value(), CommitQueueOptions{}, clock_);
  }

  // Serves Ingest on loopback with these credentials and policy; stub_ connects to it.
  void serve(std::shared_ptr<grpc::ServerCredentials> server_credentials,
             const AccessPolicy& policy) {
    service_ = std::make_unique<IngestService>(
        *queue_, policy, IngestLimits{8, limiter_, budget_, max_message_bytes_}, connected_,
        registry_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", std::move(server_credentials), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_);
    ASSERT_GT(port_, 0);
  }
  void connect(const std::shared_ptr<grpc::ChannelCredentials>& credentials,
               const grpc::ChannelArguments& args = {}) {
    channel_ = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port_), credentials, args);
    stub_ = v1::Ingest::NewStub(channel_);
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 5s);
    server_.reset();
    service_.reset();
    queue_.reset();
    fs::remove_all(dir_);
  }

  // A stream as `agent_id`, presenting `token` ("" = none).
  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReaderWriter<v1::EventBatch, v1::Ack>> rw;
  };
  std::unique_ptr<Stream> open(const std::string& agent_id, const std::string& token) {
    auto s = std::make_unique<Stream>();
    s->context.set_deadline(std::chrono::system_clock::now() + 20s);
    if (!agent_id.empty()) s->context.AddMetadata("x-regwatch-agent-id", agent_id);
    if (!token.empty()) s->context.AddMetadata("authorization", "Bearer " + token);
    s->rw = stub_->Stream(&s->context);
    return s;
  }

  // regwatch_ingest_batches_rejected_total{reason}, as /metrics would show it.
  uint64_t rejected(const std::string& reason) {
    return registry_.counter("regwatch_ingest_batches_rejected_total", "", {"reason"})
        .with({reason})
        .value();
  }

  uint64_t stored_events() {
    auto reader = store::EventReader::open(db_);
    EXPECT_TRUE(reader.ok());
    auto status = (*reader)->status();
    EXPECT_TRUE(status.ok());
    return status->total_events();
  }

  fs::path dir_;
  std::string db_;
  ManualClock clock_{kNow};
  store::Database* writer_db_ = nullptr;
  StreamLimiter limiter_{4};
  PendingBytesBudget budget_{64 << 20};
  uint64_t max_message_bytes_ = kDefaultIngestMaxMessageBytes;  // set before serve()
  metrics::Registry registry_;
  ConnectedAgents connected_;
  std::unique_ptr<CommitQueue> queue_;
  std::unique_ptr<IngestService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Ingest::Stub> stub_;
};

// Plaintext on loopback, with tokens.
class IngestServiceTest : public IngestServiceFixture {
 protected:
  void SetUp() override {
    IngestServiceFixture::SetUp();
    serve(grpc::InsecureServerCredentials(), policy_);
    connect(grpc::InsecureChannelCredentials());
  }
  AccessPolicy policy_{false,
                       {{"edge-1", Role::kAgent, "edge-1-secret"},
                        {"edge-2", Role::kAgent, "edge-2-secret"},
                        {"noc", Role::kViewer, "viewer-secret"}}};
};

TEST_F(IngestServiceTest, AStoredBatchIsAckedWithItsIdAndLastSeq) {
  auto s = open("edge-1", "edge-1-secret");
  ASSERT_TRUE(s->rw->Write(batch(41, "edge-1", 1, 5)));
  v1::Ack ack;
  ASSERT_TRUE(s->rw->Read(&ack));
  EXPECT_EQ(ack.batch_id(), 41u);
  EXPECT_EQ(ack.last_seq(), 5u);
  EXPECT_EQ(ack.stored(), 5u);
  EXPECT_EQ(ack.duplicates(), 0u);
  // Acked means stored: readable by anyone now.
  EXPECT_EQ(stored_events(), 5u);
  ASSERT_TRUE(s->rw->Write(batch(42, "edge-1", 6, 3)));
  ASSERT_TRUE(s->rw->Read(&ack));
  EXPECT_EQ(ack.batch_id(), 42u);
  EXPECT_EQ(ack.last_seq(), 8u);
  EXPECT_EQ(ack.stored(), 3u);
  EXPECT_TRUE(connected_.connected("edge-1"));
  s->rw->WritesDone();
  EXPECT_FALSE(s->rw->Read(&ack));
  const auto status = s->rw->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(service_->counters().streams_opened.load(), 1u);
  EXPECT_EQ(service_->counters().batches_acked.load(), 2u);
}

TEST_F(IngestServiceTest, AcksArriveInOrderForPipelinedBatches) {
  auto s = open("edge-1", "edge-1-secret");
  constexpr int kBatches = 20;
  for (int b = 1; b <= kBatches; ++b) {
    ASSERT_TRUE(s->rw->Write(
        batch(static_cast<uint64_t>(b), "edge-1", static_cast<uint64_t>(b - 1) * 4 + 1, 4)));
  }
  s->rw->WritesDone();
  v1::Ack ack;
  for (int b = 1; b <= kBatches; ++b) {
    ASSERT_TRUE(s->rw->Read(&ack)) << "ack " << b;
    EXPECT_EQ(ack.batch_id(), static_cast<uint64_t>(b));
    EXPECT_EQ(ack.last_seq(), static_cast<uint64_t>(b) * 4);
  }
  EXPECT_FALSE(s->rw->Read(&ack));
  EXPECT_TRUE(s->rw->Finish().ok());
  EXPECT_EQ(stored_events(), uint64_t{kBatches} * 4);
}

TEST_F(IngestServiceTest, AResentBatchIsAckedAsDuplicates) {
  {
    auto s = open("edge-1", "edge-1-secret");
    ASSERT_TRUE(s->rw->Write(batch(1, "edge-1", 1, 6)));
    v1::Ack ack;
    ASSERT_TRUE(s->rw->Read(&ack));
    EXPECT_EQ(ack.stored(), 6u);
    s->rw->WritesDone();
    EXPECT_TRUE(s->rw->Finish().ok());
  }
  // A reconnect resends what it had no ack for, partly stored already.
  auto s = open("edge-1", "edge-1-secret");
  ASSERT_TRUE(s->rw->Write(batch(1, "edge-1", 4, 6)));
  v1::Ack ack;
  ASSERT_TRUE(s->rw->Read(&ack));
  EXPECT_EQ(ack.batch_id(), 1u);
  EXPECT_EQ(ack.last_seq(), 9u);
  EXPECT_EQ(ack.stored(), 3u);
  EXPECT_EQ(ack.duplicates(), 3u);
  s->rw->WritesDone();
  EXPECT_TRUE(s->rw->Finish().ok());
  EXPECT_EQ(stored_events(), 9u);
  EXPECT_EQ(queue_->stats().duplicates, 3u);
}

// With tokens, an agent's token ingests as that agent only: another agent's token, a viewer's,
// or none is refused before anything is read (UNAUTHENTICATED: the token does not belong to the
// agent id claimed), and nothing is stored.
TEST_F(IngestServiceTest, AStreamAsAnAgentIdTheTokenMayNotUseIsRefused) {
  for (const std::string token : {"edge-2-secret", "viewer-secret", "", "made-up"}) {
    SCOPED_TRACE("token '" + token + "'");
    auto s = open("edge-1", token);
    s->rw->Write(batch(1, "edge-1", 1, 2));  // may fail: the server may have finished already
    v1::Ack ack;
    EXPECT_FALSE(s->rw->Read(&ack));
    const auto status = s->rw->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
    EXPECT_NE(status.error_message().find("edge-1"), std::string::npos) << status.error_message();
  }
  EXPECT_EQ(service_->counters().streams_refused.load(), 4u);
  EXPECT_EQ(service_->counters().streams_opened.load(), 0u);
  EXPECT_EQ(stored_events(), 0u);
  EXPECT_FALSE(connected_.connected("edge-1"));
}

TEST_F(IngestServiceTest, AStreamWithoutAnAgentIdIsRefused) {
  auto s = open("", "edge-1-secret");
  v1::Ack ack;
  EXPECT_FALSE(s->rw->Read(&ack));
  const auto status = s->rw->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(service_->counters().streams_refused.load(), 1u);
}

// The events' agent id must be the stream's: edge-1's token cannot smuggle in edge-2's events.
TEST_F(IngestServiceTest, AnEventOfAnotherAgentEndsTheStreamUnstored) {
  auto s = open("edge-1", "edge-1-secret");
  auto b = batch(1, "edge-1", 1, 3);
  b.mutable_events(1)->set_agent_id("edge-2");
  s->rw->Write(b);
  v1::Ack ack;
  EXPECT_FALSE(s->rw->Read(&ack));
  const auto status = s->rw->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("edge-2"), std::string::npos) << status.error_message();
  EXPECT_EQ(service_->counters().batches_rejected.load(), 1u);
  EXPECT_EQ(rejected("invalid"), 1u);
  EXPECT_EQ(rejected("unparsable"), 0u);
  EXPECT_EQ(stored_events(), 0u);
}

const std::vector<std::pair<std::string, std::string>> kEdge1{
    {"x-regwatch-agent-id", "edge-1"}, {"authorization", "Bearer edge-1-secret"}};

// Events (field 2) said to be 255 bytes long, and 9 bytes sent.
const std::string kTruncated = "\x12\xff\x01truncated"s;

// gRPC's typed reading reports such bytes like the client's half-close (the stream used to end
// OK, nothing counted): now the stream ends INVALID_ARGUMENT, saying what failed and the size.
TEST_F(IngestServiceTest, BytesThatAreNotAnEventBatchEndTheStreamCounted) {
  const auto outcome = test::RawIngestStream::run(channel_, kEdge1, {kTruncated});
  EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << outcome.status.error_message();
  EXPECT_EQ(outcome.status.error_message(),
            "message 1 on this stream is not a regwatch.v1.EventBatch (12 bytes that do not "
            "parse as one)");
  EXPECT_EQ(outcome.acks, 0);
  EXPECT_EQ(rejected("unparsable"), 1u);
  EXPECT_EQ(rejected("too_large"), 0u);
  EXPECT_EQ(rejected("invalid"), 0u);
  EXPECT_EQ(service_->counters().batches_rejected.load(), 1u);
  EXPECT_EQ(stored_events(), 0u);
  // The agent's next stream (its own, well-formed) is served as ever.
  auto s = open("edge-1", "edge-1-secret");
  ASSERT_TRUE(s->rw->Write(batch(7, "edge-1", 1, 3)));
  v1::Ack ack;
  ASSERT_TRUE(s->rw->Read(&ack)) << s->rw->Finish().error_message();
  EXPECT_EQ(ack.batch_id(), 7u);
  EXPECT_EQ(ack.stored(), 3u);
  s->rw->WritesDone();
  EXPECT_TRUE(s->rw->Finish().ok());
  EXPECT_EQ(stored_events(), 3u);
}

// Each is refused, whatever way it fails to parse; an empty message is an empty batch.
TEST_F(IngestServiceTest, EveryKindOfUnparsableMessageIsRefused) {
  std::string bad_utf8 = batch(1, "edge-1", 1, 1).SerializeAsString();
  const size_t at = bad_utf8.find("edge-1");
  ASSERT_NE(at, std::string::npos);
  bad_utf8[at + 1] = '\xff';  // the agent id, a proto3 string, is no longer UTF-8
  const std::vector<std::string> garbage{
      kTruncated,
      "GET /metrics HTTP/1.1\r\n\r\n",  // a wrong client
      "\x12\x02\x0a",                   // an event of 2 bytes, itself truncated
      bad_utf8,
      std::string(64, '\xff'),  // a varint that never ends
  };
  for (const auto& bytes : garbage) {
    SCOPED_TRACE(testing::PrintToString(bytes));
    const auto outcome = test::RawIngestStream::run(channel_, kEdge1, {bytes});
    EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(outcome.status.error_message().find("is not a regwatch.v1.EventBatch (" +
                                                  std::to_string(bytes.size()) + " bytes"),
              std::string::npos)
        << outcome.status.error_message();
  }
  EXPECT_EQ(rejected("unparsable"), garbage.size());
  EXPECT_EQ(stored_events(), 0u);
  const auto empty = test::RawIngestStream::run(channel_, kEdge1, {""});
  EXPECT_TRUE(empty.status.ok()) << empty.status.error_message();
  EXPECT_EQ(empty.acks, 1);
  EXPECT_EQ(rejected("unparsable"), garbage.size());
}

// What came before the bad message on its stream is stored (and its commit awaited before the
// stream ends); the status names the message's place in the stream.
TEST_F(IngestServiceTest, AnUnparsableMessageAfterGoodBatchesEndsTheStreamThere) {
  const auto outcome = test::RawIngestStream::run(
      channel_, kEdge1,
      {batch(1, "edge-1", 1, 2).SerializeAsString(), batch(2, "edge-1", 3, 2).SerializeAsString(),
       kTruncated, batch(3, "edge-1", 5, 2).SerializeAsString()});
  EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(outcome.status.error_message().rfind("message 3 on this stream is not", 0), 0u)
      << outcome.status.error_message();
  EXPECT_LE(outcome.acks, 2);
  EXPECT_EQ(stored_events(), 4u);
  EXPECT_EQ(rejected("unparsable"), 1u);
}

// ingest.max_message_bytes is the collector's own check (gRPC's limit is off in the collector,
// and here above the limit), so an oversized message is refused with a status naming both sizes
// and counted; one at the limit is stored.
class IngestServiceSizeTest : public IngestServiceTest {
 protected:
  void SetUp() override {
    max_message_bytes_ = 64 << 10;
    IngestServiceTest::SetUp();
  }
  // A batch of one event, `bytes` long on the wire.
  static std::string batch_of(size_t bytes) {
    v1::EventBatch b = batch(1, "edge-1", 1, 1);
    const size_t base = b.ByteSizeLong();
    b.mutable_events(0)->set_raw(std::string(bytes - base - 6, 'x'));
    // The raw field's tag and length took some of the bytes: give them back.
    while (b.ByteSizeLong() < bytes) b.mutable_events(0)->mutable_raw()->push_back('x');
    std::string wire = b.SerializeAsString();
    EXPECT_EQ(wire.size(), bytes);
    return wire;
  }
};

TEST_F(IngestServiceSizeTest, AMessageOverTheLimitIsRefusedAndCounted) {
  const auto outcome = test::RawIngestStream::run(channel_, kEdge1, {batch_of((64 << 10) + 1)});
  EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(outcome.status.error_message(),
            "message 1 on this stream is larger than ingest.max_message_bytes (65537 vs. 65536 "
            "bytes)");
  EXPECT_EQ(rejected("too_large"), 1u);
  EXPECT_EQ(rejected("unparsable"), 0u);
  EXPECT_EQ(stored_events(), 0u);
  const auto at_limit = test::RawIngestStream::run(channel_, kEdge1, {batch_of(64 << 10)});
  EXPECT_TRUE(at_limit.status.ok()) << at_limit.status.error_message();
  EXPECT_EQ(at_limit.acks, 1);
  EXPECT_EQ(stored_events(), 1u);
  EXPECT_EQ(rejected("too_large"), 1u);
}

TEST_F(IngestServiceTest, ABatchTheStoreCannotCommitIsNotAcked) {
  auto broken = regwatch::test::break_event_inserts(writer_db_);
  ASSERT_TRUE(broken.ok()) << broken.error().message;
  auto s = open("edge-1", "edge-1-secret");
  s->rw->Write(batch(1, "edge-1", 1, 3));
  v1::Ack ack;
  EXPECT_FALSE(s->rw->Read(&ack)) << "acked batch " << ack.batch_id();
  const auto status = s->rw->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_NE(status.error_message().find("cannot store"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(service_->counters().batches_acked.load(), 0u);
  EXPECT_EQ(queue_->stats().failed_batches, 1u);
}

// A certificate and its key, PEM, made in-process (a CA, a server, clients).
struct Pem {
  std::string cert;
  std::string key;
};

class Certificates {
 public:
  Certificates() : ca_key_(EVP_EC_gen("P-256")) {
    ca_cert_ = make(ca_key_, "regwatch test CA", true, "");
    ca_.cert = to_pem(ca_cert_);
  }
  ~Certificates() {
    X509_free(ca_cert_);
    EVP_PKEY_free(ca_key_);
  }
  Certificates(const Certificates&) = delete;
  Certificates& operator=(const Certificates&) = delete;

  const std::string& ca() const { return ca_.cert; }
  // Signed by the CA; san: subjectAltName, "" for none.
  Pem issue(const std::string& common_name, const std::string& san) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = make(key, common_name, false, san);
    Pem pem{to_pem(cert), key_pem(key)};
    X509_free(cert);
    EVP_PKEY_free(key);
    return pem;
  }

 private:
  X509* make(EVP_PKEY* key, const std::string& common_name, bool ca, const std::string& san) {
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial_);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509_set_issuer_name(x, ca ? name : X509_get_subject_name(ca_cert_));
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, ca ? x : ca_cert_, x, nullptr, nullptr, 0);
    const auto extend = [&](int nid, const std::string& value) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
      EXPECT_NE(ext, nullptr) << value;
      if (!ext) return;
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    };
    extend(NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    if (ca) extend(NID_key_usage, "critical,keyCertSign,cRLSign");
    if (!san.empty()) extend(NID_subject_alt_name, san);
    EXPECT_GT(X509_sign(x, ca ? key : ca_key_, EVP_sha256()), 0);
    return x;
  }
  static std::string drain(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<size_t>(size));
    BIO_free(bio);
    return text;
  }
  static std::string to_pem(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    return drain(bio);
  }
  static std::string key_pem(EVP_PKEY* key) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    return drain(bio);
  }

  EVP_PKEY* ca_key_;
  X509* ca_cert_ = nullptr;
  Pem ca_;
  long serial_ = 0;
};

// mTLS without tokens: a client certificate ingests as its own common name only.
class IngestServiceMtlsTest : public IngestServiceFixture {
 protected:
  void SetUp() override {
    IngestServiceFixture::SetUp();
    const Pem server = certificates_.issue("localhost", "DNS:localhost,IP:127.0.0.1");
    grpc::SslServerCredentialsOptions options(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = certificates_.ca();
    options.pem_key_cert_pairs.push_back({server.key, server.cert});
    serve(grpc::SslServerCredentials(options), policy_);
  }
  void connect_as(const std::string& common_name) {
    const Pem client = certificates_.issue(common_name, "");
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = certificates_.ca();
    options.pem_private_key = client.key;
    options.pem_cert_chain = client.cert;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    connect(grpc::SslCredentials(options), args);
  }

  Certificates certificates_;
  AccessPolicy policy_{true, {}, ClientCertificatePolicy(CertificateIdentityKind::kCommonName, {})};
};

TEST_F(IngestServiceMtlsTest, ACertificateMayNotIngestAsAnotherAgentId) {
  connect_as("edge-1");
  {
    auto s = open("edge-2", "");
    s->rw->Write(batch(1, "edge-2", 1, 2));  // may fail: the server may have finished already
    v1::Ack ack;
    EXPECT_FALSE(s->rw->Read(&ack));
    const auto status = s->rw->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
    EXPECT_NE(status.error_message().find("'edge-1'"), std::string::npos) << status.error_message();
    EXPECT_NE(status.error_message().find("'edge-2'"), std::string::npos) << status.error_message();
  }
  EXPECT_EQ(service_->counters().streams_refused.load(), 1u);
  EXPECT_EQ(stored_events(), 0u);
  // The same certificate as its own agent id is let in: the refusal was the agent id's.
  auto s = open("edge-1", "");
  ASSERT_TRUE(s->rw->Write(batch(1, "edge-1", 1, 2)));
  v1::Ack ack;
  ASSERT_TRUE(s->rw->Read(&ack)) << s->rw->Finish().error_message();
  EXPECT_EQ(ack.last_seq(), 2u);
  EXPECT_EQ(ack.stored(), 2u);
  s->rw->WritesDone();
  EXPECT_TRUE(s->rw->Finish().ok());
}

}  // namespace
}  // namespace regwatch::collector::ingest
