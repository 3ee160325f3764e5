// A test client for the collector's Ingest limits: opens --streams concurrent Ingest streams,
// sends --batches batches of about --batch-bytes each on every one, and prints one JSON line
// per stream with its final status and how many batches were acknowledged. Streams stay open
// until every stream has either been acknowledged everything or ended, so all of them are open
// at once (a stream limit sees them together). Every batch of a stream carries the same seqs:
// after the first, the collector finds them duplicates, so a flood costs memory and little disk.
// --new-seqs: each batch its own seqs, all stored: a flood that keeps the store busy.
// --raw HEX: each stream sends these bytes as its one message instead (a peer sending what is
// not an EventBatch).
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <barrier>
#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/text_file.h"
#include "regwatch/v1/ingest.grpc.pb.h"
#include "tests/ingest/raw_ingest_stream.h"

namespace {

struct Options {
  std::string collector;
  std::string agent_id = "probe";
  bool distinct_ids = false;  // stream i ingests as <agent_id>-<i>
  bool new_seqs = false;      // each batch its own seqs
  std::string token;
  std::string tls_ca, tls_cert, tls_key;
  int streams = 1;
  int batches = 1;
  size_t batch_bytes = 1000;
  int events_per_batch = 10;
  std::string raw_hex;  // --raw: send these bytes as they are ...
  std::string raw;      // ... decoded
};

struct Outcome {
  std::string agent_id;
  grpc::Status status;
  int acked = 0;
};

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"";
}

regwatch::v1::EventBatch make_batch(const Options& o, const std::string& agent_id) {
  regwatch::v1::EventBatch batch;
  batch.set_spool_incarnation("probe");
  const size_t raw_bytes = o.batch_bytes / static_cast<size_t>(o.events_per_batch);
  for (int i = 1; i <= o.events_per_batch; ++i) {
    auto* event = batch.add_events();
    event->set_agent_id(agent_id);
    event->set_seq(static_cast<uint64_t>(i));
    event->set_event_time_us(1'700'000'000'000'000 + i);
    event->set_receive_time_us(1'700'000'000'000'000 + i);
    event->set_origin("probe");
    event->set_raw(std::string(raw_bytes, 'x'));
  }
  return batch;
}

std::string from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("--raw: an even number of hex digits");
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

Outcome run_stream(const Options& o, const std::shared_ptr<grpc::Channel>& channel,
                   regwatch::v1::Ingest::Stub& stub, int index, std::barrier<>& settled) {
  Outcome outcome;
  outcome.agent_id = o.distinct_ids ? o.agent_id + "-" + std::to_string(index) : o.agent_id;
  if (!o.raw_hex.empty()) {
    std::vector<std::pair<std::string, std::string>> metadata{
        {"x-regwatch-agent-id", outcome.agent_id}};
    if (!o.token.empty()) metadata.emplace_back("authorization", "Bearer " + o.token);
    auto raw = regwatch::test::RawIngestStream::run(channel, metadata, {o.raw});
    outcome.status = raw.status;
    outcome.acked = raw.acks;
    settled.arrive_and_wait();
    return outcome;
  }
  grpc::ClientContext context;
  // Up to 32 connections open at once on a loaded 2-core machine, and a first attempt may fail
  // (an agent would simply connect again): wait for the channel rather than fail the stream
  // UNAVAILABLE before it sent anything. What the tests measure comes after.
  context.set_wait_for_ready(true);
  context.AddMetadata("x-regwatch-agent-id", outcome.agent_id);
  if (!o.token.empty()) context.AddMetadata("authorization", "Bearer " + o.token);
  auto stream = stub.Stream(&context);
  regwatch::v1::EventBatch batch = make_batch(o, outcome.agent_id);
  bool open = true;
  for (int b = 1; b <= o.batches && open; ++b) {
    batch.set_batch_id(static_cast<uint64_t>(b));
    if (o.new_seqs) {
      for (int i = 0; i < batch.events_size(); ++i) {
        batch.mutable_events(i)->set_seq(
            static_cast<uint64_t>((b - 1) * o.events_per_batch + i + 1));
      }
    }
    open = stream->Write(batch);
  }
  regwatch::v1::Ack ack;
  while (outcome.acked < o.batches && stream->Read(&ack)) ++outcome.acked;
  settled.arrive_and_wait();  // hold the stream open until every stream settled
  stream->WritesDone();
  while (stream->Read(&ack)) ++outcome.acked;
  outcome.status = stream->Finish();
  return outcome;
}

int run(int argc, char** argv) {
  Options o;
  CLI::App app{"regwatch ingest probe (tests)"};
  app.add_option("--collector", o.collector)->required();
  app.add_option("--agent-id", o.agent_id);
  app.add_flag("--distinct-ids", o.distinct_ids);
  app.add_flag("--new-seqs", o.new_seqs, "each batch its own seqs (all stored), not the same ones");
  app.add_option("--token", o.token);
  app.add_option("--tls-ca", o.tls_ca);
  app.add_option("--tls-cert", o.tls_cert);
  app.add_option("--tls-key", o.tls_key);
  app.add_option("--streams", o.streams)->check(CLI::Range(1, 1000));
  app.add_option("--batches", o.batches)->check(CLI::Range(1, 100000));
  app.add_option("--batch-bytes", o.batch_bytes);
  app.add_option("--events-per-batch", o.events_per_batch)->check(CLI::Range(1, 100000));
  app.add_option("--raw", o.raw_hex, "send these bytes (hex) as each stream's one message");
  CLI11_PARSE(app, argc, argv);
  o.raw = from_hex(o.raw_hex);

  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!o.tls_ca.empty()) {
    grpc::SslCredentialsOptions ssl;
    auto read = [](const std::string& path) {
      auto text = regwatch::read_text_file(path, "PEM file");
      return text.ok() ? *text : std::string();
    };
    ssl.pem_root_certs = read(o.tls_ca);
    if (!o.tls_cert.empty()) {
      ssl.pem_cert_chain = read(o.tls_cert);
      ssl.pem_private_key = read(o.tls_key);
    }
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);  // the collector decides what is too large
  // One connection per stream, like separate agents (and no shared HTTP/2 window).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<regwatch::v1::Ingest::Stub>> stubs;
  channels.reserve(static_cast<size_t>(o.streams));
  stubs.reserve(static_cast<size_t>(o.streams));
  for (int i = 0; i < o.streams; ++i) {
    channels.push_back(grpc::CreateCustomChannel(o.collector, credentials, args));
    stubs.push_back(regwatch::v1::Ingest::NewStub(channels.back()));
  }
  std::barrier settled(o.streams);
  std::vector<Outcome> outcomes(static_cast<size_t>(o.streams));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(o.streams));
  for (int i = 0; i < o.streams; ++i) {
    threads.emplace_back([&, i] {
      const auto at = static_cast<size_t>(i);
      outcomes[at] = run_stream(o, channels[at], *stubs[at], i, settled);
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto& r = outcomes[i];
    std::printf(
        "{\"stream\": %zu, \"agent_id\": %s, \"code\": %d, \"message\": %s, \"acked\": %d}\n", i,
        json_string(r.agent_id).c_str(), static_cast<int>(r.status.error_code()),
        json_string(r.status.error_message()).c_str(), r.acked);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a thread that cannot start, memory: say so, exit 2
    std::fprintf(stderr, "ingest_probe: %s\n", e.what());
    return 2;
  } catch (...) {
    std::fputs("ingest_probe: unknown exception\n", stderr);
    return 2;
  }
}
