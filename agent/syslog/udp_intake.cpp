#include "agent/syslog/udp_intake.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "agent/syslog/socket_binding.h"
#include "common/logging.h"

namespace regwatch::agent::syslog {
namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

UdpIntake::UdpIntake(UdpReceiver receiver, DatagramQueueLimits limits,
                     std::chrono::milliseconds stop_drain_limit, const LineSink& sink,
                     const Clock& clock, ListenerCounters& counters)
    : receiver_(std::move(receiver)),
      queue_(limits),
      stop_drain_limit_(stop_drain_limit),
      sink_(sink),
      clock_(clock),
      counters_(counters) {}

UdpIntake::~UdpIntake() {
  stop();
}

Status UdpIntake::start() {
  SocketFd wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid()) {
    return make_error("listen_failed", "cannot create the syslog udp wakeup eventfd: " +
                                           std::system_category().message(errno));
  }
  wake_ = std::move(wake);
  receive_thread_ = std::thread([this] { receive_loop(); });
  line_thread_ = std::thread([this] { line_loop(); });
  return Ok{};
}

void UdpIntake::stop() {
  if (!receive_thread_.joinable()) return;
  stopping_.store(true);
  const uint64_t one = 1;
  // An eventfd write only fails when the counter would overflow, and then it
  // is already readable: the thread wakes either way.
  [[maybe_unused]] const ssize_t written = write(wake_.get(), &one, sizeof(one));
  receive_thread_.join();  // it closed the queue on its way out
  drain_deadline_ns_.store(steady_ns() + std::chrono::nanoseconds(stop_drain_limit_).count());
  line_thread_.join();
  wake_.reset();
}

void UdpIntake::receive_loop() {
  pthread_setname_np(pthread_self(), "syslog-udp-rx");
  auto log = component_logger("agent.syslog");
  const LineDelivery delivery{sink_, clock_, counters_, *log, receive_log_};
  std::vector<Datagram> batch;
  batch.reserve(kUdpReceiveBatch);
  const auto push = [&] {
    const size_t offered = batch.size();
    const size_t accepted = queue_.push(batch);
    if (accepted < offered) {
      delivery.warn(
          "syslog udp: the queue is full, dropped {} datagram(s) ({} since start; parsing and "
          "spooling are behind: raise syslog.udp_queue_max_datagrams / udp_queue_max_bytes)",
          offered - accepted, queue_.stats().full_drops);
    }
  };
  std::array<pollfd, 2> fds{pollfd{wake_.get(), POLLIN, 0}, pollfd{receiver_.fd(), POLLIN, 0}};
  while (!stopping_.load(std::memory_order_relaxed)) {
    fds[0].revents = fds[1].revents = 0;
    if (poll(fds.data(), fds.size(), -1) < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      bump(counters_.receive_errors);
      delivery.warn("syslog udp poll failed: {}", std::system_category().message(error));
      continue;
    }
    if (fds[0].revents != 0) break;  // stop()
    // Read until the socket is empty; a flood that never lets it empty still
    // sees stop() through the flag.
    while (!stopping_.load(std::memory_order_relaxed) && receiver_.receive(batch, delivery) > 0) {
      push();
    }
  }
  // Keep what already arrived, a bounded amount of it.
  for (size_t read = 0; read < kUdpDatagramsAtStop;) {
    const size_t n = receiver_.receive(batch, delivery);
    if (n == 0) break;
    read += n;
    push();
  }
  queue_.close();
}

void UdpIntake::line_loop() {
  pthread_setname_np(pthread_self(), "syslog-udp-line");
  auto log = component_logger("agent.syslog");
  const LineDelivery delivery{sink_, clock_, counters_, *log, line_log_};
  std::vector<Datagram> batch;
  batch.reserve(kUdpLineBatch);
  while (queue_.pop(batch, kUdpLineBatch)) {
    for (const auto& d : batch) {
      PeerIpBuffer ip_text;
      delivery.deliver(d.payload, format_peer_ip(d.sender, ip_text), d.receive_time_us,
                       d.truncated);
    }
    const int64_t deadline = drain_deadline_ns_.load(std::memory_order_relaxed);
    if (deadline != 0 && steady_ns() > deadline) {
      const uint64_t discarded = queue_.discard_all();
      if (discarded > 0) {
        log->warn(
            "syslog udp: stopping; discarded {} queued datagram(s) not parsed within {} ms "
            "(reported as dropped)",
            discarded, stop_drain_limit_.count());
      }
    }
  }
}

}  // namespace regwatch::agent::syslog
