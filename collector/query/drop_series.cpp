#include "collector/query/drop_series.h"

#include <algorithm>
#include <optional>

#include "collector/query/top_query.h"
#include "common/reason_class.h"

namespace regwatch::collector::query {
namespace {

// As `top` reads at most: beyond it the series says it was cut.
constexpr size_t kMaxDropReports = 2'000'000;
constexpr int64_t kSecondUs = 1'000'000;

std::string class_of(const DropReport& first, const DropReport* reasoned) {
  if (reasoned) {
    const int32_t code = *reasoned->reason;
    return std::string(reasoned->kind == regwatch::v1::PHONE_REGISTRATION_FAILED
                           ? domain::registration_failure_reason_class(code)
                           : domain::unregistration_reason_class(code));
  }
  return first.kind == regwatch::v1::PHONE_AUTH_FAILED ? "security" : "unknown";
}

}  // namespace

const std::vector<std::string>& drop_classes() {
  static const std::vector<std::string> kClasses = {"network", "planned", "security", "config",
                                                    "storm",   "other",   "unknown"};
  return kClasses;
}

Result<DropRange> drop_range(const regwatch::v1::DropSeriesQuery& q, int64_t now_us) {
  DropRange range;
  range.step_s = q.step_s() == 0 ? kDefaultDropStepS : q.step_s();
  range.until_us = q.until_us() == 0 ? now_us : q.until_us();
  range.since_us = q.since_us() == 0 ? range.until_us - kDefaultDropRangeUs : q.since_us();
  if (range.since_us >= range.until_us)
    return make_error("bad_query", "the range is empty: since must be before until");
  const int64_t span_us = range.until_us - range.since_us;
  const int64_t step_us = int64_t{range.step_s} * kSecondUs;
  const int64_t points = (span_us + step_us - 1) / step_us;
  if (points > kMaxDropPoints) {
    // The smallest whole number of seconds that gives at most kMaxDropPoints steps.
    const int64_t per_point_us = (span_us + kMaxDropPoints - 1) / kMaxDropPoints;
    const int64_t smallest_s = (per_point_us + kSecondUs - 1) / kSecondUs;
    return make_error("bad_query", "step " + std::to_string(range.step_s) +
                                       " s is too small for this range: at most " +
                                       std::to_string(kMaxDropPoints) +
                                       " points; the smallest step allowed is " +
                                       std::to_string(smallest_s) + " s");
  }
  return range;
}

regwatch::v1::DropSeries count_drop_series(const std::vector<DropReport>& reports,
                                           const DropRange& range,
                                           const correlate::DropRule& rule) {
  regwatch::v1::DropSeries series;
  series.set_step_s(range.step_s);
  series.set_since_us(range.since_us);
  series.set_until_us(range.until_us);
  for (const auto& c : drop_classes()) series.add_classes(c);
  const int64_t step_us = int64_t{range.step_s} * kSecondUs;
  const int64_t points = (range.until_us - range.since_us + step_us - 1) / step_us;
  for (int64_t i = 0; i < points; ++i) {
    auto* point = series.add_points();
    point->set_time_us(range.since_us + i * step_us);
    for (const auto& c : drop_classes()) (*point->mutable_counts())[c] = 0;
  }

  for_each_drop(reports, rule, [&](const DropReport& first, const DropReport* reasoned) {
    // Read from one merge window before `since` so a drop that began there is not counted
    // again; only drops that begin inside the range are.
    if (first.time_us < range.since_us || first.time_us >= range.until_us) return;
    auto* point =
        series.mutable_points(static_cast<int>((first.time_us - range.since_us) / step_us));
    ++(*point->mutable_counts())[class_of(first, reasoned)];
    point->set_drops(point->drops() + 1);
  });
  return series;
}

Result<regwatch::v1::DropSeries> read_drop_series(store::EventSource& reader,
                                                  const regwatch::v1::DropSeriesQuery& query,
                                                  const correlate::DropRule& rule, int64_t now_us) {
  auto range = drop_range(query, now_us);
  if (!range.ok()) return range.error();
  std::vector<DropReport> reports;
  auto cut = read_drop_reports(reader, range->since_us - rule.merge_us(), range->until_us,
                               kMaxDropReports, reports);
  if (!cut.ok()) return cut.error();
  auto series = count_drop_series(reports, *range, rule);
  series.set_truncated(*cut);
  return series;
}

}  // namespace regwatch::collector::query
