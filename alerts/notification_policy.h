#pragma once
// When an alert is owed a notification, after the last one a receiver was sent or owed
// (Alertmanager's semantics, plus what it lacks for incidents that move):
//   - a first page when it fires (none for an incident that ended long ago: a replay);
//   - a page again when it fires after its resolve (it came back: "reopened");
//   - a notification again when something that matters changed since the last one told:
//     its severity, its scope widening (module -> switch -> ... -> cluster), its top cause.
//     Phones added one by one do not count; a change before the last one was even sent
//     needs none of its own (it is rendered when sent);
//   - its resolve once it resolves, or is withdrawn.
// Repeats after repeat_interval, silences, inhibition and flap damping are the
// router's and the delivery step's (alerts/alert_router.h, alerts/delivery_step.h). Pure.
#include <optional>
#include <string>
#include <string_view>

#include "alerts/incident_alert.h"
#include "alerts/store/outbox_store.h"

namespace regwatch::alerts {

// What a notification tells of an alert, as stored with it: severity|scope_type|scope|cause.
std::string told_of(const Alert& alert);

// What changed that matters between what was told and the alert now, in words
// ("severity warning -> critical; top cause cm_slow -> cm_cpu"), or "" when nothing did.
std::string change_that_matters(std::string_view told, const Alert& now);

// How broad a scope type is: module < switch < vlan < subnet < cm_node < cluster (the
// correlator's order of explanation); -1 for one it does not know.
int scope_breadth(std::string_view scope_type);

enum class Owed {
  kNothing,
  kFirst,     // its first page (and, when it already resolved, its resolve after it)
  kReopened,  // firing again after its resolve
  kChanged,   // a change that matters since the last notification told
  kRetell,    // the last firing notification is not sent yet: it will tell the change
  kResolved,  // resolved or withdrawn
};

struct Decision {
  Owed owed = Owed::kNothing;
  std::string change;  // kChanged, kRetell, kReopened: in words
};

// last: the latest notification of this alert owed to the receiver (none: never owed).
// too_old: the alert ended longer ago than max_incident_age (a replayed archive).
Decision decide(const Alert& alert, const std::optional<OutboxRow>& last, bool too_old);

}  // namespace regwatch::alerts
