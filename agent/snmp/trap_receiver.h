#pragma once
// Receives SNMP traps and informs on UDP (loopback and a high port by default,
// so the agent runs unprivileged): v1, v2c and v3 (USM) traps, and v2c/v3
// INFORMs, which are acknowledged. Dropped and counted: v1/v2c traps with
// another community than the configured one; v3 messages from an unknown
// user or engine, or failing authentication / decryption (net-snmp refuses
// them before we see them; we count from its statistics); undecodable
// packets and v2 traps without snmpTrapOID.0 (malformed); traps with more
// than 128 varbinds or 16 KiB of values (oversized). Each accepted trap
// becomes one event via classify_trap. Traps the kernel dropped because the
// receive buffer was full are counted too (kernel_drops): net-snmp reads the
// socket itself, so the socket's drop counter is read with SO_MEMINFO (the
// counter SO_RXQ_OVFL would report) after every read and every idle tick.
//
// Threads: one receive thread; the sink is called on it and must be quick.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "agent/snmp/usm_users.h"
#include "common/clock.h"
#include "common/net_address.h"
#include "common/result.h"
#include "common/udp_receive_buffer.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::snmp {

struct TrapReceiverOptions {
  Endpoint endpoint{"127.0.0.1", 10162};
  std::string community = "public";
  std::vector<UsmUserSpec> users;                    // v3; registered by start()
  uint32_t receive_buffer_bytes = 8u * 1024 * 1024;  // kernel receive buffer asked for
};

struct TrapStats {
  uint64_t received = 0;
  uint64_t accepted = 0;
  uint64_t informs_acknowledged = 0;
  uint64_t unknown_community = 0;
  uint64_t malformed = 0;
  uint64_t unsupported_version = 0;
  uint64_t unknown_user = 0;     // v3: unknown user name or engine ID
  uint64_t unauthenticated = 0;  // v3: wrong digest, decryption error, security level, time window
  uint64_t oversized = 0;
  uint64_t kernel_drops = 0;  // datagrams the kernel dropped: receive buffer full
};

class TrapReceiver {
 public:
  TrapReceiver(TrapReceiverOptions options, std::function<void(regwatch::v1::Event)> sink,
               const Clock& clock);
  ~TrapReceiver();
  TrapReceiver(const TrapReceiver&) = delete;
  TrapReceiver& operator=(const TrapReceiver&) = delete;

  Status start();
  void stop();
  TrapStats stats() const;
  // The receive buffer the kernel granted, after start() (may be less than
  // asked: net.core.rmem_max); 0 if unknown.
  uint32_t receive_buffer_bytes() const { return receive_buffer_bytes_; }

  // net-snmp's C callback; not for callers.
  int on_pdu(int operation, void* pdu);

 private:
  void run();

  TrapReceiverOptions options_;
  std::function<void(regwatch::v1::Event)> sink_;
  const Clock& clock_;
  void* session_ = nullptr;    // net-snmp single-session handle, closed in stop()
  void* transport_ = nullptr;  // owned by the session
  int socket_fd_ = -1;         // the transport's socket, for its drop count
  uint32_t receive_buffer_bytes_ = 0;
  KernelDropCounter kernel_drops_;  // receive thread only
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  struct Counters {
    std::atomic<uint64_t> received{0}, accepted{0}, informs{0}, unknown_community{0}, malformed{0},
        unsupported_version{0}, unknown_user{0}, unauthenticated{0}, oversized{0}, kernel_drops{0};
  } counters_;
};

}  // namespace regwatch::agent::snmp
