#pragma once
// At most `max_per_identity` concurrent Ingest streams per caller identity (a token's name, a
// certificate's identity, or the agent id when anonymous), so one client cannot open streams
// without end. A stream holds a StreamSlot for its lifetime; the slot gives its place back when
// destroyed. Threads: any; the limiter must outlive its slots.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace regwatch::collector::ingest {

class StreamLimiter;

// A place taken in a StreamLimiter (move-only RAII).
class StreamSlot {
 public:
  StreamSlot(StreamSlot&& other) noexcept;
  StreamSlot& operator=(StreamSlot&& other) noexcept;
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;
  ~StreamSlot();

 private:
  friend class StreamLimiter;
  StreamSlot(StreamLimiter& limiter, std::string identity)
      : limiter_(&limiter), identity_(std::move(identity)) {}
  StreamLimiter* limiter_;  // not owned; null once moved from
  std::string identity_;
};

class StreamLimiter {
 public:
  explicit StreamLimiter(uint32_t max_per_identity) : max_per_identity_(max_per_identity) {}
  StreamLimiter(const StreamLimiter&) = delete;
  StreamLimiter& operator=(const StreamLimiter&) = delete;

  // A slot, or nullopt when `identity` already holds max_per_identity streams.
  std::optional<StreamSlot> try_open(const std::string& identity);
  uint32_t open_streams(const std::string& identity) const;
  uint32_t max_per_identity() const { return max_per_identity_; }

 private:
  friend class StreamSlot;
  void close(const std::string& identity);

  const uint32_t max_per_identity_;
  mutable std::mutex mutex_;
  std::map<std::string, uint32_t> open_;  // identities with at least one stream
};

}  // namespace regwatch::collector::ingest
