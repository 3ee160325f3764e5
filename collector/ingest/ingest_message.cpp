#include "collector/ingest/ingest_message.h"

#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/slice.h>

#include <memory>
#include <string>

namespace regwatch::collector::ingest {

Result<ArenaBatchPtr> decode_batch(grpc::ByteBuffer& message, uint64_t max_bytes) {
  const uint64_t size = message.Length();
  if (size > max_bytes) {
    return make_error(kRejectTooLarge, "larger than ingest.max_message_bytes (" +
                                           std::to_string(size) + " vs. " +
                                           std::to_string(max_bytes) + " bytes)");
  }
  auto batch = std::make_unique<ArenaBatch>();
  batch->set_wire_bytes(static_cast<size_t>(size));
  // An empty message is a valid, empty EventBatch (proto3 sends no bytes for it).
  if (size == 0) return batch;
  grpc::ProtoBufferReader reader(&message);
  if (!reader.status().ok() || !batch->get().ParseFromZeroCopyStream(&reader)) {
    return make_error(kRejectUnparsable, "not a regwatch.v1.EventBatch (" + std::to_string(size) +
                                             " bytes that do not parse as one)");
  }
  return batch;
}

grpc::ByteBuffer encode_ack(const regwatch::v1::Ack& ack) {
  grpc::Slice slice(ack.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace regwatch::collector::ingest
