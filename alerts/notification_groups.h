#pragma once
// Grouping (a receiver's group_by): ready rows whose alerts carry the same values for those
// labels go out in one notification; without group_by (or for a per-alert type such as
// PagerDuty) each alert is its own. A group's next notification waits group_interval_s after
// its last one went out. The times are kept in memory: after a restart a group's next
// notification may come sooner.
//
// Threads: its receiver's delivery thread.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alerts/alerting_config.h"
#include "alerts/delivery_step.h"

namespace regwatch::alerts {

class NotificationGroups {
 public:
  // grouped: the receiver groups by its group_by (false: one group per alert).
  NotificationGroups(const ReceiverConfig& receiver, bool grouped, uint32_t group_interval_s);

  struct Grouped {
    std::map<std::string, std::vector<ReadyRow>> groups;  // by group key, to send now
    std::map<int64_t, int64_t> held;  // row id -> when its group may notify again
  };
  // The ready rows by group; rows of a group notified less than group_interval ago are held.
  Grouped group(std::vector<ReadyRow> ready, int64_t now) const;
  // The labels that name the group in its notification (webhook groupLabels): the group_by
  // labels of its first alert, or {incident=<key>} when not grouped.
  std::map<std::string, std::string> labels_of(const std::vector<ReadyRow>& items) const;
  // The group's notification went out at now: the next waits group_interval.
  void sent(const std::string& group, int64_t now) { sent_us_[group] = now; }

 private:
  const ReceiverConfig& rc_;
  const bool grouped_;
  const int64_t interval_us_;
  std::map<std::string, int64_t> sent_us_;  // when each group's last notification went out
};

}  // namespace regwatch::alerts
