#include "cli/commands/command.h"

#include <iostream>

#include "cli/time_input.h"
#include "common/clock.h"

namespace regwatch::cli {

int fail(const CallError& error) {
  std::cerr << "regwatch: " << error.message << "\n";
  return exit_code_for(error);
}

int exit_code_for(const CallError& error) {
  switch (error.kind) {
    case CallFailure::kUnreachable: return kExitUnreachable;
    case CallFailure::kRefused: return kExitRefused;
    case CallFailure::kBadRequest: return kExitUsage;
    default: return kExitFailed;
  }
}

int usage_error(const std::string& what) {
  std::cerr << "regwatch: " << what << "\n";
  return kExitUsage;
}

bool parse_time_bounds(const RunContext& context, const std::string& since,
                       const std::string& until, int64_t& since_us, int64_t& until_us) {
  auto range = parse_time_range(since, until, SystemClock::instance().now_us(), context.zone);
  if (!range.ok()) {
    usage_error(range.error().message);
    return false;
  }
  since_us = range->since_us;
  until_us = range->until_us;
  return true;
}

}  // namespace regwatch::cli
