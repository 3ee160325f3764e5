#pragma once
// Sends one notification over the wire with libcurl: an HTTP POST of JSON, or
// a mail over SMTP. Blocking, bounded by timeout_s; thread-safe (one curl
// handle per call). Errors say what the receiver answered.
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace regwatch::alerts {

// Accepted when the receiver answers 2xx. ca_file: trust this CA for https (empty: the system's).
Status post_json(const std::string& url, const std::string& body, uint32_t timeout_s,
                 const std::string& ca_file = "");

struct MailEnvelope {
  std::string smtp_url;  // smtp://host:port or smtps://host:port
  bool starttls = true;  // on smtp://: require STARTTLS before anything is sent
  std::string username;
  std::string password;
  std::string from;
  std::vector<std::string> to;
  std::string ca_file;  // trust this CA for smtps / STARTTLS (empty: the system's)
};
Status send_mail(const MailEnvelope& envelope, const std::string& message, uint32_t timeout_s);

// A secret's environment variable (routing_key_env, password_env), read at each send so that
// one set after start-up is used; "" when the name is empty or the variable unset.
std::string env_or_empty(const std::string& name);

}  // namespace regwatch::alerts
