#pragma once
// What `regwatch events --follow` and `regwatch incidents --follow` share: the poll interval,
// waiting for Ctrl-C between polls, and the words and exit code when the collector goes away.
//
// Why polling: the gRPC Query API has no server stream (the HTTP API's SSE is the browser's),
// and a poll a second with the keyset cursor costs the collector one indexed query.
#include <chrono>
#include <string>

#include "cli/collector_client.h"

namespace regwatch::cli {

inline constexpr std::chrono::milliseconds kFollowPollInterval{1000};

// Waits up to `timeout` for SIGINT or SIGTERM (blocked by main for following commands); true
// when one came: the operator asked to stop.
bool stop_requested(std::chrono::milliseconds timeout);

// Says the stream ended because a poll failed; returns the exit code (2 when the collector went
// away, as for any unreachable collector).
int followed_call_failed(const CallError& error);

// Which --format a stream prints in: table and jsonl; json (one document) and csv (columns from
// the whole answer) are not streams. "" when fine, else the usage error to print.
std::string follow_format_problem(const std::string& format_text);

}  // namespace regwatch::cli
