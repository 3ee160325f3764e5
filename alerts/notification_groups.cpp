#include "alerts/notification_groups.h"

namespace regwatch::alerts {

NotificationGroups::NotificationGroups(const ReceiverConfig& receiver, bool grouped,
                                       uint32_t group_interval_s)
    : rc_(receiver), grouped_(grouped), interval_us_(int64_t{group_interval_s} * 1'000'000) {}

NotificationGroups::Grouped NotificationGroups::group(std::vector<ReadyRow> ready,
                                                      int64_t now) const {
  Grouped out;
  for (auto& item : ready) {
    std::string group = "incident=" + item.alert.key;
    if (grouped_) {
      group.clear();
      for (const auto& name : rc_.group_by) {
        const auto it = item.alert.labels.find(name);
        group += name + "=" + (it == item.alert.labels.end() ? "" : it->second) + ",";
      }
    }
    if (const auto last = sent_us_.find(group);
        last != sent_us_.end() && grouped_ && now - last->second < interval_us_) {
      out.held[item.row.id] = last->second + interval_us_;
      continue;
    }
    out.groups[group].push_back(std::move(item));
  }
  return out;
}

std::map<std::string, std::string> NotificationGroups::labels_of(
    const std::vector<ReadyRow>& items) const {
  const Alert& first = items.front().alert;
  if (!grouped_) return {{"incident", first.key}};
  std::map<std::string, std::string> labels;
  for (const auto& name : rc_.group_by) {
    const auto it = first.labels.find(name);
    labels[name] = it == first.labels.end() ? "" : it->second;
  }
  return labels;
}

}  // namespace regwatch::alerts
