#include "agent/app/duplicate_drop_marker.h"

#include <cstdlib>

namespace regwatch::agent {

bool DuplicateDropMarker::mark(regwatch::v1::Event& event) {
  if (event.kind() != regwatch::v1::PHONE_UNREGISTERED &&
      event.kind() != regwatch::v1::PHONE_REGISTRATION_FAILED) {
    return false;
  }
  if (!event.has_phone() || event.phone().device_name().empty()) return false;
  const auto key = std::make_pair(event.phone().device_name(), static_cast<int>(event.kind()));
  const int64_t time = event.event_time_us();
  std::lock_guard lock(mutex_);
  auto& reports = recent_[key];
  for (const auto& r : reports) {
    if (r.source != event.source() && std::llabs(r.time_us - time) <= window_us_) {
      event.set_duplicate_of_source(r.source);
      event.set_duplicate_of_event_time_us(r.time_us);
      return true;
    }
  }
  reports.push_back({time, event.source()});
  by_time_.emplace(time, key);
  if (time > newest_us_) newest_us_ = time;
  forget_old_locked();
  return false;
}

void DuplicateDropMarker::forget_old_locked() {
  while (!by_time_.empty() && (by_time_.size() > max_entries_ ||
                               by_time_.begin()->first < newest_us_ - 2 * window_us_)) {
    const auto [time, key] = *by_time_.begin();
    by_time_.erase(by_time_.begin());
    auto it = recent_.find(key);
    if (it == recent_.end()) continue;
    auto& reports = it->second;
    for (auto r = reports.begin(); r != reports.end(); ++r) {
      if (r->time_us == time) {
        reports.erase(r);
        break;
      }
    }
    if (reports.empty()) recent_.erase(it);
  }
}

}  // namespace regwatch::agent
