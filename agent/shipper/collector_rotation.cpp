#include "agent/shipper/collector_rotation.h"

#include <algorithm>

namespace regwatch::agent::shipper {

CollectorRotation::CollectorRotation(size_t count) : refused_(std::max<size_t>(count, 1), false) {}

bool CollectorRotation::worked() {
  refused_[current_] = false;
  const bool failover = last_working_.has_value() && *last_working_ != current_;
  if (failover) ++failovers_;
  last_working_ = current_;
  return failover;
}

void CollectorRotation::failed(bool refused) {
  if (refused) refused_[current_] = true;
  current_ = (current_ + 1) % refused_.size();
}

bool CollectorRotation::all_refused() const {
  return std::all_of(refused_.begin(), refused_.end(), [](bool r) { return r; });
}

}  // namespace regwatch::agent::shipper
