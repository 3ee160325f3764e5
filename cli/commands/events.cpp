// regwatch events: list events, newest first; with --follow, oldest first and then new ones as
// they are stored, until Ctrl-C.
#include <algorithm>
#include <iostream>

#include "cli/commands/command.h"
#include "cli/commands/event_filters.h"
#include "cli/commands/follow.h"
#include "cli/event_follow.h"

namespace regwatch::cli {
namespace {

// Events asked per poll: a burst of more continues at once with the cursor.
constexpr uint32_t kFollowPageSize = 500;

class EventsCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "events",
        "list events, newest first\n\nExamples:\n"
        "  regwatch events --since 2h --kind phone_unregistered --format json\n"
        "  regwatch events --origin ucm-sub1 --kind cpu_pegging --kind heartbeat_low\n"
        "  regwatch events --since yesterday --until today --tz Europe/Berlin\n"
        "  regwatch events --follow --format jsonl | jq .device   # new ones until Ctrl-C\n");
    add_filter_options(subcommand_, filters_, true);
    subcommand_->add_flag(
        "--follow,-f", follow_,
        "print the latest --limit matches oldest first, then each new one as it is stored, "
        "until Ctrl-C (exit 0); exit 2 when the collector goes away. --format table or jsonl");
    subcommand_->footer(std::string(kExitCodesHelp) +
                        "\nWith --follow: 0 after Ctrl-C; 2 when the collector goes away.");
    filters_.limit = 100;
  }

  bool follows() const override { return follow_; }

  int run(RunContext& context) override {
    v1::EventQuery query;
    std::string problem;
    if (!build_query(filters_, context.zone, query, problem)) return usage_error(problem);
    if (!follow_) return print_events(context, query);
    if (auto format_problem = follow_format_problem(context.format_text); !format_problem.empty())
      return usage_error(format_problem);
    if (query.until_us() != 0 || filters_.oldest_first) {
      return usage_error(
          "--follow shows events up to now and on: leave out --until and "
          "--oldest-first (it prints oldest first already)");
    }
    return follow(context, query);
  }

 private:
  int follow(RunContext& context, const v1::EventQuery& query) const {
    // What exists: the newest --limit matches, printed oldest first as the stream goes on.
    v1::EventList latest;
    CallError error;
    if (!context.client.events(query, latest, error)) return fail(error);
    std::reverse(latest.mutable_events()->begin(), latest.mutable_events()->end());
    EventFollowPosition position(query.since_us());
    bool header_printed = false;
    print(context, latest, position, header_printed);
    while (true) {
      if (!position.more_waiting() && stop_requested(kFollowPollInterval)) return 0;
      v1::EventList page;
      if (!context.client.events(position.next_query(query, kFollowPageSize), page, error))
        return followed_call_failed(error);
      print(context, page, position, header_printed);
      position.page_done(page);
    }
  }

  // Prints the events of `list` not shown yet, flushed (a pipe sees each batch at once).
  static void print(RunContext& context, const v1::EventList& list, EventFollowPosition& position,
                    bool& header_printed) {
    v1::EventList fresh;
    for (const auto& stored : list.events()) {
      if (!position.is_new(stored)) continue;
      *fresh.add_events() = stored;
      position.advance(stored);
    }
    if (fresh.events().empty()) return;
    if (context.format == Format::kTable) {
      write_event_table(std::cout, fresh, context.zone, !header_printed);
      header_printed = true;
    } else {
      write_events(std::cout, fresh, context.format, context.zone);
    }
    std::cout.flush();
  }

  Filters filters_;
  bool follow_ = false;
};

}  // namespace

std::unique_ptr<Command> make_events_command() {
  return std::make_unique<EventsCommand>();
}

}  // namespace regwatch::cli
