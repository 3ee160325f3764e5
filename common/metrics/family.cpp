#include "common/metrics/family.h"

#include <stdexcept>

#include "common/metrics/text_format.h"

namespace regwatch::metrics {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
  }
  return "untyped";
}

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {}

namespace {

std::unique_ptr<Counter> make_child(const Family<Counter>&) {
  return std::make_unique<Counter>();
}
std::unique_ptr<Gauge> make_child(const Family<Gauge>&) {
  return std::make_unique<Gauge>();
}
std::unique_ptr<Histogram> make_child(const Family<Histogram>& family) {
  return std::make_unique<Histogram>(family.bounds());
}

void render_child(std::string& out, const FamilyBase& family,
                  const std::vector<std::string>& values, const Counter& child) {
  append_sample(out, family.name(), family.label_names(), values, {}, {},
                static_cast<double>(child.value()));
}

void render_child(std::string& out, const FamilyBase& family,
                  const std::vector<std::string>& values, const Gauge& child) {
  append_sample(out, family.name(), family.label_names(), values, {}, {}, child.value());
}

void render_child(std::string& out, const FamilyBase& family,
                  const std::vector<std::string>& values, const Histogram& child) {
  const auto snapshot = child.snapshot();
  const auto bounds = child.bounds();
  const std::string bucket = family.name() + "_bucket";
  for (size_t i = 0; i < bounds.size(); ++i) {
    append_sample(out, bucket, family.label_names(), values, "le", format_value(bounds[i]),
                  static_cast<double>(snapshot.cumulative[i]));
  }
  const auto count = static_cast<double>(snapshot.cumulative.back());
  append_sample(out, bucket, family.label_names(), values, "le", "+Inf", count);
  append_sample(out, family.name() + "_sum", family.label_names(), values, {}, {}, snapshot.sum);
  append_sample(out, family.name() + "_count", family.label_names(), values, {}, {}, count);
}

}  // namespace

template <typename M>
M& Family<M>::with(const std::vector<std::string>& values) {
  if (values.size() != label_names().size()) {
    throw std::invalid_argument(name() + ": " + std::to_string(label_names().size()) +
                                " label values expected, got " + std::to_string(values.size()));
  }
  std::lock_guard lock(mutex_);
  auto& child = children_[values];
  if (!child) child = make_child(*this);
  return *child;
}

template <typename M>
void Family<M>::for_each(const std::function<void(const std::vector<std::string>&, M&)>& f) {
  std::lock_guard lock(mutex_);
  for (auto& [values, child] : children_) f(values, *child);
}

template <typename M>
void Family<M>::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, child] : children_) render_child(out, *this, values, *child);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

uint64_t CallbackFamily::add(Collect collect) {
  std::lock_guard lock(mutex_);
  const uint64_t id = next_id_++;
  collects_.emplace(id, std::move(collect));
  return id;
}

void CallbackFamily::remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  collects_.erase(id);
}

void CallbackFamily::render(std::string& out) const {
  // The lock is held while the callbacks run, so remove() waits for a scrape in progress.
  std::lock_guard lock(mutex_);
  for (const auto& [id, collect] : collects_) {
    for (const auto& sample : collect()) {
      if (sample.label_values.size() != label_names().size()) continue;  // a caller's bug
      append_sample(out, name(), label_names(), sample.label_values, {}, {}, sample.value);
    }
  }
}

}  // namespace regwatch::metrics
