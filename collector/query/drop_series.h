#pragma once
// Drops per time step by reason class (the dashboard's chart; DropSeries in query.proto).
//
// Counted by the drop rule (collector/correlate/drop_rule.h), as `top` counts them: one drop
// seen by several inputs counts once, a registration in between makes the next report a drop
// of its own. A drop falls in the step of its first report and only drops whose first report
// is in [since, until) count: reports from one merge window before since are read too, so a
// drop that began before the range is not counted again at its start.
//
// Its class is that of the first reason code its reports gave (common/reason_class.h; a
// rejection's code from the registration-failure table): network, planned, security, config,
// storm or other; without any code, "security" when the phone itself said it failed to
// authenticate (phone_auth_failed, as explain says) and "unknown" otherwise.
//
// Bounded: at most kMaxDropPoints steps; a step too small for the range is a "bad_query" that
// names the smallest one allowed.
#include <cstdint>
#include <string>
#include <vector>

#include "collector/correlate/drop_rule.h"
#include "collector/query/offenders.h"
#include "collector/store/event_source.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

inline constexpr uint32_t kMaxDropPoints = 1440;
inline constexpr uint32_t kDefaultDropStepS = 60;
inline constexpr int64_t kDefaultDropRangeUs = 3 * 3600 * 1'000'000LL;

// Every class a point counts, in the order DropSeries.classes lists them.
const std::vector<std::string>& drop_classes();

// The range and step a query asks for, defaults applied and checked against the bound.
struct DropRange {
  int64_t since_us = 0;
  int64_t until_us = 0;
  uint32_t step_s = kDefaultDropStepS;
};
Result<DropRange> drop_range(const regwatch::v1::DropSeriesQuery& query, int64_t now_us);

// Pure: the series from phone reports (drop kinds and phone_registered) sorted by (device,
// time), as EventSource::scan_phone_reports gives them.
regwatch::v1::DropSeries count_drop_series(const std::vector<DropReport>& reports,
                                           const DropRange& range, const correlate::DropRule& rule);

// Reads the reports from the store and counts them; truncated when the range held more than
// one query reads.
Result<regwatch::v1::DropSeries> read_drop_series(store::EventSource& reader,
                                                  const regwatch::v1::DropSeriesQuery& query,
                                                  const correlate::DropRule& rule, int64_t now_us);

}  // namespace regwatch::collector::query
