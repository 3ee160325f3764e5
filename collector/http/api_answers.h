#pragma once
// The JSON API's answers (docs/http-api.md): each endpoint reads its parameters
// (request_params.h), asks QueryService the same question the CLI asks over gRPC, and renders
// the reply with the CLI's own JSON (common/reports/), so both say the same thing. Knows
// nothing of HTTP's wire: http_server.cpp routes requests here and checks access first.
// Thread-safe (QueryService is).
#include <string>
#include <string_view>

#include "collector/http/request_params.h"
#include "collector/query/query_service.h"
#include "common/clock.h"
#include "common/result.h"

namespace regwatch::collector::http {

struct ApiAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// {"error": message} with the status the error's code calls for: bad_query / unknown_kind 400,
// unauthenticated 401, permission_denied 403, not_found 404, busy 429, anything else 500.
ApiAnswer error_answer(const Error& error);
ApiAnswer error_answer(int status, const std::string& message);

class ApiAnswers {
 public:
  ApiAnswers(query::QueryService& queries, const Clock& clock) : queries_(queries), clock_(clock) {}

  ApiAnswer incidents(const Params& params);
  // ?format=markdown: the markdown report `regwatch incident` prints.
  ApiAnswer incident(std::string_view id, const Params& params);
  ApiAnswer events(const Params& params);
  ApiAnswer phone(std::string_view device, const Params& params);
  ApiAnswer top(const Params& params);
  ApiAnswer alerts(const Params& params);
  ApiAnswer silences(const Params& params);
  ApiAnswer create_silence(std::string_view body, const std::string& identity);
  ApiAnswer expire_silence(std::string_view id, const std::string& identity);
  ApiAnswer status(const Params& params);

 private:
  query::QueryService& queries_;
  const Clock& clock_;
};

}  // namespace regwatch::collector::http
