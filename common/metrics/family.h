#pragma once
// A metric family: one name, one HELP, one type, a fixed list of label names, and one child
// (a Counter, Gauge or Histogram) per set of label values, made on first use.
//
// Cardinality is the caller's contract: label values must come from a small, bounded set
// (an input, a CM node, a receiver, a configured target; tens, not thousands). Never label
// by phone, device name, MAC or IP address: every distinct value is a time series that
// Prometheus keeps for weeks, and a fleet of 50,000 phones would be 50,000 series per metric.
//
// Threads: with() takes the family's lock; the child it returns is updated without one. Look
// the child up once and keep the reference on hot paths (it lives as long as the registry).
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics/metric.h"

namespace regwatch::metrics {

enum class MetricType { counter, gauge, histogram };
std::string_view type_name(MetricType type);

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends the family's sample lines (no HELP/TYPE) in the text format.
  virtual void render(std::string& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

template <typename M>
class Family final : public FamilyBase {
 public:
  // bounds: histograms' bucket bounds (ignored for counters and gauges).
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::vector<double> bounds = {})
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        bounds_(std::move(bounds)) {}

  // The child for these label values, in the order of label_names(); throws
  // std::invalid_argument when their number is wrong (a programming error).
  M& with(const std::vector<std::string>& values);
  M& with(std::initializer_list<std::string_view> values) {
    return with(std::vector<std::string>(values.begin(), values.end()));
  }
  // Calls f(values, child) for every child made so far, in label order, under the lock.
  void for_each(const std::function<void(const std::vector<std::string>&, M&)>& f);
  const std::vector<double>& bounds() const { return bounds_; }
  void render(std::string& out) const override;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

// One sample a callback reports at scrape time.
struct Sample {
  std::vector<std::string> label_values;
  double value = 0;
};
using Collect = std::function<std::vector<Sample>()>;

// A counter or gauge family whose samples are computed when scraped, by callbacks that read
// counters the program keeps anyway (a component's stats()), so nothing is counted twice.
// Several callbacks may feed one family; their samples are listed in the order they came.
class CallbackFamily final : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  uint64_t add(Collect collect);
  // After remove() returns, that callback is not running and never runs again.
  void remove(uint64_t id);
  void render(std::string& out) const override;

 private:
  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Collect> collects_;
};

}  // namespace regwatch::metrics
