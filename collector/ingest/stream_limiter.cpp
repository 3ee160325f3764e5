#include "collector/ingest/stream_limiter.h"

namespace regwatch::collector::ingest {

StreamSlot::StreamSlot(StreamSlot&& other) noexcept
    : limiter_(other.limiter_), identity_(std::move(other.identity_)) {
  other.limiter_ = nullptr;
}

StreamSlot& StreamSlot::operator=(StreamSlot&& other) noexcept {
  if (this == &other) return *this;
  if (limiter_) limiter_->close(identity_);
  limiter_ = other.limiter_;
  identity_ = std::move(other.identity_);
  other.limiter_ = nullptr;
  return *this;
}

StreamSlot::~StreamSlot() {
  if (limiter_) limiter_->close(identity_);
}

std::optional<StreamSlot> StreamLimiter::try_open(const std::string& identity) {
  std::lock_guard lock(mutex_);
  uint32_t& count = open_[identity];
  if (count >= max_per_identity_) return std::nullopt;
  ++count;
  return StreamSlot(*this, identity);
}

uint32_t StreamLimiter::open_streams(const std::string& identity) const {
  std::lock_guard lock(mutex_);
  auto it = open_.find(identity);
  return it == open_.end() ? 0 : it->second;
}

void StreamLimiter::close(const std::string& identity) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(identity);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);  // the map holds connected identities only
}

}  // namespace regwatch::collector::ingest
