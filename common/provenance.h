#pragma once
// The one rule for events whose sender the agent could not vouch for (issue 17): an event
// flagged Provenance.spoofed (a listed origin, sent from an address its sender list does
// not allow) stays stored and shown as evidence, but never drives a diagnosis: not an
// incident, not a condition, not a page, not `top` or `explain`. The store's drop scans
// apply the same rule in SQL (events.spoofed = 0, schema/009).
#include "regwatch/v1/event.pb.h"

namespace regwatch {

inline bool may_drive_diagnosis(const v1::Event& event) {
  return !event.provenance().spoofed();
}

}  // namespace regwatch
