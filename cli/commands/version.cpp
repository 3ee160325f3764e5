// regwatch version: this CLI's build and the collector's (from its Status reply), so an operator
// sees in one place whether the two match. The collector unreachable: the CLI's line, the reason,
// exit 2 (as every command that cannot reach it).
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/commands/command.h"
#include "common/build_version.h"

namespace regwatch::cli {
namespace {

struct Build {
  std::string version, git_revision, build_date;
};

nlohmann::json to_json(const Build& build) {
  return {{"version", build.version},
          {"git_revision", build.git_revision},
          {"build_date", build.build_date}};
}

std::string line(const std::string& program, const Build& build) {
  return program + " " + build.version + " (git " + build.git_revision + ", built " +
         build.build_date + ")";
}

class VersionCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "version",
        "this CLI's version, git revision and build date, and the collector's\n\n"
        "Formats: table (default: one line each), json ({\"cli\":{...},\"collector\":{...}};\n"
        "collector is null and collector_error says why when it cannot be reached).\n"
        "Exit codes: 0 both known; 2 the collector is unreachable (the CLI's line is printed).\n"
        "Examples:\n"
        "  regwatch version\n"
        "  regwatch version --format json\n");
  }

  int run(RunContext& context) override {
    const Build cli{std::string(build_version()), std::string(build_revision()),
                    std::string(build_date())};
    v1::StatusReply reply;
    CallError error;
    const bool reached = context.client.status(reply, error);
    const Build collector{reply.version(), reply.git_revision(), reply.build_date()};
    if (context.format == Format::kJson || context.format == Format::kJsonl) {
      nlohmann::json out = {{"cli", to_json(cli)}, {"collector", nullptr}};
      if (reached) {
        out["collector"] = to_json(collector);
      } else {
        out["collector_error"] = error.message;
      }
      std::cout << out.dump(context.format == Format::kJson ? 2 : -1) << "\n";
      return reached ? 0 : exit_code_for(error);
    }
    std::cout << line("regwatch", cli) << "\n";
    if (!reached) {
      std::cout << "regwatch-collector: unreachable\n" << std::flush;
      return fail(error);
    }
    std::cout << line("regwatch-collector", collector) << "\n";
    return 0;
  }

 private:
  // fail()'s exit code without its message (the JSON carries the message).
  static int exit_code_for(const CallError& error) {
    switch (error.kind) {
      case CallFailure::kUnreachable: return kExitUnreachable;
      case CallFailure::kRefused: return kExitRefused;
      default: return kExitFailed;
    }
  }
};

}  // namespace

std::unique_ptr<Command> make_version_command() {
  return std::make_unique<VersionCommand>();
}

}  // namespace regwatch::cli
