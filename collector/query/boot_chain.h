#pragma once
// `regwatch explain`'s boot chain: where a phone is in its boot (DHCP -> trust lists -> config
// -> firmware -> registration, docs/boot-chain.md), from the events the agent's boot analyzers
// sent about it: its last lease and TFTP servers, the files it fetched and how often, what
// failed, and when it is stuck, the rule that says why and what to do (common/boot_rules.h:
// their words, never copied). Pure: the caller (phone_diagnosis.h) gives the phone's timeline.
//
// The chain shown is the phone's last boot: its boot events since its latest lease (the DHCP
// trouble just before it included) or, without a lease, since its latest registration that
// preceded them, plus the registration they led to, if any. A loop counts across its boots
// through the stall's own count (BootStall.fetches). A spoofed event is not believed.
#include <cstdint>
#include <optional>
#include <string>

#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

// timeline: the phone's events up to at_us, oldest first. Nothing when none of them is a boot
// event (dhcp_*, boot_file_*, boot_stalled).
std::optional<regwatch::v1::BootChain> boot_chain_of(const regwatch::v1::EventList& timeline,
                                                     int64_t at_us);

// "14 min", "40 s", "3 h": how long a phone has been at its stage, in a sentence.
std::string duration_words(int64_t us);

}  // namespace regwatch::collector::query
