#include "collector/ingest/store_availability.h"

#include <utility>

namespace regwatch::collector::ingest {

bool StoreAvailability::failed_unavailable(int64_t now_us, std::string why) {
  const bool transition = !unavailable_;
  if (transition) since_us_ = now_us;
  unavailable_ = true;
  probing_ = false;
  failed_at_us_ = now_us;
  why_ = std::move(why);
  return transition;
}

bool StoreAvailability::answered() {
  const bool transition = unavailable_;
  unavailable_ = false;
  probing_ = false;
  return transition;
}

bool StoreAvailability::admit(int64_t now_us) {
  if (!unavailable_) return true;
  return take_probe_if(now_us, retry_after_us_);
}

bool StoreAvailability::admit_idle(int64_t now_us, int64_t idle_after_us) {
  return unavailable_ && take_probe_if(now_us, idle_after_us);
}

bool StoreAvailability::take_probe_if(int64_t now_us, int64_t after_us) {
  if (probing_) return false;
  const bool due = now_us >= failed_at_us_ + after_us || now_us < failed_at_us_;
  if (due) probing_ = true;
  return due;
}

}  // namespace regwatch::collector::ingest
