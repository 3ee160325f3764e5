#pragma once
// Silences (Query.Silences, CreateSilence, ExpireSilence) as JSON: what `regwatch silence list /
// add / expire --format json` print and the HTTP API answers with, in Alertmanager's API shape
// with regwatch's operator for its two flags. Pure: a silence's state depends on the time, so the
// caller passes "now".
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::reports {

// "active", "pending" (starts after now_us) or "expired" (ended at or before now_us).
std::string silence_state(const v1::Silence& silence, int64_t now_us);

// {id, state, matchers [{name, type ("=", "!=", "=~", "!~"), value}], starts, ends, author,
// comment, created}. The matchers are its label_matchers, then its legacy equality map (older
// CLIs sent that), as stored: the collector validated them when the silence was created.
nlohmann::ordered_json silence_json(const v1::Silence& silence, int64_t now_us);

// The array of silence_json, in the list's order (newest first).
nlohmann::ordered_json silences_json(const v1::SilenceList& list, int64_t now_us);

}  // namespace regwatch::reports
