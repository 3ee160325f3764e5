#pragma once
// The event filters `regwatch events` and `regwatch timeline` share (--since, --until, --kind,
// --source, --origin, --reason, --limit, --oldest-first, --spoofed, and for events --device), and
// their translation into a Query.Events request.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "cli/time_zone.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

struct Filters {
  std::string since, until, device, origin, reason;
  std::vector<std::string> kinds;
  std::vector<std::string> sources;
  uint32_t limit = 0;
  bool oldest_first = false;
  bool spoofed_only = false;
};

void add_filter_options(CLI::App* command, Filters& f, bool with_device);

// Builds the query or explains what is wrong with the arguments.
// Times read in `zone` (--tz) where they name no offset; since must come before until.
bool build_query(const Filters& f, const TimeZone& zone, regwatch::v1::EventQuery& q,
                 std::string& problem);

struct RunContext;
// Runs the query and writes its events in the chosen format; a cut list is said on stderr.
// Returns the command's exit code.
int print_events(RunContext& context, const regwatch::v1::EventQuery& query);

}  // namespace regwatch::cli
