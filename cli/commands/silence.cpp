// regwatch silence add | list | expire: keep alerts from being sent while you work.
#include <cstdlib>
#include <iostream>

#include "alerts/label_matcher.h"
#include "cli/commands/command.h"
#include "cli/silence_report.h"
#include "cli/time_input.h"
#include "common/clock.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

// amtool's forms, shown by `silence --help` and `silence add --help`.
constexpr const char* kSilenceAddExamples =
    "  regwatch silence add --match scope=ucm-sub1 --for 2h --comment 'CHG0042 CUCM patching'\n"
    "  regwatch silence add --match 'scope=~\"ucm-sub[12]\"' --match severity!=critical "
    "--until 30m --comment 'CHG0043 rolling restart'\n"
    "  regwatch silence add --match alertname=SourceSilent --match 'source=~\"sw-3f-.*\"' "
    "--starts 2026-11-20T22:00:00Z --until 2026-11-21T02:00:00Z --comment 'CHG0044 switch swap'\n"
    "  regwatch silence add --match 'cm_node!=\"\"' --match 'alertname!~\"Call.*\"' --for 1h "
    "--comment 'alerts that name a CM node, but not CallManager*'\n";

class SilenceCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "silence",
        "keep alerts from being sent while you work: silences match alert labels (alertname, "
        "severity, class, scope_type, scope, cause, cm_node, switch, cluster, incident, "
        "condition, agent, source, plus the collector's external_labels) as Alertmanager's "
        "do\n\n"
        "Examples:\n" +
            std::string(kSilenceAddExamples) +
            "  regwatch silence list\n"
            "  regwatch silence expire 3f2a9c0d1e4b5a67\n");
    subcommand_->require_subcommand(1);
    if (const char* user = std::getenv("USER")) author_ = user;
    add_ = subcommand_->add_subcommand(
        "add",
        "create a silence: alerts that every --match matches are not sent\n\n"
        "Matchers are Alertmanager's: LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX, LABEL!~REGEX, the "
        "value in double quotes or not; a regex is RE2 and matches the whole value "
        "(^(?:REGEX)$); an alert without the label has the empty value (cm_node=\"\" matches "
        "alerts without one). At least one matcher must not match the empty value.\n\n"
        "Examples:\n" +
            std::string(kSilenceAddExamples));
    add_->add_option("--match", matchers_,
                     "LABEL=VALUE, LABEL!=VALUE, LABEL=~\"REGEX\" or LABEL!~\"REGEX\" (repeatable)")
        ->required();
    add_->add_option("--for", for_, "how long from its start: 90s, 30m, 2h, 7d");
    add_->add_option("--until", until_,
                     "or its end: RFC 3339, a duration from now (30m, 2h, 7d) or now");
    add_->add_option("--starts", starts_,
                     "its start: RFC 3339 or a duration from now (1h); default now");
    add_->add_option("--comment", comment_, "why: maintenance window, change number")->required();
    add_->add_option("--author", author_, "who (default $USER)")->capture_default_str();
    auto* list = subcommand_->add_subcommand("list", "the silences that are active or pending");
    list->add_flag("--all", all_, "expired ones too");
    expire_ = subcommand_->add_subcommand("expire", "end a silence now");
    expire_->add_option("ID", id_, "the silence's id, as list prints it")->required();
  }

  int run(RunContext& context) override {
    const int64_t now = SystemClock::instance().now_us();
    CallError error;
    v1::Silence made;
    if (add_->parsed()) {
      v1::Silence request;
      if (const int problem = build(request, now, context.zone); problem != 0) return problem;
      if (!context.client.create_silence(request, made, error)) return fail(error);
    } else if (expire_->parsed()) {
      if (!context.client.expire_silence(id_, made, error)) return fail(error);
    } else {
      v1::SilenceQuery q;
      q.set_include_expired(all_);
      v1::SilenceList list;
      if (!context.client.silences(q, list, error)) return fail(error);
      write_silences(std::cout, list, context.format, now, context.zone);
      return 0;
    }
    v1::SilenceList one;
    *one.add_silences() = made;
    write_silences(std::cout, one, context.format, SystemClock::instance().now_us(), context.zone);
    return 0;
  }

 private:
  // The silence `add` asks for; 0, or the exit code after saying what is wrong.
  int build(v1::Silence& request, int64_t now, const TimeZone& zone) const {
    request.set_author(author_);
    request.set_comment(comment_);
    bool only_empty = true;  // Alertmanager refuses a silence of nothing but those
    for (const auto& text : matchers_) {
      auto m = alerts::LabelMatcher::parse(text);
      if (!m.ok()) return usage_error("--match: " + m.error().message);
      only_empty = only_empty && m->matches_empty();
      *request.add_label_matchers() = alerts::to_proto(*m);
    }
    if (only_empty) {
      return usage_error(
          "--match: at least one matcher must not match the empty value (it "
          "would silence every alert without that label)");
    }
    int64_t starts = now;
    if (!starts_.empty()) {
      auto t = parse_time_input(starts_, now, zone, TimeDirection::kFromNow);
      if (!t.ok()) return usage_error("--starts: " + t.error().message);
      starts = *t;
    }
    request.set_starts_us(starts);
    if (for_.empty() == until_.empty())
      return usage_error("give the silence either --for (2h) or --until (a time)");
    if (!for_.empty()) {
      auto d = parse_duration(for_);
      if (!d.ok()) return usage_error("--for: " + d.error().message);
      request.set_ends_us(starts + *d);
    } else {
      auto t = parse_time_input(until_, now, zone, TimeDirection::kFromNow);
      if (!t.ok()) return usage_error("--until: " + t.error().message);
      request.set_ends_us(*t);
    }
    if (request.ends_us() <= starts) {
      return usage_error("the silence ends before it starts (--starts " + zone.format(starts) +
                         ", ends " + zone.format(request.ends_us()) + ")");
    }
    return 0;
  }

  CLI::App* add_ = nullptr;
  CLI::App* expire_ = nullptr;
  std::vector<std::string> matchers_;
  std::string for_, starts_, until_, comment_, author_, id_;
  bool all_ = false;
};

}  // namespace

std::unique_ptr<Command> make_silence_command() {
  return std::make_unique<SilenceCommand>();
}

}  // namespace regwatch::cli
