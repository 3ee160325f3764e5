#pragma once
// How `regwatch explain` shows the collector's diagnosis of one phone (Query.Explain,
// collector/query/phone_diagnosis.h): text for people, JSON for scripts (rendered by
// common/reports/explain_report.h, as the HTTP API answers). Rendering only: what the phone's
// state, reason and next steps are is the collector's answer.
#include <ostream>

#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

void write_diagnosis_text(std::ostream& out, const regwatch::v1::ExplainReply& d);
void write_diagnosis_json(std::ostream& out, const regwatch::v1::ExplainReply& d);

}  // namespace regwatch::cli
