#include "cli/commands/event_filters.h"

#include <iostream>

#include "cli/commands/command.h"

#include "cli/time_input.h"
#include "common/clock.h"
#include "common/domain_tables.h"
#include "common/event_kind.h"

namespace regwatch::cli {
namespace {

std::string kinds_list() {
  std::string out;
  for (const auto& k : all_kind_names()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::string sources_list() {
  std::string out;
  for (const auto& s : all_source_names()) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

void add_filter_options(CLI::App* command, Filters& f, bool with_device) {
  command->add_option(
      "--since", f.since,
      "from this event time: 2h (ago), now-30m, yesterday, today, 2026-11-20 (midnight, --tz), "
      "RFC 3339 (2026-11-20T09:00:00Z) or epoch seconds (1733400000)");
  command->add_option("--until", f.until, "up to (not including) this event time, same forms");
  if (with_device) command->add_option("--device", f.device, "one device, e.g. SEP0017943A98BA");
  command->add_option("--kind", f.kinds, "event kind (repeatable): " + kinds_list());
  command->add_option("--source", f.sources,
                      "the input that produced it (repeatable): " + sources_list());
  command->add_option("--origin", f.origin, "the host that produced the event (CUCM node, switch)");
  command->add_option("--reason", f.reason,
                      "reason code, as a number (13) or a name (KeepAliveTimeout)");
  command->add_option("--limit", f.limit, "at most this many events");
  command->add_flag("--oldest-first", f.oldest_first, "oldest first (default: newest first)");
  command->add_flag("--spoofed", f.spoofed_only,
                    "only events flagged spoofed: a listed origin sent from an address its "
                    "origin_senders entry does not allow (kept as evidence, never paged)");
}

bool build_query(const Filters& f, const TimeZone& zone, v1::EventQuery& q, std::string& problem) {
  auto range = parse_time_range(f.since, f.until, SystemClock::instance().now_us(), zone);
  if (!range.ok()) return problem = range.error().message, false;
  q.set_since_us(range->since_us);
  q.set_until_us(range->until_us);
  for (const auto& kind : f.kinds) {
    if (!parse_kind(kind))
      return problem = "--kind: unknown kind '" + kind + "'; kinds are: " + kinds_list(), false;
    q.add_kinds(kind);
  }
  for (const auto& source : f.sources) {
    const auto parsed = parse_source(source);
    if (!parsed) {
      return problem = "--source: unknown source '" + source + "'; sources are: " + sources_list(),
             false;
    }
    q.add_sources(source_name(*parsed));
  }
  if (!f.reason.empty()) {
    const auto code = domain::reason_code_named(f.reason);
    if (!code) {
      return problem = "--reason: '" + f.reason + "' is neither a number nor a CUCM reason name",
             false;
    }
    q.set_reason_code(*code);
  }
  q.set_device(f.device);
  q.set_origin(f.origin);
  q.set_limit(f.limit);
  q.set_oldest_first(f.oldest_first);
  q.set_spoofed_only(f.spoofed_only);
  return true;
}

int print_events(RunContext& context, const regwatch::v1::EventQuery& query) {
  v1::EventList list;
  CallError error;
  if (!context.client.events(query, list, error)) return fail(error);
  write_events(std::cout, list, context.format, context.zone);
  if (list.truncated()) {
    std::cerr << "regwatch: showing the first " << list.events_size()
              << " matches; there are more (--limit)\n";
  }
  return 0;
}

}  // namespace regwatch::cli
