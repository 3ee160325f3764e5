#include "alerts/notifiers/receiver_checks.h"

namespace regwatch::alerts {

// http(s)://HOST[:PORT][/...]: a scheme, then a host.
bool url_with(const std::string& url, std::initializer_list<const char*> schemes) {
  for (const char* scheme : schemes) {
    const std::string prefix = std::string(scheme) + "://";
    if (url.rfind(prefix, 0) != 0) continue;
    const std::string rest = url.substr(prefix.size());
    const std::string host = rest.substr(0, rest.find_first_of("/?#"));
    return !host.empty() && host.front() != ':' && host.find(' ') == std::string::npos &&
           rest.find_first_of(" \t") == std::string::npos;
  }
  return false;
}

void check_http_url(const ReceiverConfig& r, const std::string& at, config::ConfigErrors& errors) {
  if (!url_with(r.url, {"http", "https"}))
    errors.add_at(at, "url must be http://HOST[:PORT]/... or https://..., not '" + r.url + "'",
                  at + ".url");
}

}  // namespace regwatch::alerts
