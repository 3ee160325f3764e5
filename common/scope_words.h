#pragma once
// An incident's also_scopes in words, read from its rendered JSON: "also all of subnet
// 10.88.3.0/24, vlan 110", as common/record_json.h says them of the record (`regwatch incident`,
// the pages). `regwatch explain` still reads incidents as JSON (it moves to the collector next).
// Which scopes those are is decided once, in collector/correlate/scope_choice.h; this only says
// them. Header-only and generic over the JSON type so that common/ need not link a JSON library;
// a missing or malformed field says nothing rather than failing.
#include <string>

namespace regwatch {

template <typename Json>
std::string also_scopes_words(const Json& incident) {
  if (!incident.is_object() || !incident.contains("also_scopes")) return {};
  const Json& also = incident["also_scopes"];
  if (!also.is_array()) return {};
  std::string out;
  for (const auto& s : also) {
    if (!s.is_object() || !s.contains("type") || !s.contains("name") || !s["type"].is_string() ||
        !s["name"].is_string())
      continue;
    out += out.empty() ? "also all of " : ", ";
    out += s["type"].template get<std::string>() + " " + s["name"].template get<std::string>();
  }
  return out;
}

}  // namespace regwatch
