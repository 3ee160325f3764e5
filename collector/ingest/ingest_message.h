#pragma once
// The Ingest method's messages as bytes: the service reads each message an agent sends as raw
// bytes (a grpc::ByteBuffer) and makes it into an EventBatch here, so that bytes which are not
// one can be told from the end of the stream. (With a typed method, gRPC reports a message it
// cannot parse exactly like the client's half-close, and the stream would end OK with nothing
// counted.) The rest of the collector sees only the typed EventBatch.
//
// Bad input is an Error, never an exception; its code names the reason
// (regwatch_ingest_batches_rejected_total's `reason` label):
// - "too_large": more than `max_bytes` (ingest.max_message_bytes); not parsed at all;
// - "unparsable": not an EventBatch in protobuf's encoding (truncated, a wrong wire type, a
//   string field that is not UTF-8, ...).
// The message says what failed and the message's size. Pure: no I/O, no logging.
#include <cstdint>

#include <grpcpp/support/byte_buffer.h>

#include "collector/ingest/arena_batch.h"
#include "common/result.h"
#include "regwatch/v1/ingest.pb.h"

namespace regwatch::collector::ingest {

inline constexpr char kRejectTooLarge[] = "too_large";
inline constexpr char kRejectUnparsable[] = "unparsable";

// Reads `message` without copying it, into a batch on an arena of its own (arena_batch.h);
// leaves the message as it was.
Result<ArenaBatchPtr> decode_batch(grpc::ByteBuffer& message, uint64_t max_bytes);

// An Ack in its wire encoding, ready for StartWrite.
grpc::ByteBuffer encode_ack(const regwatch::v1::Ack& ack);

}  // namespace regwatch::collector::ingest
