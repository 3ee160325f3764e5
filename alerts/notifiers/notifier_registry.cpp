#include "alerts/notifiers/notifier_registry.h"

#include <algorithm>

#include "alerts/notifiers/alertmanager/alertmanager_notifier.h"
#include "alerts/notifiers/email/email_notifier.h"
#include "alerts/notifiers/pagerduty/pagerduty_notifier.h"
#include "alerts/notifiers/webhook/webhook_notifier.h"

namespace regwatch::alerts {

void NotifierRegistry::add(NotifierType type) {
  const auto same = std::find_if(types_.begin(), types_.end(),
                                 [&](const NotifierType& t) { return t.name == type.name; });
  if (same != types_.end()) {
    *same = std::move(type);
  } else {
    types_.push_back(std::move(type));
  }
}

const NotifierType* NotifierRegistry::find(std::string_view name) const {
  for (const auto& type : types_) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::string NotifierRegistry::names_in_words() const {
  std::string words;
  for (size_t i = 0; i < types_.size(); ++i) {
    if (i > 0) words += i + 1 == types_.size() ? " or " : ", ";
    words += types_[i].name;
  }
  return words;
}

const NotifierRegistry& builtin_notifiers() {
  static const NotifierRegistry registry = [] {
    NotifierRegistry r;
    r.add(webhook_notifier_type());
    r.add(email_notifier_type());
    r.add(pagerduty_notifier_type());
    r.add(alertmanager_notifier_type());
    return r;
  }();
  return registry;
}

}  // namespace regwatch::alerts
