#include "common/metrics/registry.h"

#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "common/metrics/text_format.h"

namespace regwatch::metrics {

CallbackHandle& CallbackHandle::operator=(CallbackHandle&& other) noexcept {
  if (this != &other) {
    reset();
    family_ = std::exchange(other.family_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void CallbackHandle::reset() {
  if (family_) family_->remove(id_);
  family_ = nullptr;
}

namespace {

void check_names(const std::string& name, MetricType type,
                 const std::vector<std::string>& label_names, const std::vector<double>& bounds) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  if (type == MetricType::counter && !name.ends_with("_total")) {
    throw std::invalid_argument("a counter's name ends in _total: " + name);
  }
  for (const auto& label : label_names) {
    if (!valid_label_name(label)) {
      std::string message = name;
      message += ": invalid label name: ";
      message += label;
      throw std::invalid_argument(message);
    }
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw std::invalid_argument(name + ": bucket bounds must be finite and ascending");
    }
  }
}

}  // namespace

template <typename F>
F& Registry::find_or_add(const std::string& name, const std::string& help, MetricType type,
                         const std::vector<std::string>& label_names,
                         const std::vector<double>& bounds) {
  check_names(name, type, label_names, bounds);
  std::lock_guard lock(mutex_);
  auto& slot = families_[name];
  if (!slot) {
    if constexpr (std::is_same_v<F, CallbackFamily>) {
      slot = std::make_unique<F>(name, help, type, label_names);
    } else {
      slot = std::make_unique<F>(name, help, type, label_names, bounds);
    }
  }
  auto* family = dynamic_cast<F*>(slot.get());
  bool same = family && family->type() == type && family->label_names() == label_names;
  if constexpr (std::is_same_v<F, Family<Histogram>>) same = same && family->bounds() == bounds;
  if (!same) {
    throw std::invalid_argument("metric " + name +
                                " is registered already with another type, labels or buckets");
  }
  return *family;
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   const std::vector<std::string>& label_names) {
  return find_or_add<Family<Counter>>(name, help, MetricType::counter, label_names, {});
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               const std::vector<std::string>& label_names) {
  return find_or_add<Family<Gauge>>(name, help, MetricType::gauge, label_names, {});
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       const std::vector<std::string>& label_names,
                                       const std::vector<double>& bounds) {
  return find_or_add<Family<Histogram>>(name, help, MetricType::histogram, label_names, bounds);
}

CallbackHandle Registry::callback(const std::string& name, const std::string& help, MetricType type,
                                  const std::vector<std::string>& label_names, Collect collect) {
  if (type == MetricType::histogram) {
    throw std::invalid_argument(name + ": a callback reports a counter or a gauge");
  }
  auto& family = find_or_add<CallbackFamily>(name, help, type, label_names, {});
  return CallbackHandle(&family, family.add(std::move(collect)));
}

std::string Registry::exposition() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + escape_help(family->help()) + "\n";
    out += "# TYPE " + name + " " + std::string(type_name(family->type())) + "\n";
    family->render(out);
  }
  return out;
}

Registry& default_registry() {
  // Never destroyed: threads that update metrics may outlive static destruction at exit.
  static auto* registry = new Registry;  // NOLINT(cppcoreguidelines-owning-memory)
  return *registry;
}

}  // namespace regwatch::metrics
