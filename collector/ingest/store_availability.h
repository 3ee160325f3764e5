#pragma once
// StoreAvailability: whether the commit queue's store is known to be unavailable, and when a
// batch may try it again. Pure state, no I/O, no clock of its own: the commit queue feeds it the
// outcome of each call to the store and asks it whether a new batch may go.
//
// Why: a commit that fails "unavailable" (no reply within the writer's deadline, or the
// connection lost: database.h's code) says the same of every batch queued behind it. Tried one
// after another, each would wait out the same deadline before failing, and the agents would
// wait for acks from a collector that cannot give them (15 to 36 s behind a silent network,
// measured). Failed at once, their streams end UNAVAILABLE and the agents take the batches,
// which they keep until acked, to another collector: nothing is lost.
//
// The rules:
// 1. Available (the start): every batch goes to the store.
// 2. A call fails "unavailable": the store is unavailable from now on (failed_unavailable()
//    says so once per transition, for the log and the counters).
// 3. While unavailable, admit() refuses new batches, except one once `retry_after` has passed
//    since the last failure: that batch is the probe (the next one simply tries the store).
//    While the probe is out, every other batch is refused too, so that no batch waits behind
//    a probe that may itself wait out the deadline.
// 4. While unavailable and no batch comes to try it (its agents went to other collectors),
//    admit_idle() lets the caller try the store itself, a longer while after the last failure,
//    so that it finds the store back without a batch.
// 5. Any call the store answers (a commit, or a failure other than "unavailable", such as
//    disk_full: the server replied) makes it available again; a probe that fails
//    "unavailable" starts the wait of rule 3 anew.
// A clock that jumps back (a wall clock set back) makes the probe due at once rather than
// after the jump's size.
//
// Threads: none of its own; the caller serialises every call (the commit queue's lock).
#include <cstdint>
#include <string>

namespace regwatch::collector::ingest {

class StoreAvailability {
 public:
  explicit StoreAvailability(int64_t retry_after_us) : retry_after_us_(retry_after_us) {}

  // The store failed a call "unavailable" at now_us; why is its error. True when it was
  // available until now (a transition).
  bool failed_unavailable(int64_t now_us, std::string why);
  // The store answered a call. True when it was unavailable until now (a transition).
  bool answered();

  // Whether a new batch may go to the store now (rule 3). A true while unavailable makes that
  // batch the probe, which the caller must then send (its outcome ends the probe).
  bool admit(int64_t now_us);
  // Whether the caller, with no batch to send, should try the store itself now (rule 4): the
  // store unavailable, no probe out, and idle_after_us since the last failure. A true makes
  // the caller's call the probe.
  bool admit_idle(int64_t now_us, int64_t idle_after_us);

  bool unavailable() const { return unavailable_; }
  // Since when (the first failure of this outage), and the last failure's words.
  int64_t unavailable_since_us() const { return since_us_; }
  const std::string& why() const { return why_; }

 private:
  // The probe, if none is out and after_us has passed since the last failure (or the clock
  // went back).
  bool take_probe_if(int64_t now_us, int64_t after_us);

  const int64_t retry_after_us_;
  bool unavailable_ = false;
  bool probing_ = false;
  int64_t since_us_ = 0;
  int64_t failed_at_us_ = 0;
  std::string why_;
};

}  // namespace regwatch::collector::ingest
