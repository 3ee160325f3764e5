#include "agent/sccp/tcp_reassembler.h"

namespace regwatch::agent::sccp {
namespace {

// a - b modulo 2^32, as a signed distance.
int64_t seq_diff(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b);
}

}  // namespace

TcpReassembler::~TcpReassembler() {
  remove_held(held_bytes_);
}

void TcpReassembler::reset() {
  remove_held(held_bytes_);
  held_.reset();
  next_seq_.reset();
}

void TcpReassembler::add_held(size_t n) {
  held_bytes_ += n;
  if (shared_) shared_->used += n;
}

void TcpReassembler::remove_held(size_t n) {
  held_bytes_ -= n;
  if (shared_) shared_->used -= n;
}

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
  const bool fits_total = !shared_ || shared_->used + payload.size() <= shared_->max;
  if (held_bytes_ + payload.size() <= max_held_bytes_ && fits_total) {
    if (!held_) held_ = std::make_unique<HeldSegments>();
    auto& slot = (*held_)[seq];
    if (slot.size() < payload.size()) {
      add_held(payload.size() - slot.size());
      slot.assign(payload.begin(), payload.end());
    }
    return;
  }
  // Over budget: give up the hole, resume at the earliest held byte (or here).
  ++counters.gaps;
  sink.gap();
  uint32_t resume = seq;
  if (held_) {
    for (const auto& [held_seq, bytes] : *held_) {
      if (seq_diff(held_seq, resume) < 0) resume = held_seq;
    }
  }
  next_seq_ = resume;
  if (resume == seq) {
    deliver(payload, seq, sink, counters);
  } else {
    if (!held_) held_ = std::make_unique<HeldSegments>();
    auto& slot = (*held_)[seq];  // briefly over budget; drained below
    remove_held(slot.size());
    slot.assign(payload.begin(), payload.end());
    add_held(slot.size());
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
  while (progressed && held_ && !held_->empty()) {
    progressed = false;
    for (auto it = held_->begin(); it != held_->end(); ++it) {
      if (seq_diff(it->first, *next_seq_) <= 0) {
        std::vector<uint8_t> bytes = std::move(it->second);
        const uint32_t seq = it->first;
        remove_held(bytes.size());
        held_->erase(it);
        deliver(bytes, seq, sink, counters);
        progressed = true;
        break;
      }
    }
  }
  if (held_ && held_->empty()) held_.reset();
}

}  // namespace regwatch::agent::sccp
