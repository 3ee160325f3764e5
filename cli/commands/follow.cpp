#include "cli/commands/follow.h"

#include <csignal>
#include <ctime>
#include <iostream>

#include "cli/commands/command.h"

namespace regwatch::cli {

bool stop_requested(std::chrono::milliseconds timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // the terminal went away: stop as for Ctrl-C
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const timespec wait{static_cast<time_t>(seconds.count()),
                      static_cast<long>((timeout - seconds).count() * 1'000'000)};
  return sigtimedwait(&set, nullptr, &wait) > 0;
}

int followed_call_failed(const CallError& error) {
  std::cout.flush();
  std::cerr << "regwatch: stopped following: " << error.message << "\n";
  return exit_code_for(error);
}

std::string follow_format_problem(const std::string& format_text) {
  if (format_text == "table" || format_text == "jsonl") return "";
  return "--follow prints a stream: use --format table or jsonl (one object per line), not " +
         format_text;
}

}  // namespace regwatch::cli
