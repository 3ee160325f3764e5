#pragma once
// From stored events to incidents, by event time only. A pure function of the
// set of events: the same events, in any order of arrival or any interleaving
// of agents, give the same incidents (inputs are sorted by event time, agent
// and seq first). Late events are folded in by recomputing.
//
// 1. One drop per phone, by the drop rule (drop_rule.h, the same for `top` and
//    `explain`): reports of a device within merge_s of its drop's first report
//    count once, whichever input or agent reported them, unless the phone
//    registered again in between (then it came back and fell again).
// 2. Each drop is placed in its scopes from what was known at its time: the
//    CM node it was registered to, the switch / module / voice VLAN from the
//    latest topology event, the /24 of its IP, and the cluster.
// 3. A burst opens in a scope when, within window_s, at least min_phones
//    distinct phones dropped and at least min_fraction of the phones known in
//    that scope (seen in its events, or a CM node's registered count from
//    CISCO-CCM-MIB when larger); it runs until quiet_s pass without a drop.
//    It resolves when recovered_fraction of its phones registered again, or
//    once quiet_s passed after its last drop as of the latest event given, or
//    as of now_us (the collector's clock) when that is later: nothing stays
//    open forever, and a replayed archive's incidents resolve at its end.
// 4. Of overlapping bursts, the narrowest scope (fewest phones known, then type)
//    holding explain_fraction of the broader one's phones that fell around it is the
//    one reported; a burst mostly inside another one's event is a fragment of it. When several
//    scopes hold exactly the same phones, the top cause (step 5) decides among them, else the
//    physical before the logical (choose_scope(), scope_choice.h); the others that went down whole
//    are the incident's also_scopes.
// 5. Causes come from lookback_s before the first drop to the last, ranked by
//    precedence in time x topological overlap x magnitude x agreement with the
//    reason codes (see cause_ranker.h).
#include <cstdint>
#include <vector>

#include "collector/correlate/incident.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::collector::correlate {

struct CorrelationSettings {
  uint32_t window_s = 60;
  uint32_t min_phones = 10;
  double min_fraction = 0.2;
  uint32_t merge_s = 120;
  uint32_t quiet_s = 300;
  uint32_t lookback_s = 120;
  double explain_fraction = 0.8;
  double recovered_fraction = 0.8;  // resolved when this share registered again
  uint32_t flap_drops = 3;
  bool operator==(const CorrelationSettings&) const = default;
};

struct StoredEvent {
  int64_t id = 0;  // the store's row id (evidence refers to it)
  regwatch::v1::Event event;
};

// The order correlate() works in, whatever the order of arrival: event time, then agent, seq
// and row id.
struct CorrelationOrder {
  bool operator()(const StoredEvent* a, const StoredEvent* b) const;
};

// The events must outlive the call only; the incidents refer to them by id. now_us: the
// collector's clock (0: judge by the events alone).
std::vector<Incident> correlate(std::vector<const StoredEvent*> events,
                                const CorrelationSettings& settings = {}, int64_t now_us = 0);
std::vector<Incident> correlate(const std::vector<StoredEvent>& events,
                                const CorrelationSettings& settings = {}, int64_t now_us = 0);

// The drops step 1 counts, as the row ids of each drop's first report, in correlation order:
// what `top` and `explain` must agree with (tests/correlate/drop_rule_test.cpp).
std::vector<int64_t> counted_drops(const std::vector<StoredEvent>& events,
                                   const CorrelationSettings& settings = {});

}  // namespace regwatch::collector::correlate
