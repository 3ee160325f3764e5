#include "agent/syslog/syslog_listener.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace regwatch::agent::syslog {
namespace {

Status validate(const ListenerOptions& options) {
  if (options.tcp &&
      (options.max_tcp_connections == 0 || options.max_tcp_connections > kMaxTcpConnectionsLimit)) {
    return make_error("bad_listener_options",
                      "max_tcp_connections must be 1.." + std::to_string(kMaxTcpConnectionsLimit) +
                          ", not " + std::to_string(options.max_tcp_connections));
  }
  if (options.tcp && options.tcp_idle_timeout.count() <= 0) {
    return make_error("bad_listener_options", "tcp_idle_timeout must be positive");
  }
  if (options.tcp && options.max_tcp_connections_per_source > kMaxTcpConnectionsLimit) {
    return make_error("bad_listener_options",
                      "max_tcp_connections_per_source must be 0.." +
                          std::to_string(kMaxTcpConnectionsLimit) + ", not " +
                          std::to_string(options.max_tcp_connections_per_source));
  }
  if (options.tcp && options.tcp_first_line_timeout.count() <= 0) {
    return make_error("bad_listener_options", "tcp_first_line_timeout must be positive");
  }
  if (options.udp && (options.udp_receive_buffer_bytes < kMinUdpReceiveBufferBytes ||
                      options.udp_receive_buffer_bytes > kMaxUdpReceiveBufferBytes)) {
    return make_error("bad_listener_options", "udp_receive_buffer_bytes must be " +
                                                  std::to_string(kMinUdpReceiveBufferBytes) + ".." +
                                                  std::to_string(kMaxUdpReceiveBufferBytes) +
                                                  ", not " +
                                                  std::to_string(options.udp_receive_buffer_bytes));
  }
  if (options.udp &&
      (options.udp_queue_max_datagrams == 0 || options.udp_queue_max_bytes < kMinUdpQueueBytes ||
       options.udp_stop_drain_limit.count() < 0)) {
    return make_error("bad_listener_options",
                      "udp_queue_max_datagrams must be at least 1, udp_queue_max_bytes at least " +
                          std::to_string(kMinUdpQueueBytes) +
                          " and udp_stop_drain_limit not negative");
  }
  return Ok{};
}

}  // namespace

SyslogListener::SyslogListener(ListenerOptions options, LineSink sink, const Clock& clock)
    : options_(std::move(options)),
      sink_(std::move(sink)),
      serialized_sink_([this](const ReceivedLine& line) {
        std::lock_guard lock(sink_mutex_);
        sink_(line);
      }),
      clock_(clock) {}

SyslogListener::~SyslogListener() {
  stop();
}

Status SyslogListener::start() {
  if (started_) return make_error("already_started", "the syslog listener was already started");
  if (auto valid = validate(options_); !valid.ok()) return valid;

  SocketFd wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid()) {
    return make_error("listen_failed", "cannot create the syslog listener's wakeup eventfd: " +
                                           std::system_category().message(errno));
  }
  std::unique_ptr<UdpIntake> udp;
  if (options_.udp) {
    auto opened = UdpReceiver::open(*options_.udp, options_.udp_receive_buffer_bytes);
    if (!opened.ok()) return opened.error();
    udp = std::make_unique<UdpIntake>(
        std::move(*opened),
        DatagramQueueLimits{options_.udp_queue_max_datagrams, options_.udp_queue_max_bytes},
        options_.udp_stop_drain_limit, serialized_sink_, clock_, counters_);
  }
  std::optional<TcpServer> tcp;
  if (options_.tcp) {
    auto opened = TcpServer::open(
        *options_.tcp, {options_.max_tcp_connections, options_.max_tcp_connections_per_source,
                        options_.tcp_idle_timeout, options_.tcp_first_line_timeout});
    if (!opened.ok()) return opened.error();
    tcp.emplace(std::move(*opened));
  }

  udp_port_ = udp ? udp->port() : 0;
  udp_receive_buffer_bytes_ = udp ? udp->receive_buffer_bytes() : 0;
  tcp_port_ = tcp ? tcp->port() : 0;
  udp_ = std::move(udp);
  tcp_ = std::move(tcp);
  wake_ = std::move(wake);
  started_ = true;
  if (udp_) {
    if (auto started = udp_->start(); !started.ok()) {
      udp_.reset();
      tcp_.reset();
      return started;
    }
  }
  if (tcp_) thread_ = std::thread([this] { run(); });
  return Ok{};
}

void SyslogListener::stop() {
  if (udp_) udp_->stop();  // the intake stays: its counters are still read
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  // An eventfd write only fails when the counter would overflow, and then it
  // is already readable: the loop wakes either way.
  [[maybe_unused]] const ssize_t written = write(wake_.get(), &one, sizeof(one));
  thread_.join();
  tcp_.reset();
  wake_.reset();
}

void SyslogListener::run() {
  pthread_setname_np(pthread_self(), "syslog-listen");
  auto log = component_logger("agent.syslog");
  const LineDelivery delivery{serialized_sink_, clock_, counters_, *log, anomaly_log_};
  std::vector<pollfd> fds;
  while (true) {
    auto now = std::chrono::steady_clock::now();
    fds.clear();
    fds.push_back(pollfd{wake_.get(), POLLIN, 0});
    const size_t tcp_index = fds.size();
    if (tcp_) tcp_->add_poll_fds(fds, now);

    const int timeout_ms = tcp_ ? tcp_->poll_timeout_ms(now) : -1;
    if (poll(fds.data(), fds.size(), timeout_ms) < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      bump(counters_.receive_errors);
      delivery.warn("syslog poll failed: {}", std::system_category().message(error));
      continue;
    }
    if (fds[0].revents != 0) break;  // stop()

    now = std::chrono::steady_clock::now();
    if (tcp_) tcp_->handle(std::span<const pollfd>(fds).subspan(tcp_index), delivery, now);
  }
  // Keep what already arrived: partial TCP frames.
  if (tcp_) tcp_->close_all(delivery);
}

}  // namespace regwatch::agent::syslog
