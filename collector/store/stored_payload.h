#pragma once
// How an event's payload is stored in the events table (both backends), and read back: the one
// place for it. Every reader of the payload column goes through decode_stored_payload.
//
// Stored form: a zero byte, a codec number, then the codec's bytes. Codec 1 is the serialised
// regwatch.v1.Event compressed by zstd (level 3) with dictionary 1
// (payload_dictionary/1.zdict, trained on real and scenario syslog: tools/
// train_payload_dictionary.sh). A CUCM unregistration's 789 bytes store as about 175.
//
// Rows stored before (schema 015 and older, and tests/store/make_big_store.py) hold the
// serialised Event as it is. That never starts with a zero byte (a protobuf field number is
// never 0), so both forms read without a schema change, and store_copy and migrate copy the
// bytes as they are.
//
// Threads: any; each thread keeps its own compression and decompression contexts, and the
// dictionaries are shared read-only.
#include <string>
#include <string_view>

#include "regwatch/v1/event.pb.h"

namespace regwatch::collector::store {

// Replaces out with event's stored form: compressed, or should zstd ever fail, the serialised
// event as it is (which reads back the same).
void encode_stored_payload(const regwatch::v1::Event& event, std::string& out);

// Parses a stored payload of either form into event. False for bytes that are neither (a
// corrupt row, an unknown codec from a newer collector, a frame that would decompress past
// kMaxStoredEventBytes); the callers skip such a row as they skip one that does not parse.
bool decode_stored_payload(std::string_view stored, regwatch::v1::Event& event);

// The most an event decompresses to: far above any real one (an agent's spool refuses events
// over 1 MiB), so a damaged frame cannot make a reader allocate without bound.
inline constexpr size_t kMaxStoredEventBytes = 4 * 1024 * 1024;

// Dictionary 1's bytes (generated from payload_dictionary/1.zdict at build time).
std::string_view payload_dictionary_1();

}  // namespace regwatch::collector::store
