#include "collector/correlate/phone_directory.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <unordered_set>

#include "common/logging.h"

namespace regwatch::collector {
namespace {

// The device an event of the directory's kinds is about, or nullptr for any other event. A
// topology event saying the phone left the neighbour table places it nowhere (correlate()
// ignores it too), so the attachment before it stands.
const std::string* device_of(const regwatch::v1::Event& event) {
  if (event.has_topology())
    return event.topology().removed() ? nullptr : &event.topology().device();
  if (event.kind() == regwatch::v1::PHONE_REGISTERED && event.has_phone())
    return &event.phone().device_name();
  return nullptr;
}

}  // namespace

const std::vector<std::string>& PhoneDirectory::kinds() {
  static const std::vector<std::string> kinds = {"topology", "phone_registered"};
  return kinds;
}

bool PhoneDirectory::load(store::EventSource& reader, int64_t until_us, size_t max_rows) {
  attachments_.clear();
  registrations_.clear();
  loaded_ = false;
  auto read = reader.scan_events(std::numeric_limits<int64_t>::min(), until_us, kinds(), max_rows,
                                 [&](int64_t id, regwatch::v1::Event&& event) {
                                   take({id, std::move(event)});
                                 });
  auto log = component_logger("collector.correlate");
  if (!read.ok()) {
    log->error("correlation could not read what it knows of the phones: {}", read.error().message);
    attachments_.clear();
    registrations_.clear();
    return false;
  }
  if (*read) {
    log->warn(
        "correlation: more than {} registrations and CDP/LLDP attachments stored; phones seen "
        "only before the newest {} do not count in their switch, CM node or cluster",
        max_rows, max_rows);
  }
  loaded_ = true;
  until_us_ = until_us;
  return true;
}

void PhoneDirectory::advance(const std::vector<const correlate::StoredEvent*>& events,
                             int64_t until_us) {
  for (const auto* stored : events) {
    const int64_t t = stored->event.event_time_us();
    if (t >= until_us_ && t < until_us && device_of(stored->event)) take(*stored);
  }
  until_us_ = std::max(until_us_, until_us);
}

void PhoneDirectory::offer(int64_t id, const regwatch::v1::Event& event) {
  if (event.event_time_us() < until_us_ && device_of(event)) take({id, event});
}

void PhoneDirectory::take(correlate::StoredEvent stored) {
  const std::string* device = device_of(stored.event);
  if (!device || device->empty()) return;
  auto& latest = stored.event.has_topology() ? attachments_ : registrations_;
  const auto it = latest.find(*device);
  stored.event.clear_raw();  // never read by correlation
  stored.event.clear_syslog();
  if (it == latest.end()) {
    std::string key = *device;
    latest.emplace(std::move(key), std::move(stored));
  } else if (correlate::CorrelationOrder{}(&it->second, &stored)) {
    // The latest in correlation's order, so ties between agents resolve as correlate() would.
    it->second = std::move(stored);
  }
}

void PhoneDirectory::add_to(std::vector<const correlate::StoredEvent*>& input,
                            const std::vector<const correlate::StoredEvent*>& since) const {
  // The latest of `since` per device and kind, over the directory's own.
  std::unordered_map<std::string_view, const correlate::StoredEvent*> newer_attachments,
      newer_registrations;
  for (const auto* stored : since) {
    const std::string* device = device_of(stored->event);
    if (!device || device->empty() || stored->event.event_time_us() < until_us_) continue;
    auto& newer = stored->event.has_topology() ? newer_attachments : newer_registrations;
    auto [it, added] = newer.try_emplace(*device, stored);
    if (!added && correlate::CorrelationOrder{}(it->second, stored)) it->second = stored;
  }
  if (attachments_.empty() && registrations_.empty() && newer_attachments.empty() &&
      newer_registrations.empty())
    return;
  std::unordered_set<std::string_view> attached, registered;  // views into the input's events
  for (const auto* stored : input) {
    const auto& e = stored->event;
    if (e.has_topology()) {
      if (!e.topology().removed()) attached.insert(e.topology().device());
    } else if (e.kind() == regwatch::v1::PHONE_REGISTERED && e.has_phone()) {
      registered.insert(e.phone().device_name());
    }
  }
  std::vector<const correlate::StoredEvent*> older;
  older.reserve(attachments_.size() + registrations_.size());
  const auto gather =
      [&](const std::unordered_map<std::string, correlate::StoredEvent>& own,
          const std::unordered_map<std::string_view, const correlate::StoredEvent*>& newer,
          const std::unordered_set<std::string_view>& in_input) {
        for (const auto& [device, stored] : own) {
          if (!in_input.count(device) && !newer.count(device)) older.push_back(&stored);
        }
        for (const auto& [device, stored] : newer) {
          if (!in_input.count(device)) older.push_back(stored);
        }
      };
  gather(attachments_, newer_attachments, attached);
  gather(registrations_, newer_registrations, registered);
  std::sort(older.begin(), older.end(), correlate::CorrelationOrder{});
  input.insert(input.begin(), older.begin(), older.end());
}

}  // namespace regwatch::collector
