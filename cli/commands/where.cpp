// regwatch where DEVICE: which switch, module, port and voice VLAN a phone was on (CDP).
#include <iostream>

#include "cli/commands/command.h"
#include "cli/time_input.h"
#include "common/clock.h"

namespace regwatch::cli {
namespace {

class WhereCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "where",
        "which switch, module, port and voice VLAN a phone was on (CDP)\n\nExamples:\n"
        "  regwatch where SEP0017943A98BA\n"
        "  regwatch where SEP0017943A98BA --at 2026-11-20T09:14:00Z --format json\n");
    subcommand_->add_option("DEVICE", device_, "device name, e.g. SEP0017943A98BA")->required();
    subcommand_->add_option(
        "--at", at_,
        "at this time (RFC 3339, 2h ago, now-1h, yesterday, epoch seconds); default now");
  }

  int run(RunContext& context) override {
    v1::EventQuery q;
    q.set_device(device_);
    q.add_kinds("topology");
    q.set_limit(1);
    if (!at_.empty()) {
      auto at = parse_time_input(at_, SystemClock::instance().now_us(), context.zone);
      if (!at.ok()) return usage_error("--at: " + at.error().message);
      q.set_until_us(*at + 1);
    }
    v1::EventList found;
    CallError error;
    if (!context.client.events(q, found, error)) return fail(error);
    if (context.format != Format::kTable) {
      write_events(std::cout, found, context.format, context.zone);
      return 0;
    }
    if (found.events().empty()) {
      std::cout << device_ << ": no CDP sighting " << (at_.empty() ? "yet" : "before " + at_)
                << " (is its access switch polled with role: switch?)\n";
      return 0;
    }
    const auto& t = found.events(0).event().topology();
    const std::string since = context.zone.format(found.events(0).event().event_time_us());
    if (t.removed()) {
      std::cout << device_ << " left " << t.switch_name() << " port " << t.port() << " at " << since
                << "\n";
    } else {
      std::cout << device_ << " on switch " << t.switch_name() << " port " << t.port();
      if (t.module() > 0) std::cout << " (module/stack member " << t.module() << ")";
      std::cout << ", voice VLAN " << t.voice_vlan() << ", IP " << t.address() << ", since "
                << since << "\n";
    }
    return 0;
  }

 private:
  std::string device_, at_;
};

}  // namespace

std::unique_ptr<Command> make_where_command() {
  return std::make_unique<WhereCommand>();
}

}  // namespace regwatch::cli
