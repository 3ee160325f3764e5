#include "cli/commands/command.h"

#include <iostream>
#include <tuple>

#include "common/clock.h"
#include "common/time_format.h"

namespace regwatch::cli {

int fail(const CallError& error) {
  std::cerr << "regwatch: " << error.message << "\n";
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

bool parse_time_bounds(const std::string& since, const std::string& until, int64_t& since_us,
                       int64_t& until_us) {
  const int64_t now = SystemClock::instance().now_us();
  since_us = 0;
  until_us = 0;
  for (auto [option, text, out] :
       {std::tuple{"--since", &since, &since_us}, std::tuple{"--until", &until, &until_us}}) {
    if (text->empty()) continue;
    auto at = parse_time_arg(*text, now);
    if (!at.ok()) {
      std::cerr << "regwatch: " << option << ": " << at.error().message << "\n";
      return false;
    }
    *out = *at;
  }
  return true;
}

}  // namespace regwatch::cli
