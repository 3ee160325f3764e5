#include "agent/sccp/tcp_reassembler.h"

namespace regwatch::agent::sccp {
namespace {

// a - b modulo 2^32, as a signed distance.
int64_t seq_diff(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b);
}

}  // namespace

void TcpReassembler::on_segment(uint32_t seq, bool syn, std::span<const uint8_t> payload,
                                Sink& sink, ReassemblyCounters& counters) {
  if (syn) {
    if (!next_seq_) next_seq_ = seq + 1;  // a repeated SYN is a retransmission
    seq += 1;                             // SYN takes one sequence number
  }
  if (payload.empty()) return;
  if (!next_seq_) {
    next_seq_ = seq;
    ++counters.midstream_starts;
  }
  const int64_t ahead = seq_diff(seq, *next_seq_);
  if (ahead <= 0) {
    deliver(payload, seq, sink, counters);
    drain(sink, counters);
    return;
  }
  // A hole before this segment: hold it, within the budget.
  ++counters.out_of_order_segments;
  if (held_bytes_ + payload.size() <= max_held_bytes_) {
    auto& slot = held_[seq];
    if (slot.size() < payload.size()) {
      held_bytes_ += payload.size() - slot.size();
      slot.assign(payload.begin(), payload.end());
    }
    return;
  }
  // Over budget: give up the hole, resume at the earliest held byte (or here).
  ++counters.gaps;
  sink.gap();
  uint32_t resume = seq;
  for (const auto& [held_seq, bytes] : held_) {
    if (seq_diff(held_seq, resume) < 0) resume = held_seq;
  }
  next_seq_ = resume;
  if (resume == seq) {
    deliver(payload, seq, sink, counters);
  } else {
    held_bytes_ += payload.size();  // briefly over budget; drained below
    held_[seq].assign(payload.begin(), payload.end());
  }
  drain(sink, counters);
}

void TcpReassembler::deliver(std::span<const uint8_t> payload, uint32_t seq, Sink& sink,
                             ReassemblyCounters& counters) {
  const int64_t behind = -seq_diff(seq, *next_seq_);
  if (behind >= static_cast<int64_t>(payload.size())) {
    ++counters.retransmitted_segments;
    return;
  }
  if (behind > 0) {
    ++counters.retransmitted_segments;  // partly new: an overlapping retransmission
    payload = payload.subspan(static_cast<size_t>(behind));
  }
  *next_seq_ += static_cast<uint32_t>(payload.size());
  sink.data(payload);
}

void TcpReassembler::drain(Sink& sink, ReassemblyCounters& counters) {
  // Held segments are few; a linear pass per delivery keeps wrap-around handling simple.
  bool progressed = true;
  while (progressed && !held_.empty()) {
    progressed = false;
    for (auto it = held_.begin(); it != held_.end(); ++it) {
      if (seq_diff(it->first, *next_seq_) <= 0) {
        std::vector<uint8_t> bytes = std::move(it->second);
        const uint32_t seq = it->first;
        held_bytes_ -= bytes.size();
        held_.erase(it);
        deliver(bytes, seq, sink, counters);
        progressed = true;
        break;
      }
    }
  }
}

}  // namespace regwatch::agent::sccp
