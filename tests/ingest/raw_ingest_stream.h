#pragma once
// For tests: one Ingest stream whose messages are sent as the given bytes, as they are, so a
// test can play a peer that sends what no agent would (garbage, a truncated batch, an
// oversized one); acks are read back typed. Sends every message, half-closes, reads until the
// collector ends the stream, and returns its status and how many acks it read.
// Blocks the calling thread until then (the context's deadline bounds it).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "regwatch/v1/ingest.pb.h"

namespace regwatch::test {

struct RawStreamOutcome {
  grpc::Status status;
  int acks = 0;
};

class RawIngestStream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, regwatch::v1::Ack> {
 public:
  // metadata: e.g. {"x-regwatch-agent-id", "edge-1"}, {"authorization", "Bearer ..."}.
  static RawStreamOutcome run(const std::shared_ptr<grpc::Channel>& channel,
                              const std::vector<std::pair<std::string, std::string>>& metadata,
                              const std::vector<std::string>& messages,
                              std::chrono::seconds timeout = std::chrono::seconds(30)) {
    RawIngestStream stream(channel, metadata, messages, timeout);
    std::unique_lock lock(stream.mutex_);
    stream.done_changed_.wait(lock, [&] { return stream.done_; });
    return stream.outcome_;
  }

 private:
  RawIngestStream(const std::shared_ptr<grpc::Channel>& channel,
                  const std::vector<std::pair<std::string, std::string>>& metadata,
                  const std::vector<std::string>& messages, std::chrono::seconds timeout)
      : stub_(channel) {
    context_.set_deadline(std::chrono::system_clock::now() + timeout);
    for (const auto& [key, value] : metadata) context_.AddMetadata(key, value);
    for (const auto& bytes : messages) {
      grpc::Slice slice(bytes);
      messages_.emplace_back(&slice, 1);
    }
    stub_.PrepareBidiStreamingCall(&context_, "/regwatch.v1.Ingest/Stream", {}, this);
    StartRead(&ack_);
    write_next();
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (ok) write_next();  // else the collector ended the stream: OnDone says how
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    ++outcome_.acks;
    StartRead(&ack_);
  }
  // gRPC's last call; it is done with the stream, which run() may destroy now. Notified
  // under the lock, so run() cannot destroy the condition variable before this is done with it.
  void OnDone(const grpc::Status& status) override {
    std::lock_guard lock(mutex_);
    outcome_.status = status;
    done_ = true;
    done_changed_.notify_one();
  }

  void write_next() {
    if (next_ < messages_.size()) {
      StartWrite(&messages_[next_++]);
    } else {
      StartWritesDone();
    }
  }

  grpc::TemplatedGenericStub<grpc::ByteBuffer, regwatch::v1::Ack> stub_;
  grpc::ClientContext context_;
  std::vector<grpc::ByteBuffer> messages_;
  size_t next_ = 0;
  regwatch::v1::Ack ack_;
  RawStreamOutcome outcome_;  // acks: the reactions' alone; status: under mutex_
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
};

}  // namespace regwatch::test
