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

namespace regwatch::agent::sccp {

struct ReassemblyCounters {
  uint64_t retransmitted_segments = 0;
  uint64_t out_of_order_segments = 0;
  uint64_t gaps = 0;              // holes given up: bytes never seen
  uint64_t midstream_starts = 0;  // first segment seen without the SYN
};

// Out-of-order bytes held by all reassemblers together, so that many flows
// with holes cannot add up past a total budget.
struct HeldBudget {
  size_t used = 0;
  size_t max = 64 * 1024 * 1024;
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

  // shared (optional) must outlive the reassembler.
  explicit TcpReassembler(size_t max_held_bytes = 64 * 1024, HeldBudget* shared = nullptr)
      : max_held_bytes_(max_held_bytes), shared_(shared) {}
  ~TcpReassembler();
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  void on_segment(uint32_t seq, bool syn, std::span<const uint8_t> payload, Sink& sink,
                  ReassemblyCounters& counters);
  // The fast path for the common case: a segment that starts exactly where the stream is
  // and nothing is held past a hole. Then its n bytes are taken as delivered (the caller
  // hands them on itself) and it returns true; otherwise it changes nothing and returns false,
  // and the caller goes through on_segment. Same state and counts as on_segment either way.
  bool take_in_order(uint32_t seq, size_t n) {
    if (!next_seq_ || *next_seq_ != seq || held_) return false;
    *next_seq_ += static_cast<uint32_t>(n);
    return true;
  }
  size_t held_bytes() const { return held_bytes_; }
  // Back to a fresh connection (its held bytes returned to the budget).
  void reset();

 private:
  void deliver(std::span<const uint8_t> payload, uint32_t seq, Sink& sink,
               ReassemblyCounters& counters);
  void drain(Sink& sink, ReassemblyCounters& counters);

  void add_held(size_t n);
  void remove_held(size_t n);

  size_t max_held_bytes_;
  HeldBudget* shared_;
  std::optional<uint32_t> next_seq_;
  // Segments past a hole, by sequence number (never across a wrap: see .cpp).
  // Allocated only while there are some: most streams never have a hole, and
  // an empty map would still cost every connection 48 bytes on its hot lines.
  using HeldSegments = std::map<uint32_t, std::vector<uint8_t>>;
  std::unique_ptr<HeldSegments> held_;
  size_t held_bytes_ = 0;
};

}  // namespace regwatch::agent::sccp
