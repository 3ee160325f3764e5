#pragma once
// A CUCM reason code in the words `explain` shows it with: its name, Cisco's meaning and its
// class, from the unregistration table, or the registration-failure table when the phone was
// rejected (the two tables number differently: common/reason_class.h). One place for the
// diagnosis (phone_diagnosis.cpp) and the SIP panel (sip_registration.cpp). Pure.
#include <cstdint>
#include <string>

#include "common/domain_tables.h"
#include "common/reason_class.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

inline void set_cucm_reason(regwatch::v1::ExplainReason& reason, int32_t code, bool rejected) {
  reason.set_code(code);
  reason.set_name(std::string(rejected ? domain::registration_failure_reason_name(code)
                                       : domain::unregistration_reason_name(code)));
  reason.set_meaning(std::string(rejected ? domain::registration_failure_reason_meaning(code)
                                          : domain::unregistration_reason_meaning(code)));
  reason.set_reason_class(std::string(rejected ? domain::registration_failure_reason_class(code)
                                               : domain::unregistration_reason_class(code)));
}

}  // namespace regwatch::collector::query
