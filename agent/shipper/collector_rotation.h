#pragma once
// CollectorRotation: which of the configured collectors the shipper streams to, and where it
// goes when a stream ends. Pure bookkeeping, no I/O, no clock, not thread-safe (only the
// shipper's thread uses it); the shipper sleeps its backoff between any two attempts.
//
// The rules (docs/architecture.md, "Several collectors"):
// - The order of the addresses is the preference: the first is tried first.
// - Any failed stream (unavailable, deadline, reset, the collector shutting down, a refusal,
//   a bad ack) moves to the next address, wrapping around after the last.
// - A collector that works is kept until its stream fails: there is no return to the first
//   while another works, so a primary that flaps cannot make the agent flap with it.
// - A refusal (wrong token or certificate) marks that collector refused until it acknowledges
//   a batch again; the agent gives up waiting only when every collector refused.
// - A failover is counted when a collector acknowledges the first batch after another one was
//   the last to work (attempts on dead collectors during an outage are not failovers).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace regwatch::agent::shipper {

class CollectorRotation {
 public:
  // count >= 1 (the shipper is given at least one address).
  explicit CollectorRotation(size_t count);

  size_t current() const { return current_; }
  size_t count() const { return refused_.size(); }

  // The current collector acknowledged a batch. Returns true when this is a failover: another
  // collector was the last one that worked.
  bool worked();
  // The current collector's stream ended (refused: it refused this agent); moves to the next.
  void failed(bool refused);

  // Every collector refused this agent since it last acknowledged anything.
  bool all_refused() const;
  // The collector that acknowledged a batch most recently, if any.
  std::optional<size_t> last_working() const { return last_working_; }
  uint64_t failovers() const { return failovers_; }

 private:
  size_t current_ = 0;
  std::vector<bool> refused_;
  std::optional<size_t> last_working_;
  uint64_t failovers_ = 0;
};

}  // namespace regwatch::agent::shipper
