#include "agent/shipper/shipper.h"

#include <algorithm>

#include "common/logging.h"

namespace regwatch::agent::shipper {
namespace {

constexpr int kMaxMessageBytes = 64 << 20;
constexpr std::chrono::milliseconds kLinger{5};

}  // namespace

bool is_permanent_refusal(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED ||
         code == grpc::StatusCode::INVALID_ARGUMENT;
}

Shipper::Shipper(spool::Spool& spool, ShipperOptions options)
    : spool_(spool), options_(std::move(options)), resend_horizon_(spool.last_seq()) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  // Notice a dead collector or network within ~30 s even when idle.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // We do our own backoff with jitter; keep gRPC's reconnects quick.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  if (!options_.tls_server_name.empty()) args.SetSslTargetNameOverride(options_.tls_server_name);
  channel_ = grpc::CreateCustomChannel(options_.target, options_.credentials, args);
  stub_ = regwatch::v1::Ingest::NewStub(channel_);
}

Shipper::~Shipper() {
  stop();
}

void Shipper::start() {
  thread_ = std::thread([this] { run(); });
}

void Shipper::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    if (current_) current_->cancel();
  }
  changed_.notify_all();
  spool_.close();  // wakes the thread if it waits for data
  if (thread_.joinable()) thread_.join();
}

ShipperStats Shipper::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool Shipper::wait_acked(uint64_t seq, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (spool_.acked_seq() >= seq) return true;
    if (stopping_ || is_permanent_refusal(stats_.last_error_code)) return false;
    // Acks arrive on gRPC threads; poll the spool's position at a short interval.
    if (changed_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                         std::chrono::milliseconds(20))) ==
            std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= deadline) {
      return spool_.acked_seq() >= seq;
    }
  }
}

void Shipper::count_ack(const AckCounts& counts) {
  {
    std::lock_guard lock(mutex_);
    stats_.events_stored += counts.stored;
    stats_.duplicates += counts.duplicates;
    stats_.unexpected_duplicates += counts.unexpected_duplicates;
  }
  uint64_t suppressed = 0;
  if (counts.unexpected_duplicates > 0 && duplicate_log_.allow(suppressed)) {
    auto log = component_logger("agent.shipper");
    log->warn(
        "the collector already had {} events of a batch sent for the first time "
        "(agent '{}', spool incarnation '{}') and did not store them again: another "
        "spool under this agent id and incarnation, or an earlier replay of the same "
        "archive, stored them ({} similar warnings suppressed)",
        counts.unexpected_duplicates, options_.agent_id, spool_.incarnation(), suppressed);
  }
}

bool Shipper::sleep_backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !changed_.wait_for(lock, delay, [&] { return stopping_; });
}

void Shipper::run() {
  auto log = component_logger("agent.shipper");
  RateLimitedLog failure_log(3, std::chrono::seconds(60));
  auto backoff = options_.backoff_initial;
  for (;;) {
    ShipStream stream(spool_, options_.limits, resend_horizon_,
                      [this](const AckCounts& counts) { count_ack(counts); });
    stream.context().AddMetadata("x-regwatch-agent-id", options_.agent_id);
    if (!options_.token.empty())
      stream.context().AddMetadata("authorization", "Bearer " + options_.token);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      current_ = &stream;
      ++stats_.connects;
    }
    stream.start(*stub_);
    bool announced = false;
    while (!stream.done()) {
      const uint64_t sent = stream.sent_seq();
      if (spool_.last_seq() <= sent) {
        spool_.wait_for_data_after(sent, std::chrono::milliseconds(100));
      } else if (stream.busy()) {
        // Linger: while batches are in flight, give the spool a moment to fill a
        // whole batch (reactions send full ones); few big batches cost the
        // collector far less than many small transactions.
        stream.wait_progress(kLinger);
      }
      stream.pump();
      if (!announced && stream.acked_batches() > 0) {
        announced = true;
        backoff = options_.backoff_initial;  // a working stream resets the backoff
        std::lock_guard lock(mutex_);
        stats_.connected = true;
        stats_.last_error.clear();
        stats_.last_error_code = grpc::StatusCode::OK;
        log->info("shipping to collector {}", options_.target);
      }
      changed_.notify_all();
    }
    grpc::Status status = stream.wait_done();
    // What this stream sent without an ack may be resent by the next one.
    resend_horizon_ = std::max(resend_horizon_, stream.sent_seq());
    {
      std::lock_guard lock(mutex_);
      current_ = nullptr;
      stats_.connected = false;
      if (stopping_) return;
      ++stats_.failures;
      stats_.last_error = status.error_message();
      stats_.last_error_code = status.error_code();
    }
    changed_.notify_all();
    // Full jitter: a fleet of agents does not reconnect in lockstep.
    std::uniform_int_distribution<int64_t> jitter(backoff.count() / 2, backoff.count());
    const auto delay = std::chrono::milliseconds(jitter(random_));
    uint64_t suppressed = 0;
    if (failure_log.allow(suppressed)) {
      const uint64_t waiting = spool_.last_seq() - spool_.acked_seq();
      if (is_permanent_refusal(status.error_code())) {
        log->error(
            "the collector {} refused this agent: {} (fix the token/certificate; retrying in {} "
            "ms)",
            options_.target, status.error_message(), delay.count());
      } else {
        log->warn("collector {} unavailable: {}; {} events wait in the spool; retrying in {} ms",
                  options_.target, status.error_message(), waiting, delay.count());
      }
    }
    if (!sleep_backoff(delay)) return;
    backoff = std::min(options_.backoff_max, backoff * 2);
  }
}

}  // namespace regwatch::agent::shipper
