#pragma once
// One direction of a TCP connection put back in order, enough for SCCP:
// segments split anywhere, several PDUs per segment, retransmissions and
// overlaps trimmed, out-of-order segments held until the hole fills. Memory
// is bounded: when the held bytes would pass the budget, the hole is given up
// (a counted gap) and delivery resumes at the earliest held segment.
//
// Pure (no clock, no I/O). Sequence numbers compare modulo 2^32.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace regwatch::agent::capture {

struct ReassemblyCounters {
  uint64_t retransmitted_segments = 0;
  uint64_t out_of_order_segments = 0;
  uint64_t gaps = 0;              // holes given up: bytes never seen
  uint64_t midstream_starts = 0;  // first segment seen without the SYN
};

// The bounds on out-of-order bytes: per direction of a connection, and for all reassemblers
// together (so that many flows with holes cannot add up past a total). Shared by the
// reassemblers, which are handed it with each segment.
struct HeldBudget {
  size_t used = 0;
  size_t max = 64 * 1024 * 1024;
  size_t max_per_stream = 64 * 1024;
};

class TcpReassembler {
 public:
  // What the reassembler hands on: in-order bytes, and notice that bytes were
  // lost before the next data.
  struct Sink {
    virtual void data(std::span<const uint8_t> bytes) = 0;
    virtual void gap() = 0;

   protected:
    ~Sink() = default;
  };

  TcpReassembler() = default;
  // Gives its held bytes back to the budget they were taken from.
  ~TcpReassembler();
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  // budget must be the same one for every segment of this stream, and outlive what it holds.
  void on_segment(uint32_t seq, bool syn, std::span<const uint8_t> payload, HeldBudget& budget,
                  Sink& sink, ReassemblyCounters& counters);
  // The fast path for the common case: a segment that starts exactly where the stream is
  // and nothing is held past a hole. Then its n bytes are taken as delivered (the caller
  // hands them on itself) and it returns true; otherwise it changes nothing and returns false,
  // and the caller goes through on_segment. Same state and counts as on_segment either way.
  bool take_in_order(uint32_t seq, size_t n) {
    if (!started_ || next_seq_ != seq || held_) return false;
    next_seq_ += static_cast<uint32_t>(n);
    return true;
  }
  size_t held_bytes() const { return held_ ? held_->bytes : 0; }
  // Back to a fresh connection (its held bytes returned to the budget).
  void reset();

 private:
  void deliver(std::span<const uint8_t> payload, uint32_t seq, Sink& sink,
               ReassemblyCounters& counters);
  void drain(Sink& sink, ReassemblyCounters& counters);
  void start_at(uint32_t seq) {
    next_seq_ = seq;
    started_ = true;
  }
  // The held segment at seq (empty when new).
  std::vector<uint8_t>& held_at(uint32_t seq, HeldBudget& budget);
  void add_held(size_t n);
  void remove_held(size_t n);

  // Segments past a hole, by sequence number (never across a wrap: see .cpp), and what they
  // take of the budget. Allocated only while there are some: most streams never have a hole,
  // and a connection's two streams fit with the rest of its record in two cache lines only
  // without it (docs/performance.md).
  struct Held {
    std::map<uint32_t, std::vector<uint8_t>> segments;
    size_t bytes = 0;
    HeldBudget* budget = nullptr;
  };
  std::unique_ptr<Held> held_;
  uint32_t next_seq_ = 0;  // valid once started_
  bool started_ = false;
};

}  // namespace regwatch::agent::capture
