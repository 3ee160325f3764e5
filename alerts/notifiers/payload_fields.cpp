#include "alerts/notifiers/payload_fields.h"

#include <cctype>

#include <cstdio>
#include <vector>

#include "common/time_format.h"

namespace regwatch::alerts {

Json object_of(const std::map<std::string, std::string>& map) {
  Json j = Json::object();
  for (const auto& [k, v] : map) j[k] = v;
  return j;
}

std::string rfc3339(int64_t us) {
  return format_rfc3339_ms(us);
}

Json ids(const google::protobuf::RepeatedField<int64_t>& field) {
  return std::vector<int64_t>(field.begin(), field.end());
}

std::string label(const Alert& a, const char* name) {
  const auto it = a.labels.find(name);
  return it == a.labels.end() ? std::string() : it->second;
}

std::string annotation(const Alert& a, const char* name) {
  const auto it = a.annotations.find(name);
  return it == a.annotations.end() ? std::string() : it->second;
}

std::string fingerprint(const Alert& alert) {
  uint64_t h = 1469598103934665603ULL;
  for (const auto& [k, v] : alert.labels) {
    std::string pair = k;
    pair.append("=").append(v).append(";");
    for (char c : pair) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

std::string alert_page_url(const std::string& external_url, const Alert& alert) {
  if (external_url.empty()) return {};
  std::string url = external_url;
  if (url.back() != '/') url += '/';
  if (alert.kind != "incident") return url + "#/";
  // An id is cm_node:ucm-sub1@1795166060395000: escape all but the unreserved characters.
  static constexpr char kHex[] = "0123456789ABCDEF";
  url += "#/incident/";
  for (const unsigned char c : alert.key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      url += static_cast<char>(c);
    } else {
      url += '%';
      url += kHex[c >> 4];
      url += kHex[c & 15];
    }
  }
  return url;
}

}  // namespace regwatch::alerts
