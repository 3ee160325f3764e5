#pragma once
// What counts as a phone registration drop, and when two reports are the same drop: the one
// rule that correlation (`incidents`), the chronic offenders (`top`) and the phone diagnosis
// (`explain`) all apply, so that they never disagree about a phone (docs/decisions.md, "One
// drop rule").
//
// A drop report is an event of one of the drop kinds (phone_unregistered,
// phone_registration_failed, connection_lost, keepalive_missed, phone_auth_failed, boot_stalled)
// that names its device and may drive a diagnosis (common/provenance.h: a spoofed report is
// evidence of forgery, not of a drop). Reports of one phone belong to the same drop while they
// come within merge_s of that drop's first report and the phone did not register again in
// between; a report after a registration is a drop of its own (it came back, then fell again).
// A boot_stalled report is the same drop as long as the phone has not registered since that
// drop began, however long ago it began: a phone stuck in its boot chain is reported at each
// boot while it loops (and an unregistered phone that then loops at config download is still
// down from its first fall), which is one drop, not a flap.
//
// merge_s is configured once, as correlation.merge_s in the collector's config
// (CorrelationSettings holds its default). Pure and immutable: safe to share between threads.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch::collector::correlate {

class DropRule {
 public:
  explicit DropRule(uint32_t merge_s) : merge_us_(int64_t{merge_s} * 1'000'000) {}

  static bool is_drop_kind(regwatch::v1::EventKind kind);
  // The drop kinds in their text form (as stored in events.kind), for a store's IN list.
  static const std::vector<std::string>& drop_kind_names();
  // A drop report: a drop kind, naming its device, not spoofed.
  static bool is_drop(const regwatch::v1::Event& event);

  int64_t merge_us() const { return merge_us_; }
  // Whether a report of kind at report_us is one more report of the drop that began at
  // drop_start_us, given the phone's latest registration at or before report_us (-1: none seen).
  bool same_drop(int64_t drop_start_us, int64_t last_registered_us, int64_t report_us,
                 regwatch::v1::EventKind kind = regwatch::v1::EVENT_KIND_UNSPECIFIED) const {
    if (last_registered_us > drop_start_us) return false;  // it came back in between
    return kind == regwatch::v1::BOOT_STALLED || report_us - drop_start_us <= merge_us_;
  }

 private:
  int64_t merge_us_;
};

// One phone's drops as its reports come, in event-time order: the rule applied to a stream.
class PhoneDrops {
 public:
  explicit PhoneDrops(const DropRule& rule) : rule_(rule) {}

  // A drop report of kind at time_us; true when it begins a new drop, false when it is one more
  // report of the current one.
  bool report(int64_t time_us,
              regwatch::v1::EventKind kind = regwatch::v1::EVENT_KIND_UNSPECIFIED) {
    if (start_us_ >= 0 && rule_.same_drop(start_us_, registered_us_, time_us, kind)) return false;
    start_us_ = time_us;
    return true;
  }
  void registered(int64_t time_us) { registered_us_ = std::max(registered_us_, time_us); }
  // The first report of its current (latest) drop; -1 before any.
  int64_t drop_start_us() const { return start_us_; }

 private:
  DropRule rule_;
  int64_t start_us_ = -1;
  int64_t registered_us_ = -1;
};

}  // namespace regwatch::collector::correlate
