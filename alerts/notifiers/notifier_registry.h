#pragma once
// Receiver types by name: a plain, explicit registry (no static self-registration), built once
// by builtin_notifiers() from each type's folder; a test adds its own fake type to a registry of
// its own. A type the registry does not know is a config error naming the known ones.
#include <string>
#include <string_view>
#include <vector>

#include "alerts/notifiers/notifier.h"

namespace regwatch::alerts {

class NotifierRegistry {
 public:
  // Adds a type, or replaces the one of that name.
  void add(NotifierType type);
  // Nullptr when no type has that name.
  const NotifierType* find(std::string_view name) const;
  // The known names in the order they were added, in words: "webhook, email, pagerduty or
  // alertmanager".
  std::string names_in_words() const;

 private:
  std::vector<NotifierType> types_;
};

// The shipped types, in the order the config error names them: webhook, email, pagerduty,
// alertmanager.
const NotifierRegistry& builtin_notifiers();

}  // namespace regwatch::alerts
