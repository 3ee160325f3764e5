#pragma once
// How large one Ingest message (an EventBatch) may get: the agent builds its batches under
// kAgentBatchMaxMessageBytes, and the collector refuses to set its receive limit
// (ingest.max_message_bytes) below it, so a real batch is never refused for its size (which
// would make the agent resend the same batch forever).
#include <cstddef>

namespace regwatch {

// The agent stops adding events to a batch once their encoded sizes reach this ...
inline constexpr size_t kAgentBatchTargetBytes = 4 << 20;
// ... so the last event may cross it by one event (the spool refuses events larger than this) ...
inline constexpr size_t kMaxEventBytes = 1 << 20;
// ... plus the batch's own framing: per event a tag and a length (at most 6 bytes for 1 MiB),
// for at most this many events, and the batch id and spool incarnation.
inline constexpr size_t kAgentBatchMaxEvents = 10000;
inline constexpr size_t kBatchFramingBytes = kAgentBatchMaxEvents * 6 + 4096;
inline constexpr size_t kAgentBatchMaxMessageBytes =
    kAgentBatchTargetBytes + kMaxEventBytes + kBatchFramingBytes;

// The collector's default receive limit: real batches with room to spare.
inline constexpr size_t kDefaultIngestMaxMessageBytes = 8 << 20;
static_assert(kDefaultIngestMaxMessageBytes >= kAgentBatchMaxMessageBytes);

}  // namespace regwatch
