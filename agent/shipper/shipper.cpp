#include "agent/shipper/shipper.h"

#include <algorithm>
#include <optional>
#include <string>

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
    : spool_(spool),
      options_(std::move(options)),
      rotation_(std::max<size_t>(options_.targets.size(), 1)),
      resend_horizon_(spool.last_seq()) {
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
  // No address (a caller's mistake; the config check refuses it): streams to "" fail and say so.
  if (options_.targets.empty()) options_.targets.emplace_back();
  for (const auto& address : options_.targets) {
    Target target;
    target.address = address;
    // Channels connect lazily: a standby collector costs nothing until it is needed.
    target.channel = grpc::CreateCustomChannel(address, options_.credentials, args);
    target.stub = std::make_unique<IngestStub>(target.channel);
    target.failure_log = std::make_unique<RateLimitedLog>(1, kFailureLogInterval);
    targets_.push_back(std::move(target));
  }
  stats_.collector = targets_.front().address;
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
    if (stopping_ || stats_.refused_by_all) return false;
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

void Shipper::log_failure(const Target& target, const grpc::Status& status,
                          std::chrono::milliseconds delay, const std::string& next) {
  uint64_t suppressed = 0;
  if (!target.failure_log->allow(suppressed)) return;
  auto log = component_logger("agent.shipper");
  const std::string attempts = suppressed == 0 ? std::string()
                                               : " (" + std::to_string(suppressed) +
                                                     " more attempts since its last warning)";
  const std::string then = next == target.address ? "retrying" : "trying collector " + next;
  if (is_permanent_refusal(status.error_code())) {
    log->error("the collector {} refused this agent{}: {} (fix the token/certificate; {} in {} ms)",
               target.address, attempts, status.error_message(), then, delay.count());
  } else {
    const uint64_t waiting = spool_.last_seq() - spool_.acked_seq();
    log->warn("collector {} unreachable{}: {}; {} events wait in the spool; {} in {} ms",
              target.address, attempts, status.error_message(), waiting, then, delay.count());
  }
}

void Shipper::run() {
  auto log = component_logger("agent.shipper");
  auto backoff = options_.backoff_initial;
  for (;;) {
    const Target& target = targets_[rotation_.current()];
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
      stats_.collector = target.address;
    }
    stream.start(*target.stub);
    bool announced = false;
    std::optional<grpc::Status> stalled;  // set once the collector owed an ack too long
    while (!stream.done()) {
      if (!stalled &&
          stream.ack_owed_for(std::chrono::steady_clock::now()) > options_.ack_timeout) {
        stalled =
            grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                         "no ack within " + std::to_string(options_.ack_timeout.count()) +
                             " ms (collector.ack_timeout_s): the collector is taken for stuck");
        log->warn("collector {} has owed an ack for more than {} ms: giving up on it",
                  target.address, options_.ack_timeout.count());
        stream.cancel();  // OnDone follows; the loop ends there
      }
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
        const auto previous = rotation_.last_working();
        const bool failover = rotation_.worked();
        {
          std::lock_guard lock(mutex_);
          stats_.connected = true;
          stats_.last_error.clear();
          stats_.last_error_code = grpc::StatusCode::OK;
          stats_.refused_by_all = false;
          stats_.failovers = rotation_.failovers();
        }
        if (failover) {
          log->info("failed over to collector {} (from {}): shipping there", target.address,
                    targets_[*previous].address);
        } else {
          log->info("shipping to collector {}", target.address);
        }
      }
      changed_.notify_all();
    }
    grpc::Status status = stream.wait_done();
    if (stalled && status.error_code() == grpc::StatusCode::CANCELLED) status = *stalled;
    // What this stream sent without an ack may be resent by the next one (to whichever collector).
    resend_horizon_ = std::max(resend_horizon_, stream.sent_seq());
    rotation_.failed(is_permanent_refusal(status.error_code()));
    const std::string& next = targets_[rotation_.current()].address;
    {
      std::lock_guard lock(mutex_);
      current_ = nullptr;
      stats_.connected = false;
      if (stopping_) return;
      ++stats_.failures;
      if (stalled) ++stats_.ack_stalls;
      stats_.last_error = status.error_message();
      stats_.last_error_code = status.error_code();
      stats_.refused_by_all = rotation_.all_refused();
      stats_.collector = next;
    }
    changed_.notify_all();
    // Full jitter: a fleet of agents does not reconnect in lockstep.
    std::uniform_int_distribution<int64_t> jitter(backoff.count() / 2, backoff.count());
    const auto delay = std::chrono::milliseconds(jitter(random_));
    log_failure(target, status, delay, next);
    if (!sleep_backoff(delay)) return;
    backoff = std::min(options_.backoff_max, backoff * 2);
  }
}

}  // namespace regwatch::agent::shipper
