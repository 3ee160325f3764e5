#pragma once
// Checks that several receiver types share (alerts/notifiers/<type>/ call them from their own
// check), so each message is written once.
#include <initializer_list>
#include <string>

#include "alerts/alerting_config.h"
#include "common/yaml_config.h"

namespace regwatch::alerts {

// SCHEME://HOST[:PORT][/...] for one of the schemes: a scheme, then a host, no blanks.
bool url_with(const std::string& url, std::initializer_list<const char*> schemes);

// The receiver's `url` is http(s)://HOST[:PORT]/...; else an error at at.url.
void check_http_url(const ReceiverConfig& receiver, const std::string& at,
                    config::ConfigErrors& errors);

}  // namespace regwatch::alerts
