#pragma once
// Every input the collector has heard from (the dashboard's inputs panel; InputList in
// query.proto): per agent, source and origin (the events' origin: the device a syslog line
// names, else its sender; the SNMP target; the trap sender; for a capture the CM node its
// phones talk to), when it last sent something, and whether it went silent: nothing stored
// from it for silent_after_s. Read from the store's inputs summary, not the events.
#include <cstdint>

#include "collector/store/event_source.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

inline constexpr uint32_t kDefaultSilentAfterS = 900;
inline constexpr size_t kMaxInputs = 10'000;

// Pure: sets each input's `silent` and the list's silent_after_s (0 = the default).
void mark_silent(regwatch::v1::InputList& list, uint32_t silent_after_s, int64_t now_us);

Result<regwatch::v1::InputList> read_inputs(store::EventSource& reader,
                                            const regwatch::v1::InputsQuery& query, int64_t now_us);

}  // namespace regwatch::collector::query
