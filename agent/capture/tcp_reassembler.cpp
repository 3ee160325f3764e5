#include "agent/capture/tcp_reassembler.h"

namespace regwatch::agent::capture {
namespace {

// a - b modulo 2^32, as a signed distance.
int64_t seq_diff(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b);
}

}  // namespace

TcpReassembler::~TcpReassembler() {
  reset();
}

void TcpReassembler::reset() {
  if (held_) remove_held(held_->bytes);
  held_.reset();
  started_ = false;
}

void TcpReassembler::add_held(size_t n) {
  held_->bytes += n;
  held_->budget->used += n;
}

void TcpReassembler::remove_held(size_t n) {
  held_->bytes -= n;
  held_->budget->used -= n;
}

void TcpReassembler::on_segment(uint32_t seq, bool syn, std::span<const uint8_t> payload,
                                HeldBudget& budget, Sink& sink, ReassemblyCounters& counters) {
  if (syn) {
    if (!started_) start_at(seq + 1);  // a repeated SYN is a retransmission
    seq += 1;                          // SYN takes one sequence number
  }
  if (payload.empty()) return;
  if (!started_) {
    start_at(seq);
    ++counters.midstream_starts;
  }
  const int64_t ahead = seq_diff(seq, next_seq_);
  if (ahead <= 0) {
    deliver(payload, seq, sink, counters);
    drain(sink, counters);
    return;
  }
  // A hole before this segment: hold it, within the budget.
  ++counters.out_of_order_segments;
  const bool fits_total = budget.used + payload.size() <= budget.max;
  if (held_bytes() + payload.size() <= budget.max_per_stream && fits_total) {
    std::vector<uint8_t>& held = held_at(seq, budget);
    if (held.size() < payload.size()) {
      add_held(payload.size() - held.size());
      held.assign(payload.begin(), payload.end());
    }
    return;
  }
  // Over budget: give up the hole, resume at the earliest held byte (or here).
  ++counters.gaps;
  sink.gap();
  uint32_t resume = seq;
  if (held_) {
    for (const auto& [held_seq, bytes] : held_->segments) {
      if (seq_diff(held_seq, resume) < 0) resume = held_seq;
    }
  }
  start_at(resume);
  if (resume == seq) {
    deliver(payload, seq, sink, counters);
  } else {
    std::vector<uint8_t>& held = held_at(seq, budget);  // briefly over budget; drained below
    remove_held(held.size());
    held.assign(payload.begin(), payload.end());
    add_held(held.size());
  }
  drain(sink, counters);
}

std::vector<uint8_t>& TcpReassembler::held_at(uint32_t seq, HeldBudget& budget) {
  if (!held_) {
    held_ = std::make_unique<Held>();
    held_->budget = &budget;
  }
  return held_->segments[seq];
}

void TcpReassembler::deliver(std::span<const uint8_t> payload, uint32_t seq, Sink& sink,
                             ReassemblyCounters& counters) {
  const int64_t behind = -seq_diff(seq, next_seq_);
  if (behind >= static_cast<int64_t>(payload.size())) {
    ++counters.retransmitted_segments;
    return;
  }
  if (behind > 0) {
    ++counters.retransmitted_segments;  // partly new: an overlapping retransmission
    payload = payload.subspan(static_cast<size_t>(behind));
  }
  next_seq_ += static_cast<uint32_t>(payload.size());
  sink.data(payload);
}

void TcpReassembler::drain(Sink& sink, ReassemblyCounters& counters) {
  // Held segments are few; a linear pass per delivery keeps wrap-around handling simple.
  bool progressed = true;
  while (progressed && held_ && !held_->segments.empty()) {
    progressed = false;
    for (auto it = held_->segments.begin(); it != held_->segments.end(); ++it) {
      if (seq_diff(it->first, next_seq_) <= 0) {
        std::vector<uint8_t> bytes = std::move(it->second);
        const uint32_t seq = it->first;
        remove_held(bytes.size());
        held_->segments.erase(it);
        deliver(bytes, seq, sink, counters);
        progressed = true;
        break;
      }
    }
  }
  if (held_ && held_->segments.empty()) held_.reset();
}

}  // namespace regwatch::agent::capture
