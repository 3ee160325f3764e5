#pragma once
// What the spool checks of a stored event before the shipper sends its bytes as they are (issue
// 24: no parse into a regwatch.v1.Event and serialise again on the way out). A record's CRC says
// its bytes are the ones written; this says they are an event the collector can parse, so a
// batch holding them is never refused as a whole (which would stop shipping for good: the same
// batch would be resent forever).
//
// check_stored_event is pure and allocation-free, and equivalent to the real parser:
//   check_stored_event(bytes, seq) == StoredEventFault::kNone
//     <=> regwatch::v1::Event::ParseFromString(bytes) succeeds and the event's seq() == seq.
// (tests/spool/stored_event_test.cpp checks that on real events, cut at every length and with
// bytes changed at every offset.) It walks the wire format with the schema taken from the
// generated descriptors, once: a message field is walked into, a proto3 string field must be
// well-formed UTF-8 (common/utf8.h's rule, which is protobuf's), anything else (numbers, bytes,
// fields it does not know) is only skipped over, as the parser keeps unknown fields.
//
// Limits: nesting deeper than kMaxStoredEventDepth is refused (the parser's own limit is 100;
// our events nest three deep). Packed repeated scalars are not walked into: Event has none (a
// test fails when one is added, so that this learns them first).
#include <cstdint>
#include <string_view>

namespace regwatch::agent::spool {

inline constexpr int kMaxStoredEventDepth = 64;

enum class StoredEventFault {
  kNone,
  kTruncated,    // a field runs past the end of its message (bytes cut short)
  kMalformed,    // a bad tag, wire type, varint or group
  kNotUtf8,      // a string field that is not UTF-8: the parser refuses it
  kTooDeep,      // nested past kMaxStoredEventDepth
  kSeqMismatch,  // parses, but its seq is not the record's: never ours to ship under that seq
};

std::string_view to_string(StoredEventFault fault);

StoredEventFault check_stored_event(std::string_view bytes, uint64_t seq);

}  // namespace regwatch::agent::spool
