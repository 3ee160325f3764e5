#pragma once
// DatagramQueue: the bounded hand-over between the UDP receive thread and the
// thread that parses and spools (issue 17). A burst is absorbed here instead of
// in the kernel's receive buffer, so the socket is read as fast as datagrams
// arrive while parsing and spooling catch up behind.
//
// Bounded twice: by datagrams and by bytes (payload capacity plus the entry's
// own size, so many tiny datagrams cannot hide their overhead). A datagram that
// does not fit is dropped at once and counted (full_drops): the receive thread
// never waits, or the kernel would drop instead, uncounted per cause.
//
// Threads: one producer (push, close) and one consumer (pop, discard_all);
// stats() from any thread. Order: datagrams come out in the order they went in.
#include <sys/socket.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace regwatch::agent::syslog {

// One datagram as read from the socket, copied out of the receive buffers.
struct Datagram {
  std::string payload;      // without trailing LF/CR/NUL; never empty
  sockaddr_storage sender;  // formatted on the consumer's thread
  int64_t receive_time_us;  // the listener's Clock when the batch was read
  bool truncated;           // longer than kMaxDatagramBytes (cannot happen over IP)
};

struct DatagramQueueLimits {
  size_t max_datagrams = 0;  // >= 1
  size_t max_bytes = 0;      // >= one entry: sizeof(Datagram) plus a payload
};

struct DatagramQueueStats {
  uint64_t pushed = 0;      // accepted into the queue
  uint64_t full_drops = 0;  // refused: the queue was full (by count or by bytes)
  uint64_t discarded = 0;   // still queued when the consumer gave up (discard_all)
  uint64_t depth = 0;       // queued now
  uint64_t bytes = 0;       // ... and their accounted bytes
  uint64_t peak_depth = 0;  // the most ever queued at once
};

class DatagramQueue {
 public:
  explicit DatagramQueue(DatagramQueueLimits limits) : limits_(limits) {}

  // The bytes a datagram is accounted for while queued.
  static size_t cost(const Datagram& d) { return sizeof(Datagram) + d.payload.capacity(); }

  // Moves the datagrams of `batch` in, in order, while they fit; the rest are
  // dropped and counted. `batch` is left empty. Returns how many were accepted.
  // After close() every datagram is refused and counted as a full drop.
  size_t push(std::vector<Datagram>& batch);

  // Waits until something is queued or the queue is closed; then moves up to
  // `max` datagrams into `out` (replacing its contents). Returns false only
  // when the queue is closed and empty: the consumer is done.
  bool pop(std::vector<Datagram>& out, size_t max);

  // No more datagrams will come: pop() returns what is left, then false.
  void close();

  // Drops everything still queued, counted as discarded; returns how many.
  uint64_t discard_all();

  DatagramQueueStats stats() const;

 private:
  const DatagramQueueLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::deque<Datagram> queue_;
  DatagramQueueStats stats_;
  bool closed_ = false;
};

}  // namespace regwatch::agent::syslog
