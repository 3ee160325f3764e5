#pragma once
// What a protocol analyzer (agent/sccp/ today; DHCP, TFTP, SIP later) gives the capture layer,
// and what it gets from it. Zeek's shape: the capture layer decodes the link, IP and transport
// headers once and hands each packet to the analyzer that claimed its port; the analyzer keeps
// its own per-flow state (built from capture::FlowTable and, for TCP, one capture::TcpReassembler
// per direction) and sends typed events out through the sink it was built with (EventSink).
//
// The contract (Dispatcher keeps it, dispatcher.h):
// - claims(): the TCP and UDP ports it wants, read once when it is added. A packet is the
//   analyzer's when its destination port is claimed, else when its source port is (so a
//   client's packets to the server port and the server's replies both come). One port, one
//   analyzer: a second claim of a port is a start-up error. Ports a conversation moves to later
//   (TFTP's server-chosen port) are claimed at run time by endpoint: on_added() hands the
//   analyzer the dispatcher's RuntimeClaims, and a UDP datagram that no port claim took goes to
//   the analyzer that claimed its destination's (else its source's) address and port.
// - on_frame(): every frame, before it is decoded, in the order analyzers were added. For
//   per-packet work that must come first (SCCP preloads the records of connections whose
//   KeepAlive is due) and for a fast lane: an analyzer may take a frame it recognises by
//   shape and return true (nothing else then sees it, and the frame must be one that decodes to
//   a packet it claims). Return false to let the frame go on.
// - on_tcp(): a TCP segment of a claimed port, per packet, as captured (the analyzer puts each
//   direction back in order with its TcpReassembler: it owns the reassembler so that it can lay
//   out its per-connection record for the cache, docs/performance.md). on_udp(): a UDP datagram
//   of a claimed port.
// - on_time(): a packet at time_us the analyzer was not given (not its port, not IP, not
//   decodable): packet time moved on, and its timers may fire. Never earlier than the analyzer's
//   own packets would make it: time_us is the packet's.
// - on_idle(): the wire is quiet (live capture only): now_us is the wall clock.
// Every call is per packet, never per byte, and on the capture thread only. An analyzer never
// throws on packet data: bad input is a named, counted anomaly in its own stats.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "agent/capture/packet_decoder.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::capture {

// Where an analyzer's events go: the agent's spool, a test's vector, a golden file.
using EventSink = std::function<void(regwatch::v1::Event)>;

class Analyzer;

// Claims made at run time (dispatcher.h keeps them). A claim is of one UDP endpoint (address
// and port); it lasts until released, and an endpoint has one owner at a time.
class RuntimeClaims {
 public:
  // false when the endpoint is claimed by another analyzer, or the claims are full (at most
  // kMaxEndpointClaims at once): the caller counts it and goes on without.
  virtual bool claim_udp_endpoint(Analyzer& by, const IpAddress& address, uint16_t port) = 0;
  // Releasing an endpoint that is not claimed (or not by) is a no-op.
  virtual void release_udp_endpoint(Analyzer& by, const IpAddress& address, uint16_t port) = 0;
  static constexpr size_t kMaxEndpointClaims = 65536;

 protected:
  ~RuntimeClaims() = default;
};

struct PortClaims {
  std::vector<uint16_t> tcp;
  std::vector<uint16_t> udp;
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;

  virtual PortClaims claims() const = 0;
  // Called once when the dispatcher takes the analyzer: claims outlives the analyzer's use.
  virtual void on_added(RuntimeClaims& claims) { (void)claims; }
  virtual bool on_frame(int link_type, int64_t time_us, std::span<const uint8_t> frame) {
    (void)link_type, (void)time_us, (void)frame;
    return false;
  }
  virtual void on_tcp(const TcpSegment& segment, int64_t time_us) = 0;
  virtual void on_udp(const UdpDatagram& datagram, int64_t time_us) {
    on_time(time_us);  // an analyzer that claims no UDP port never gets one
    (void)datagram;
  }
  virtual void on_time(int64_t time_us) = 0;
  virtual void on_idle(int64_t now_us) = 0;

 protected:
  Analyzer() = default;
  Analyzer(const Analyzer&) = default;
  Analyzer& operator=(const Analyzer&) = default;
};

}  // namespace regwatch::agent::capture
