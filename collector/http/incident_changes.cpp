#include "collector/http/incident_changes.h"

namespace regwatch::collector::http {

void IncidentChanges::notify() {
  {
    std::lock_guard lock(mutex_);
    ++version_;
  }
  changed_.notify_all();
}

uint64_t IncidentChanges::wait_newer(uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return stopped_ || version_ != seen; });
  return stopped_ ? seen : version_;
}

uint64_t IncidentChanges::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

void IncidentChanges::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool IncidentChanges::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

}  // namespace regwatch::collector::http
