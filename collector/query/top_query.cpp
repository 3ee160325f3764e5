#include "collector/query/top_query.h"

#include <algorithm>

#include "collector/query/offenders.h"
#include "common/event_kind.h"

namespace regwatch::collector::query {
namespace {

// What one regwatch top reads at most: a week of a 100,000-phone site's drops
// fits many times over; beyond it the reply says it was cut.
constexpr size_t kMaxTopDropReports = 2'000'000;
constexpr size_t kMaxTopSightings = 2'000'000;

}  // namespace

Result<bool> read_drop_reports(store::EventSource& reader, int64_t since_us, int64_t until_us,
                               size_t limit, std::vector<DropReport>& reports) {
  return reader.scan_phone_reports(
      since_us, until_us, offender_report_kinds(), limit,
      [&](std::string_view device, int64_t time_us, std::string_view kind, int32_t reason) {
        DropReport& d = reports.emplace_back();
        d.device = device;
        d.time_us = time_us;
        d.kind = parse_kind(kind).value_or(regwatch::v1::EVENT_KIND_UNSPECIFIED);
        if (reason >= 0) d.reason = reason;
      });
}

Result<regwatch::v1::TopReply> read_top(store::EventSource& reader, const regwatch::v1::TopQuery& q,
                                        const correlate::DropRule& rule) {
  std::vector<DropReport> reports;
  auto cut = read_drop_reports(reader, q.since_us(), q.until_us(), kMaxTopDropReports, reports);
  if (!cut.ok()) return cut.error();
  std::vector<Sighting> sightings;
  auto sightings_cut =
      reader.scan_sightings(q.until_us(), kMaxTopSightings, [&](const regwatch::v1::Event& e) {
        const auto& t = e.topology();
        sightings.push_back({t.device(), e.event_time_us(), t.switch_name(), t.port()});
      });
  if (!sightings_cut.ok()) return sightings_cut.error();
  auto reply =
      rank_offenders(reports, sightings, q.limit() == 0 ? 10 : std::min(q.limit(), 1000u), rule);
  reply.set_truncated(*cut || *sightings_cut);
  return reply;
}

}  // namespace regwatch::collector::query
