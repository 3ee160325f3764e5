#pragma once
// What correlation knows of every phone from before a pass's context: each device's latest
// CDP/LLDP attachment (topology, reported on change only, so often days old) and its latest
// registration (its CM node, cluster and address), with event time before a point in time. A
// pass puts these ahead of its input, so the size of a switch, module, VLAN, subnet, CM node or
// cluster (the relative threshold) and a dropping phone's place count the phones learned long
// before the context, not only those seen in it.
//
// Exactly a function of the stored events and the point in time: load() computes it from the
// store; advance() and offer() keep a loaded directory equal to what load() would give for the
// later point. Live passes (kept up to date) and replayed ones (loaded per pass) therefore
// correlate the same input.
//
// Not thread-safe: the runner's thread only.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/correlate/correlator.h"
#include "collector/store/event_source.h"

namespace regwatch::collector {

class PhoneDirectory {
 public:
  // The kinds it keeps, one event of each per device.
  static const std::vector<std::string>& kinds();

  // Reads every event of its kinds before until_us (newest first, at most max_rows: when the
  // store holds more, the phones only seen before the newest max_rows are left out, and a
  // warning says so). False when the read failed (logged): it is then empty and not loaded.
  bool load(store::EventSource& reader, int64_t until_us, size_t max_rows);
  bool loaded() const { return loaded_; }
  int64_t until() const { return until_us_; }

  // Moves the point on to until_us, given every stored event with event time in
  // [until(), until_us) (others are ignored), in any order.
  void advance(const std::vector<const correlate::StoredEvent*>& events, int64_t until_us);
  // An event stored after the directory was loaded (a late agent's): taken if it is before
  // until() and later than what the directory holds for its device and kind.
  void offer(int64_t id, const regwatch::v1::Event& event);

  // Puts ahead of input, in correlation's order, what is known of each device before the
  // input's start: the directory's events, overridden by the latest of `since` (every stored
  // event from until() to the input's start, in any order; others ignored), for the devices
  // and kinds that input has none of. So a directory kept a little behind the passes serves
  // any of them exactly as one loaded at the pass's start would. The pointers stay valid until
  // the directory or `since`'s events next change.
  void add_to(std::vector<const correlate::StoredEvent*>& input,
              const std::vector<const correlate::StoredEvent*>& since = {}) const;

  size_t size() const { return attachments_.size() + registrations_.size(); }

 private:
  void take(correlate::StoredEvent stored);

  bool loaded_ = false;
  int64_t until_us_ = 0;
  // device -> its latest event of the kind
  std::unordered_map<std::string, correlate::StoredEvent> attachments_, registrations_;
};

}  // namespace regwatch::collector
