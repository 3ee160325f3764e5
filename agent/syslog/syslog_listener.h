#pragma once
// SyslogListener: receives syslog over UDP and TCP (RFC 5426, RFC 6587) and
// hands every complete line to a LineSink. TCP runs on one poll()-driven
// thread; UDP on two of its own (UdpIntake: a receive thread reading recvmmsg
// batches into a bounded queue, a line thread calling the sink behind it), so
// a UDP flood is read as fast as it arrives and what cannot be kept is counted.
//
// Lifecycle: construct, start() (binds the sockets on the caller's thread, so a
// taken port is a clear Status, then starts the threads), stop() (wakes them
// through eventfds, joins, closes the sockets; idempotent), destructor stops.
// A stopped listener cannot be started again. stop() keeps what was queued
// (see UdpIntake for the bound).
//
// Threads: start(), stop() and the ports are for the owning thread; stats() may
// be called from any thread. The sink runs on the listener's threads, never two
// calls at once (the listener serialises them), so it needs no locking of its
// own; a slow sink now holds up TCP and the UDP queue, not the UDP socket.
//
// Bad input never stops the listener: every anomaly is a counter in stats()
// plus a rate-limited warning. Lines are cut at kMaxFrameBytes (flagged
// truncated); a peer that disconnects or idles out mid-frame has its partial
// frame delivered flagged truncated, and so does every connection at stop().
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/syslog/socket_fd.h"
#include "agent/syslog/syslog_listener_types.h"
#include "agent/syslog/tcp_server.h"
#include "agent/syslog/udp_intake.h"
#include "agent/syslog/udp_receiver.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/net_address.h"
#include "common/result.h"

namespace regwatch::agent::syslog {

// Upper bound for ListenerOptions::max_tcp_connections: the poll set is
// rebuilt on every wakeup, and each connection may hold a 64 KiB partial frame.
inline constexpr uint32_t kMaxTcpConnectionsLimit = 4096;
// Lower bound of ListenerOptions::udp_queue_max_bytes: one largest datagram fits.
inline constexpr size_t kMinUdpQueueBytes = sizeof(Datagram) + kMaxDatagramBytes;

struct ListenerOptions {
  std::optional<Endpoint> udp;                          // absent: no UDP; port 0: any free port
  std::optional<Endpoint> tcp;                          // absent: no TCP
  uint32_t max_tcp_connections = 256;                   // 1..kMaxTcpConnectionsLimit
  std::chrono::milliseconds tcp_idle_timeout{600'000};  // > 0
  // Open connections one address may hold (0: no limit), so one peer cannot
  // take every slot. 0..kMaxTcpConnectionsLimit.
  uint32_t max_tcp_connections_per_source = 32;
  // Idle timeout of a connection that has not delivered a complete line yet
  // (> 0; the shorter of this and tcp_idle_timeout applies). See tcp_server.h.
  std::chrono::milliseconds tcp_first_line_timeout{10'000};
  // Kernel receive buffer asked for on the UDP socket, so a burst after an
  // outage queues instead of being dropped while the thread is busy.
  uint32_t udp_receive_buffer_bytes = 8u * 1024 * 1024;
  // The queue between the UDP receive thread and the line thread (issue 17).
  // 200,000 CUCM lines (a full-speed burst the kernel buffer cannot hold)
  // take about 120 MiB queued; these defaults keep most of such a burst and
  // bound memory at 128 MiB. A datagram that does not fit is dropped, counted.
  size_t udp_queue_max_datagrams = 200'000;  // >= 1
  size_t udp_queue_max_bytes = 128u << 20;   // >= kMinUdpQueueBytes
  // At stop(), how long queued datagrams are still parsed; the rest is counted
  // as discarded.
  std::chrono::milliseconds udp_stop_drain_limit{5000};
};

class SyslogListener {
 public:
  // `clock` stamps receive_time_us and must outlive the listener.
  SyslogListener(ListenerOptions options, LineSink sink, const Clock& clock);
  ~SyslogListener();

  SyslogListener(const SyslogListener&) = delete;
  SyslogListener& operator=(const SyslogListener&) = delete;

  // Validates the options, binds every configured socket and starts the
  // thread. On error nothing is left open and the message names the socket:
  // "cannot listen for syslog on udp 127.0.0.1:5514: Address already in use".
  Status start();
  void stop();

  // The bound ports (what port 0 became), after a successful start(); 0 for a
  // disabled protocol.
  uint16_t udp_port() const { return udp_port_; }
  uint16_t tcp_port() const { return tcp_port_; }
  // The UDP receive buffer the kernel granted, after start(); 0 without UDP.
  uint32_t udp_receive_buffer_bytes() const { return udp_receive_buffer_bytes_; }

  ListenerStats stats() const { return counters_.snapshot(); }
  // The UDP queue's counters (full_drops, discarded at stop, depth); all zero
  // without UDP or before start().
  DatagramQueueStats udp_queue_stats() const {
    return udp_ ? udp_->queue_stats() : DatagramQueueStats{};
  }

 private:
  void run();

  ListenerOptions options_;
  LineSink sink_;
  std::mutex sink_mutex_;
  LineSink serialized_sink_;  // sink_ under sink_mutex_: what the threads call
  const Clock& clock_;
  std::unique_ptr<UdpIntake> udp_;
  std::optional<TcpServer> tcp_;
  SocketFd wake_;  // eventfd: stop() writes, the poll loop wakes and leaves
  uint16_t udp_port_ = 0;
  uint16_t tcp_port_ = 0;
  uint32_t udp_receive_buffer_bytes_ = 0;
  bool started_ = false;
  ListenerCounters counters_;
  RateLimitedLog anomaly_log_;
  std::thread thread_;
};

}  // namespace regwatch::agent::syslog
