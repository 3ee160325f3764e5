#include "common/reports/top_report.h"

#include <utility>

#include "common/time_format.h"

namespace regwatch::reports {
namespace {

using Offenders = google::protobuf::RepeatedPtrField<v1::Offender>;
using ReasonCounts = google::protobuf::RepeatedPtrField<v1::ReasonCount>;

nlohmann::ordered_json reasons_json(const ReasonCounts& list) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& r : list) {
    // A negative code is a drop seen on the wire without a reason code.
    out.push_back({{"code", r.code() < 0 ? nlohmann::ordered_json(nullptr)
                                         : nlohmann::ordered_json(r.code())},
                   {"name", r.name()},
                   {"drops", r.drops()}});
  }
  return out;
}

// where_key names what Offender.where is for this list (nullptr: the list has none).
nlohmann::ordered_json offenders_json(const Offenders& list, const char* where_key) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& o : list) {
    nlohmann::ordered_json j{{"name", o.name()},
                             {"drops", o.drops()},
                             {"phones", o.phones()},
                             {"last_drop", format_rfc3339_ms(o.last_drop_us())}};
    if (where_key) j[where_key] = o.where();
    j["reasons"] = reasons_json(o.reasons());
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

nlohmann::ordered_json top_json(const v1::TopReply& top) {
  nlohmann::ordered_json j;
  j["drops"] = top.drops();
  j["phones_dropped"] = top.phones_dropped();
  j["drops_without_port"] = top.drops_without_port();
  j["truncated"] = top.truncated();
  j["reasons"] = reasons_json(top.reasons());
  j["phones"] = offenders_json(top.phones(), "port");
  j["ports"] = offenders_json(top.ports(), "switch");
  j["switches"] = offenders_json(top.switches(), nullptr);
  return j;
}

}  // namespace regwatch::reports
