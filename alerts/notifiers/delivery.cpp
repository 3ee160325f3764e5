#include "alerts/notifiers/delivery.h"

#include <curl/curl.h>

#include <cstdlib>

#include <cstring>
#include <memory>
#include <mutex>

namespace regwatch::alerts {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

size_t keep_reply(char* data, size_t size, size_t count, void* user) {
  auto* reply = static_cast<std::string*>(user);
  if (reply->size() < 512) reply->append(data, std::min<size_t>(size * count, 512 - reply->size()));
  return size * count;
}

// Feeds the mail to curl's upload callback.
struct Upload {
  const std::string* message;
  size_t sent = 0;
};
size_t read_message(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, up->message->size() - up->sent);
  std::memcpy(buffer, up->message->data() + up->sent, n);
  up->sent += n;
  return n;
}

Slist append(Slist list, const std::string& line) {
  curl_slist* raw = curl_slist_append(list.get(), line.c_str());
  if (raw) {
    (void)list.release();
    return Slist(raw);
  }
  return list;
}

}  // namespace

Status post_json(const std::string& url, const std::string& body, uint32_t timeout_s,
                 const std::string& ca_file) {
  init_curl_once();
  CurlHandle curl(curl_easy_init());
  if (!curl) return make_error("delivery", "cannot initialise libcurl");
  Slist headers;
  headers = append(std::move(headers), "Content-Type: application/json");
  headers = append(std::move(headers), "User-Agent: regwatch");
  std::string reply;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(timeout_s));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, keep_reply);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  if (!ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_file.c_str());
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    return make_error("delivery", url + ": " + (error[0] ? error : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    return make_error("delivery", url + " answered HTTP " + std::to_string(status) + ": " + reply);
  }
  return Ok{};
}

Status send_mail(const MailEnvelope& envelope, const std::string& message, uint32_t timeout_s) {
  init_curl_once();
  CurlHandle curl(curl_easy_init());
  if (!curl) return make_error("delivery", "cannot initialise libcurl");
  Slist recipients;
  for (const auto& to : envelope.to) recipients = append(std::move(recipients), "<" + to + ">");
  const std::string from = "<" + envelope.from + ">";
  Upload upload{&message};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, envelope.smtp_url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE, static_cast<long>(message.size()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(timeout_s));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  if (!envelope.ca_file.empty())
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, envelope.ca_file.c_str());
  if (envelope.starttls && envelope.smtp_url.rfind("smtp://", 0) == 0)
    curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!envelope.username.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, envelope.username.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, envelope.password.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    return make_error("delivery",
                      envelope.smtp_url + ": " + (error[0] ? error : curl_easy_strerror(rc)));
  }
  return Ok{};
}

std::string env_or_empty(const std::string& name) {
  if (name.empty()) return {};
  const char* value = std::getenv(name.c_str());
  return value ? value : "";
}

}  // namespace regwatch::alerts
