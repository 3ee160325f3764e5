// regwatch: the NOC engineer's view of the collector's history.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include <cstdlib>
#include <iostream>

#include "alerts/label_matcher.h"
#include "cli/alert_report.h"
#include "cli/collector_client.h"
#include "cli/explain_command.h"
#include "cli/incident_report.h"
#include "cli/output_format.h"
#include "cli/silence_report.h"
#include "cli/top_report.h"
#include "common/clock.h"
#include "common/domain_tables.h"
#include "common/event_kind.h"
#include "common/time_format.h"

namespace {

using namespace regwatch;
constexpr int kExitUsage = 1;
constexpr int kExitUnreachable = 2;
constexpr int kExitRefused = 3;
constexpr int kExitFailed = 4;

std::string kinds_list() {
  std::string out;
  for (const auto& k : all_kind_names()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// A reason given as a number or a name (KeepAliveTimeout).
bool parse_reason(const std::string& text, int32_t& code) {
  try {
    size_t used = 0;
    code = std::stoi(text, &used);
    if (used == text.size()) return true;
  } catch (const std::exception&) {
  }
  for (auto table :
       {domain::detail::kUnregistrationReasons, domain::detail::kRegistrationFailureReasons}) {
    for (const auto& entry : table) {
      if (entry.name == text) {
        code = entry.code;
        return true;
      }
    }
  }
  return false;
}

struct Filters {
  std::string since, until, device, origin, reason;
  std::vector<std::string> kinds;
  uint32_t limit = 0;
  bool oldest_first = false;
  bool spoofed_only = false;
};

void add_filter_options(CLI::App* command, Filters& f, bool with_device) {
  command->add_option(
      "--since", f.since,
      "from this event time: RFC 3339 (2026-11-20T09:00:00Z) or back from now (2h, 30m, 7d)");
  command->add_option("--until", f.until, "up to (not including) this event time, same forms");
  if (with_device) command->add_option("--device", f.device, "one device, e.g. SEP0017943A98BA");
  command->add_option("--kind", f.kinds, "event kind (repeatable): " + kinds_list());
  command->add_option("--origin", f.origin, "the host that produced the event (CUCM node, switch)");
  command->add_option("--reason", f.reason,
                      "reason code, as a number (13) or a name (KeepAliveTimeout)");
  command->add_option("--limit", f.limit, "at most this many events");
  command->add_flag("--oldest-first", f.oldest_first, "oldest first (default: newest first)");
  command->add_flag("--spoofed", f.spoofed_only,
                    "only events flagged spoofed: a listed origin sent from an address its "
                    "origin_senders entry does not allow (kept as evidence, never paged)");
}

// Builds the query or explains what is wrong with the arguments.
bool build_query(const Filters& f, v1::EventQuery& q, std::string& problem) {
  const int64_t now = SystemClock::instance().now_us();
  if (!f.since.empty()) {
    auto t = parse_time_arg(f.since, now);
    if (!t.ok()) return problem = "--since: " + t.error().message, false;
    q.set_since_us(*t);
  }
  if (!f.until.empty()) {
    auto t = parse_time_arg(f.until, now);
    if (!t.ok()) return problem = "--until: " + t.error().message, false;
    q.set_until_us(*t);
  }
  for (const auto& kind : f.kinds) {
    if (!parse_kind(kind))
      return problem = "--kind: unknown kind '" + kind + "'; kinds are: " + kinds_list(), false;
    q.add_kinds(kind);
  }
  if (!f.reason.empty()) {
    int32_t code = 0;
    if (!parse_reason(f.reason, code)) {
      return problem = "--reason: '" + f.reason + "' is neither a number nor a CUCM reason name",
             false;
    }
    q.set_reason_code(code);
  }
  q.set_device(f.device);
  q.set_origin(f.origin);
  q.set_limit(f.limit);
  q.set_oldest_first(f.oldest_first);
  q.set_spoofed_only(f.spoofed_only);
  return true;
}

// --since / --until of a query, parsed into its fields; false (after saying why) when either
// is not a time.
template <typename Query>
bool set_time_bounds(Query& q, const std::string& since, const std::string& until) {
  const int64_t now = SystemClock::instance().now_us();
  for (auto [option, text, setter] : {std::tuple{"--since", &since, &Query::set_since_us},
                                      std::tuple{"--until", &until, &Query::set_until_us}}) {
    if (text->empty()) continue;
    auto at = parse_time_arg(*text, now);
    if (!at.ok()) {
      std::cerr << "regwatch: " << option << ": " << at.error().message << "\n";
      return false;
    }
    (q.*setter)(*at);
  }
  return true;
}

int usage_error(const std::string& what) {
  std::cerr << "regwatch: " << what << "\n";
  return kExitUsage;
}

int fail(const cli::CallError& error) {
  std::cerr << "regwatch: " << error.message << "\n";
  switch (error.kind) {
    case cli::CallFailure::kUnreachable: return kExitUnreachable;
    case cli::CallFailure::kRefused: return kExitRefused;
    case cli::CallFailure::kBadRequest: return kExitUsage;
    default: return kExitFailed;
  }
}

}  // namespace

// amtool's forms, shown by `silence --help` and `silence add --help`.
constexpr const char* kSilenceAddExamples =
    "  regwatch silence add --match scope=ucm-sub1 --for 2h --comment 'CHG0042 CUCM patching'\n"
    "  regwatch silence add --match 'scope=~\"ucm-sub[12]\"' --match severity!=critical "
    "--until 30m --comment 'CHG0043 rolling restart'\n"
    "  regwatch silence add --match alertname=SourceSilent --match 'source=~\"sw-3f-.*\"' "
    "--starts 2026-11-20T22:00:00Z --until 2026-11-21T02:00:00Z --comment 'CHG0044 switch swap'\n"
    "  regwatch silence add --match 'cm_node!=\"\"' --match 'alertname!~\"Call.*\"' --for 1h "
    "--comment 'alerts that name a CM node, but not CallManager*'\n";

int main(int argc, char** argv) {
  CLI::App app{
      "regwatch: query the history of phone registrations and what surrounded them.\n\n"
      "Examples:\n"
      "  regwatch events --since 2h --kind phone_unregistered\n"
      "  regwatch events --since 2026-11-20T09:00:00Z --until 2026-11-20T10:00:00Z --reason "
      "KeepAliveTimeout --format csv\n"
      "  regwatch timeline SEP0017943A98BA\n"
      "  regwatch incidents --since 24h\n"
      "  regwatch alerts\n"
      "  regwatch explain SEP0017943A98BA\n"
      "  regwatch top --since 7d\n"
      "  regwatch silence add --match scope=ucm-sub1 --for 2h --comment 'CUCM patching'\n"
      "  regwatch status\n"};
  app.set_version_flag("--version", std::string(REGWATCH_VERSION));
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: regwatch events --format json
  cli::ConnectionOptions connection;
  if (const char* env = std::getenv("REGWATCH_COLLECTOR")) connection.collector = env;
  if (const char* env = std::getenv("REGWATCH_TOKEN")) connection.token = env;
  std::string format_text = "table";
  int timeout = 10;
  app.add_option("--collector", connection.collector,
                 "collector HOST:PORT (env REGWATCH_COLLECTOR)")
      ->capture_default_str();
  app.add_option("--format", format_text, "table, json, jsonl or csv")->capture_default_str();
  app.add_option("--tls-ca", connection.tls_ca_file, "CA of the collector's certificate: use TLS");
  app.add_option("--tls-cert", connection.tls_cert_file, "client certificate (mTLS)");
  app.add_option("--tls-key", connection.tls_key_file, "client key (mTLS)");
  app.add_option("--tls-server-name", connection.tls_server_name,
                 "name to verify in the collector's certificate");
  app.add_option("--token", connection.token, "token the collector expects (env REGWATCH_TOKEN)");
  app.add_option("--timeout", timeout, "seconds to wait for the collector")->capture_default_str();

  Filters event_filters;
  auto* events = app.add_subcommand(
      "events",
      "list events, newest first\n\nExamples:\n"
      "  regwatch events --since 2h --kind phone_unregistered --format json\n"
      "  regwatch events --origin ucm-sub1 --kind cpu_pegging --kind heartbeat_low\n");
  add_filter_options(events, event_filters, true);
  event_filters.limit = 100;

  Filters timeline_filters;
  std::string timeline_device;
  auto* timeline =
      app.add_subcommand("timeline",
                         "everything that happened to one phone, oldest first\n\nExamples:\n"
                         "  regwatch timeline SEP0017943A98BA\n"
                         "  regwatch timeline SEP0017943A98BA --since 7d --format csv\n");
  timeline->add_option("DEVICE", timeline_device, "device name, e.g. SEP0017943A98BA")->required();
  add_filter_options(timeline, timeline_filters, false);
  timeline_filters.limit = 1000;

  std::string where_device, where_at;
  auto* where = app.add_subcommand(
      "where",
      "which switch, module, port and voice VLAN a phone was on (CDP)\n\nExamples:\n"
      "  regwatch where SEP0017943A98BA\n"
      "  regwatch where SEP0017943A98BA --at 2026-11-20T09:14:00Z --format json\n");
  where->add_option("DEVICE", where_device, "device name, e.g. SEP0017943A98BA")->required();
  where->add_option("--at", where_at, "at this time (RFC 3339 or 2h ago style); default now");

  auto* status = app.add_subcommand("status", "what the collector holds: events per agent");

  std::string incidents_since, incidents_until, incidents_state, incidents_cause, incidents_scope;
  uint32_t incidents_limit = 100;
  auto* incidents = app.add_subcommand(
      "incidents",
      "unregistration bursts with their scope and ranked causes, newest first\n\nExamples:\n"
      "  regwatch incidents --since 24h\n"
      "  regwatch incidents --state open --format json\n"
      "  regwatch incidents --cause cm_cpu --since 2026-11-20T00:00:00Z\n"
      "  regwatch incidents --scope sw-3f --since 30d      # the switch and its modules\n"
      "  regwatch incidents --scope cm_node:ucm-sub1\n");
  incidents->add_option("--since", incidents_since,
                        "started at or after (RFC 3339, or 2h / 7d ago)");
  incidents->add_option("--until", incidents_until, "started before");
  incidents
      ->add_option("--state", incidents_state,
                   "open or resolved (both by default); withdrawn: those later events "
                   "showed were no burst")
      ->check(CLI::IsMember({"open", "resolved", "withdrawn"}));
  incidents->add_option("--cause", incidents_cause,
                        "top cause kind: cm_cpu, cm_slow, link_down, module_failure, ...");
  incidents->add_option(
      "--scope", incidents_scope,
      "where: a scope type (cluster, cm_node, switch, module, vlan, subnet), TYPE:NAME, or a "
      "name (a switch's name also finds its modules' incidents)");
  incidents->add_option("--limit", incidents_limit, "at most this many")->capture_default_str();
  std::string explain_device, explain_at;
  auto* explain = app.add_subcommand(
      "explain",
      "why one phone is (or was) unregistered or rejected, and what to check next: its state, the "
      "reason code in words, its CM node and switch port, the incident it dropped in, its "
      "timeline\n\nExamples:\n"
      "  regwatch explain SEP0017943A98BA\n"
      "  regwatch explain SEP0017943A98BA --at 2026-11-20T09:15:00Z\n"
      "  regwatch explain SEP0017943A98BA --format json\n");
  explain->add_option("DEVICE", explain_device, "device name, e.g. SEP0017943A98BA")->required();
  explain->add_option("--at", explain_at,
                      "as it was at this time (RFC 3339, or 2h / 7d ago); default now");
  std::string top_since = "7d", top_until;
  uint32_t top_limit = 10;
  auto* top = app.add_subcommand(
      "top",
      "chronic offenders: the phones, access ports and switches that dropped most, and the "
      "reason mix (one drop seen by several inputs counts once)\n\nExamples:\n"
      "  regwatch top\n"
      "  regwatch top --since 30d --limit 25\n"
      "  regwatch top --since 2026-11-01T00:00:00Z --until 2026-11-08T00:00:00Z --format json\n");
  top->add_option("--since", top_since, "drops at or after (RFC 3339, or 7d / 24h ago)")
      ->capture_default_str();
  top->add_option("--until", top_until, "drops before");
  top->add_option("--limit", top_limit, "entries per list")->capture_default_str();
  bool alerts_all = false;
  std::string alerts_since = "24h";
  auto* alerts = app.add_subcommand(
      "alerts",
      "the condition alerts firing now: heartbeat low, CM CPU pegged, CM down, phones stuck "
      "failing registration, registered count dropped, agents or devices gone silent "
      "(bursts are incidents: regwatch incidents)\n\nExamples:\n"
      "  regwatch alerts\n"
      "  regwatch alerts --all --since 7d --format json\n");
  alerts->add_flag("--all", alerts_all, "resolved ones too (those that ended since --since)");
  alerts
      ->add_option("--since", alerts_since, "with --all: ended at or after (RFC 3339, or 24h ago)")
      ->capture_default_str();
  auto* silence = app.add_subcommand(
      "silence",
      "keep alerts from being sent while you work: silences match alert labels (alertname, "
      "severity, class, scope_type, scope, cause, cm_node, switch, cluster, incident, condition, "
      "agent, source, plus the collector's external_labels) as Alertmanager's do\n\n"
      "Examples:\n" +
          std::string(kSilenceAddExamples) +
          "  regwatch silence list\n"
          "  regwatch silence expire 3f2a9c0d1e4b5a67\n");
  silence->require_subcommand(1);
  std::vector<std::string> silence_matchers;
  std::string silence_for, silence_starts, silence_until, silence_comment, silence_author;
  if (const char* user = std::getenv("USER")) silence_author = user;
  auto* silence_add = silence->add_subcommand(
      "add",
      "create a silence: alerts that every --match matches are not sent\n\n"
      "Matchers are Alertmanager's: LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX, LABEL!~REGEX, the "
      "value in double quotes or not; a regex is RE2 and matches the whole value "
      "(^(?:REGEX)$); an alert without the label has the empty value (cm_node=\"\" matches "
      "alerts without one). At least one matcher must not match the empty value.\n\n"
      "Examples:\n" +
          std::string(kSilenceAddExamples));
  silence_add
      ->add_option("--match", silence_matchers,
                   "LABEL=VALUE, LABEL!=VALUE, LABEL=~\"REGEX\" or LABEL!~\"REGEX\" (repeatable)")
      ->required();
  silence_add->add_option("--for", silence_for, "how long from its start: 90s, 30m, 2h, 7d");
  silence_add->add_option("--until", silence_until,
                          "or its end: RFC 3339, a duration from now (30m, 2h, 7d) or now");
  silence_add->add_option("--starts", silence_starts,
                          "its start: RFC 3339 or a duration from now (1h); default now");
  silence_add->add_option("--comment", silence_comment, "why: maintenance window, change number")
      ->required();
  silence_add->add_option("--author", silence_author, "who (default $USER)")->capture_default_str();
  bool silence_all = false;
  auto* silence_list = silence->add_subcommand("list", "the silences that are active or pending");
  silence_list->add_flag("--all", silence_all, "expired ones too");
  std::string silence_id;
  auto* silence_expire = silence->add_subcommand("expire", "end a silence now");
  silence_expire->add_option("ID", silence_id, "the silence's id, as list prints it")->required();
  std::string incident_id;
  auto* incident = app.add_subcommand(
      "incident",
      "one incident for a postmortem: causes, affected phones, the evidence's timeline\n\n"
      "Formats: markdown (default; paste it into the postmortem), json, csv (the timeline).\n"
      "Examples:\n"
      "  regwatch incident 'cm_node:ucm-sub1@1795166060395000'\n"
      "  regwatch incident 'cm_node:ucm-sub1@1795166060395000' --format json\n");
  incident->add_option("ID", incident_id, "the incident's id, as regwatch incidents prints it")
      ->required();
  CLI11_PARSE(app, argc, argv);

  if (incident->parsed() && (format_text == "table" || format_text == "markdown"))
    format_text = "markdown";
  auto format = format_text == "markdown" ? std::optional<cli::Format>(cli::Format::kTable)
                                          : cli::parse_format(format_text);
  if (!format) {
    std::cerr << "regwatch: --format must be table, json, jsonl or csv\n";
    return kExitUsage;
  }
  connection.timeout = std::chrono::seconds(timeout);
  auto client = cli::CollectorClient::connect(connection);
  if (!client.ok()) {
    std::cerr << "regwatch: " << client.error().message << "\n";
    return kExitUsage;
  }
  cli::CallError error;
  if (silence->parsed()) {
    const int64_t now = SystemClock::instance().now_us();
    v1::Silence made;
    if (silence_add->parsed()) {
      v1::Silence request;
      request.set_author(silence_author);
      request.set_comment(silence_comment);
      bool only_empty = true;  // Alertmanager refuses a silence of nothing but those
      for (const auto& text : silence_matchers) {
        auto m = alerts::LabelMatcher::parse(text);
        if (!m.ok()) return usage_error("--match: " + m.error().message);
        only_empty = only_empty && m->matches_empty();
        *request.add_label_matchers() = alerts::to_proto(*m);
      }
      if (only_empty)
        return usage_error(
            "--match: at least one matcher must not match the empty value (it "
            "would silence every alert without that label)");
      int64_t starts = now;
      if (!silence_starts.empty()) {
        auto t = parse_time_arg(silence_starts, now, TimeDirection::kFromNow);
        if (!t.ok()) return usage_error("--starts: " + t.error().message);
        starts = *t;
      }
      request.set_starts_us(starts);
      if (silence_for.empty() == silence_until.empty())
        return usage_error("give the silence either --for (2h) or --until (a time)");
      if (!silence_for.empty()) {
        auto d = parse_duration(silence_for);
        if (!d.ok()) return usage_error("--for: " + d.error().message);
        request.set_ends_us(starts + *d);
      } else {
        auto t = parse_time_arg(silence_until, now, TimeDirection::kFromNow);
        if (!t.ok()) return usage_error("--until: " + t.error().message);
        request.set_ends_us(*t);
      }
      if (request.ends_us() <= starts)
        return usage_error("the silence ends before it starts (--starts " +
                           format_rfc3339_ms(starts) + ", ends " +
                           format_rfc3339_ms(request.ends_us()) + ")");
      if (!(*client)->create_silence(request, made, error)) return fail(error);
    } else if (silence_expire->parsed()) {
      if (!(*client)->expire_silence(silence_id, made, error)) return fail(error);
    } else {
      v1::SilenceQuery q;
      q.set_include_expired(silence_all);
      v1::SilenceList list;
      if (!(*client)->silences(q, list, error)) return fail(error);
      cli::write_silences(std::cout, list, *format, now);
      return 0;
    }
    v1::SilenceList one;
    *one.add_silences() = made;
    cli::write_silences(std::cout, one, *format, SystemClock::instance().now_us());
    return 0;
  }
  if (alerts->parsed()) {
    v1::AlertQuery q;
    q.set_resolved_too(alerts_all);
    auto since = parse_time_arg(alerts_since, SystemClock::instance().now_us());
    if (!since.ok()) {
      std::cerr << "regwatch: --since: " << since.error().message << "\n";
      return kExitUsage;
    }
    q.set_since_us(*since);
    v1::AlertList list;
    if (!(*client)->alerts(q, list, error)) return fail(error);
    cli::write_alerts(std::cout, list, *format);
    if (list.truncated()) std::cerr << "regwatch: showing the first " << list.alerts_size() << "\n";
    return 0;
  }
  if (top->parsed()) {
    v1::TopQuery q;
    if (!set_time_bounds(q, top_since, top_until)) return kExitUsage;
    q.set_limit(top_limit);
    v1::TopReply reply;
    if (!(*client)->top(q, reply, error)) return fail(error);
    cli::write_top(std::cout, reply, *format);
    return 0;
  }
  if (explain->parsed()) {
    int64_t at = SystemClock::instance().now_us();
    if (!explain_at.empty()) {
      auto parsed = parse_time_arg(explain_at, at);
      if (!parsed.ok()) {
        std::cerr << "regwatch: --at: " << parsed.error().message << "\n";
        return kExitUsage;
      }
      at = *parsed;
    }
    bool known = false;
    if (!cli::run_explain(**client, explain_device, at, *format, std::cout, known, error))
      return fail(error);
    return known ? 0 : kExitFailed;  // nothing stored about it: scripts can tell
  }
  if (incident->parsed()) {
    v1::IncidentQuery q;
    q.set_id(incident_id);
    q.set_limit(1);
    v1::IncidentList found;
    if (!(*client)->incidents(q, found, error)) return fail(error);
    if (found.incidents().empty()) {
      std::cerr << "regwatch: no incident '" << incident_id
                << "' (regwatch incidents lists them)\n";
      return kExitFailed;
    }
    const v1::Incident& doc = found.incidents(0);
    if (doc.id() != incident_id)
      std::cerr << "regwatch: incident '" << incident_id << "' is now '" << doc.id()
                << "' (later events moved its start or scope)\n";
    v1::EventQuery evidence;
    std::set<int64_t> ids;
    for (const auto& c : doc.causes()) ids.insert(c.evidence().begin(), c.evidence().end());
    ids.insert(doc.drop_evidence().begin(), doc.drop_evidence().end());
    for (int64_t id : ids) {
      if (evidence.ids_size() == 1000) break;  // the server's bound; the incident lists them all
      evidence.add_ids(id);
    }
    evidence.set_oldest_first(true);
    evidence.set_limit(1000);
    v1::EventList evidence_events;
    if (!ids.empty() && !(*client)->events(evidence, evidence_events, error)) return fail(error);
    if (format_text == "markdown") {
      cli::write_incident_markdown(std::cout, doc, found, evidence_events);
    } else if (*format == cli::Format::kCsv) {
      cli::write_events(std::cout, evidence_events, *format);
    } else {
      cli::write_incident_json(std::cout, doc, found, evidence_events);
    }
    return 0;
  }
  if (incidents->parsed()) {
    v1::IncidentQuery q;
    if (!set_time_bounds(q, incidents_since, incidents_until)) return kExitUsage;
    q.set_state(incidents_state);
    q.set_cause(incidents_cause);
    q.set_scope(incidents_scope);
    q.set_limit(incidents_limit);
    v1::IncidentList list;
    if (!(*client)->incidents(q, list, error)) return fail(error);
    cli::write_incidents(std::cout, list, *format);
    if (list.truncated())
      std::cerr << "regwatch: showing the first " << list.incidents_size() << " (--limit)\n";
    return 0;
  }
  if (status->parsed()) {
    v1::StatusReply reply;
    if (!(*client)->status(reply, error)) return fail(error);
    cli::write_status(std::cout, reply, *format);
    return 0;
  }
  if (where->parsed()) {
    v1::EventQuery q;
    q.set_device(where_device);
    q.add_kinds("topology");
    q.set_limit(1);
    if (!where_at.empty()) {
      auto at = parse_time_arg(where_at, SystemClock::instance().now_us());
      if (!at.ok()) {
        std::cerr << "regwatch: --at: " << at.error().message << "\n";
        return kExitUsage;
      }
      q.set_until_us(*at + 1);
    }
    v1::EventList found;
    if (!(*client)->events(q, found, error)) return fail(error);
    if (*format != cli::Format::kTable) {
      cli::write_events(std::cout, found, *format);
      return 0;
    }
    if (found.events().empty()) {
      std::cout << where_device << ": no CDP sighting "
                << (where_at.empty() ? "yet" : "before " + where_at)
                << " (is its access switch polled with role: switch?)\n";
      return 0;
    }
    const auto& t = found.events(0).event().topology();
    const std::string since = format_rfc3339_ms(found.events(0).event().event_time_us());
    if (t.removed()) {
      std::cout << where_device << " left " << t.switch_name() << " port " << t.port() << " at "
                << since << "\n";
    } else {
      std::cout << where_device << " on switch " << t.switch_name() << " port " << t.port();
      if (t.module() > 0) std::cout << " (module/stack member " << t.module() << ")";
      std::cout << ", voice VLAN " << t.voice_vlan() << ", IP " << t.address() << ", since "
                << since << "\n";
    }
    return 0;
  }
  v1::EventQuery query;
  std::string problem;
  Filters& filters = events->parsed() ? event_filters : timeline_filters;
  if (!build_query(filters, query, problem)) {
    std::cerr << "regwatch: " << problem << "\n";
    return kExitUsage;
  }
  if (timeline->parsed()) {
    query.set_device(timeline_device);
    query.set_oldest_first(true);
  }
  v1::EventList list;
  if (!(*client)->events(query, list, error)) return fail(error);
  cli::write_events(std::cout, list, *format);
  if (list.truncated()) {
    std::cerr << "regwatch: showing the first " << list.events_size()
              << " matches; there are more (--limit)\n";
  }
  return 0;
}
