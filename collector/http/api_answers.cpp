#include "collector/http/api_answers.h"

#include <nlohmann/json.hpp>

#include "common/reports/alert_report.h"
#include "common/reports/event_report.h"
#include "common/reports/explain_report.h"
#include "common/reports/incident_report.h"
#include "common/reports/silence_report.h"
#include "common/reports/status_report.h"
#include "common/reports/top_report.h"

namespace regwatch::collector::http {
namespace {

ApiAnswer json_answer(const nlohmann::ordered_json& body, int status = 200) {
  ApiAnswer answer;
  answer.status = status;
  answer.body = body.dump();
  return answer;
}

// Renders a reply, or the error that came instead of it.
template <typename Reply, typename Render>
ApiAnswer render(const Result<Reply>& reply, Render render_json) {
  if (!reply.ok()) return error_answer(reply.error());
  return json_answer(render_json(*reply));
}

}  // namespace

ApiAnswer error_answer(int status, const std::string& message) {
  return json_answer(nlohmann::ordered_json{{"error", message}}, status);
}

ApiAnswer error_answer(const Error& error) {
  int status = 500;
  if (error.code == "bad_query" || error.code == "unknown_kind") status = 400;
  if (error.code == "unauthenticated") status = 401;
  if (error.code == "permission_denied") status = 403;
  if (error.code == "not_found") status = 404;
  if (error.code == "busy") status = 429;
  return error_answer(status, error.message);
}

ApiAnswer ApiAnswers::incidents(const Params& params) {
  auto query = incident_query(params, clock_.now_us());
  if (!query.ok()) return error_answer(query.error());
  return render(queries_.incidents(*query), [](const v1::IncidentList& list) {
    return nlohmann::ordered_json{{"incidents", reports::incidents_json(list)},
                                  {"truncated", list.truncated()}};
  });
}

ApiAnswer ApiAnswers::incident(std::string_view id, const Params& params) {
  auto format = incident_format(params);
  if (!format.ok()) return error_answer(format.error());
  v1::IncidentViewQuery query;
  query.set_id(std::string(id));
  auto view = queries_.incident_view(query);
  if (!view.ok()) return error_answer(view.error());
  if (*format == "markdown") {
    ApiAnswer answer;
    answer.content_type = "text/markdown; charset=utf-8";
    answer.body = reports::incident_markdown(*view);
    return answer;
  }
  return json_answer(reports::incident_view_json(*view));
}

ApiAnswer ApiAnswers::events(const Params& params) {
  auto query = event_query(params, clock_.now_us());
  if (!query.ok()) return error_answer(query.error());
  return render(queries_.events(*query), [](const v1::EventList& list) {
    return nlohmann::ordered_json{{"events", reports::events_json(list)},
                                  {"truncated", list.truncated()}};
  });
}

ApiAnswer ApiAnswers::phone(std::string_view device, const Params& params) {
  auto query = explain_query(device, params, clock_.now_us());
  if (!query.ok()) return error_answer(query.error());
  auto reply = queries_.explain(*query);
  if (reply.ok() && !reply->known())
    return error_answer(404, "nothing is stored about " + std::string(device));
  return render(reply, [](const v1::ExplainReply& r) { return reports::diagnosis_json(r); });
}

ApiAnswer ApiAnswers::top(const Params& params) {
  auto query = top_query(params, clock_.now_us());
  if (!query.ok()) return error_answer(query.error());
  return render(queries_.top(*query), [](const v1::TopReply& r) { return reports::top_json(r); });
}

ApiAnswer ApiAnswers::alerts(const Params& params) {
  auto query = alert_query(params, clock_.now_us());
  if (!query.ok()) return error_answer(query.error());
  return render(queries_.alerts(*query), [](const v1::AlertList& list) {
    return nlohmann::ordered_json{{"alerts", reports::alerts_json(list)},
                                  {"truncated", list.truncated()}};
  });
}

ApiAnswer ApiAnswers::silences(const Params& params) {
  auto query = silence_query(params);
  if (!query.ok()) return error_answer(query.error());
  return render(queries_.silences(*query), [this](const v1::SilenceList& list) {
    return nlohmann::ordered_json{{"silences", reports::silences_json(list, clock_.now_us())}};
  });
}

ApiAnswer ApiAnswers::create_silence(std::string_view body, const std::string& identity) {
  auto silence = silence_from_json(body, clock_.now_us());
  if (!silence.ok()) return error_answer(silence.error());
  // Without tokens (anonymous on loopback) the author is whoever the API says it is.
  if (identity.empty()) silence->set_author("http");
  auto made = queries_.create_silence(*silence, identity);
  if (!made.ok()) return error_answer(made.error());
  return json_answer(reports::silence_json(*made, clock_.now_us()), 201);
}

ApiAnswer ApiAnswers::expire_silence(std::string_view id, const std::string& identity) {
  v1::SilenceId which;
  which.set_id(std::string(id));
  return render(queries_.expire_silence(which, identity),
                [this](const v1::Silence& s) { return reports::silence_json(s, clock_.now_us()); });
}

ApiAnswer ApiAnswers::status(const Params& params) {
  if (!params.empty()) return error_answer(400, "status takes no parameters");
  return render(queries_.status(),
                [](const v1::StatusReply& r) { return reports::status_json(r); });
}

}  // namespace regwatch::collector::http
