#include "collector/app/leadership.h"

#include <unistd.h>

#include <random>

#include "collector/store/database.h"
#include "common/logging.h"

namespace regwatch::collector {
namespace {

// The leader stops acting this long before its lease could run out at the database.
constexpr auto kFenceMargin = std::chrono::milliseconds(2000);

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// host/pid/random: unique per process, and says where it runs.
std::string holder_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device random;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", random());
  return std::string(host[0] ? host : "collector") + "/" + std::to_string(::getpid()) + "/" +
         suffix;
}

}  // namespace

Result<std::unique_ptr<Leadership>> Leadership::start(const Options& options,
                                                      LeadershipCallbacks callbacks) {
  std::unique_ptr<Leadership> leadership(new Leadership());
  leadership->options_ = options;
  leadership->callbacks_ = std::move(callbacks);
  leadership->self_ = holder_name();
  auto& registry = metrics::default_registry();
  leadership->leader_gauge_ =
      &registry
           .gauge("regwatch_collector_leader",
                  "1 while this collector leads (runs correlation, conditions and alert "
                  "dispatch), 0 while it stands by; a single collector on SQLite always leads.")
           .with({});
  leadership->since_gauge_ =
      &registry
           .gauge("regwatch_collector_leader_since_timestamp_seconds",
                  "Unix time this collector last began to lead; 0 while it stands by.")
           .with({});
  leadership->term_gauge_ =
      &registry
           .gauge("regwatch_collector_leader_term",
                  "The leader lease's term when this collector last took it (goes up by one at "
                  "each change of leader).")
           .with({});
  leadership->changes_ = &registry
                              .counter("regwatch_collector_leader_changes_total",
                                       "Times this collector began or stopped leading.")
                              .with({});
  const auto now_seconds = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  if (!store::is_postgresql_location(options.location)) {
    leadership->leading_ = true;
    leadership->leader_gauge_->set(1);
    leadership->since_gauge_->set(now_seconds());
    leadership->term_gauge_->set(1);
    if (leadership->callbacks_.gained) leadership->callbacks_.gained(store::LeaseFence{});
    return leadership;
  }
  leadership->fence_after_ =
      std::max<std::chrono::nanoseconds>(options.lease - kFenceMargin, options.lease / 2);
  auto lease = store::LeaderLease::open(
      options.location, leadership->self_, options.address,
      std::chrono::duration_cast<std::chrono::microseconds>(options.lease).count());
  if (!lease.ok()) return lease.error();
  leadership->lease_ = std::move(lease).value();
  component_logger("collector.leader")
      ->info(
          "collectors in pairs: this collector is {}; it leads once it holds the lease "
          "({} ms, renewed every {} ms)",
          leadership->self_, options.lease.count(), options.renew_every.count());
  leadership->tick();  // lead at once when nobody else does
  auto* self = leadership.get();
  leadership->thread_ = std::thread([self] { self->run(); });
  return leadership;
}

Leadership::~Leadership() {
  stop();
}

bool Leadership::leading() const {
  if (!leading_.load()) return false;
  if (!lease_) return true;
  return steady_ns() - renewed_at_ns_.load() < fence_after_.count();
}

LeadershipStatus Leadership::status() const {
  LeadershipStatus status;
  status.uses_lease = lease_ != nullptr;
  status.leading = leading();
  status.self = self_;
  std::lock_guard lock(mutex_);
  if (read_once_) {
    status.lease = last_read_;
    status.lease_current = last_read_.expires_us > last_read_.now_us;
  }
  status.store_unreachable = store_unreachable_;
  return status;
}

void Leadership::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.renew_every, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    tick();
    lock.lock();
  }
}

void Leadership::tick() {
  auto log = component_logger("collector.leader");
  // Fenced already (the last try failed, or took long): stop acting before trying again, which
  // may take a connect timeout while the server cannot be reached.
  if (leading_ && steady_ns() - renewed_at_ns_.load() >= fence_after_.count())
    step_down("the lease could not be renewed in time");
  auto held = lease_->acquire_or_renew();
  {
    std::lock_guard lock(mutex_);
    if (held.ok()) {
      store_unreachable_.clear();
    } else if (held.error().code == "unavailable") {
      store_unreachable_ = held.error().message;
    }
  }
  if (held.ok() && held->has_value()) {
    renewed_at_ns_ = steady_ns();
    if (!leading_.exchange(true)) {
      log->info(
          "this collector now leads (term {}): correlation, conditions and alert dispatch "
          "run here",
          **held);
      leader_gauge_->set(1);
      since_gauge_->set(
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count());
      term_gauge_->set(static_cast<double>(**held));
      changes_->inc();
      if (callbacks_.gained) callbacks_.gained(store::LeaseFence{self_, **held});
    }
  } else if (held.ok()) {
    if (leading_) step_down("another collector holds the lease");
  } else {
    log->warn("cannot renew the leader lease: {}", held.error().message);
    if (leading_ && steady_ns() - renewed_at_ns_.load() >= fence_after_.count())
      step_down("the lease could not be renewed in time");
  }
  if (!held.ok()) return;  // reading the lease now would fail the same way, or wait as long
  if (auto state = lease_->current(); state.ok()) {
    std::lock_guard lock(mutex_);
    read_once_ = true;
    last_read_ = state->value_or(store::LeaseState{});
  }
}

void Leadership::step_down(const char* why) {
  if (!leading_.exchange(false)) return;
  component_logger("collector.leader")
      ->warn(
          "this collector no longer leads ({}): correlation, conditions and alert dispatch "
          "stop here",
          why);
  leader_gauge_->set(0);
  since_gauge_->set(0);
  changes_->inc();
  if (callbacks_.lost) callbacks_.lost();
}

void Leadership::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (lease_ && leading_) {
    step_down("shutting down");
    if (auto released = lease_->release(); !released.ok()) {
      component_logger("collector.leader")
          ->warn(
              "could not release the leader lease ({}); another collector takes over when "
              "it runs out",
              released.error().message);
    }
  }
}

}  // namespace regwatch::collector
