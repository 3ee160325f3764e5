#include "cli/explain_command.h"

#include "cli/explain_report.h"

namespace regwatch::cli {

bool run_explain(CollectorClient& client, const std::string& device, int64_t at_us, Format format,
                 std::ostream& out, bool& known, CallError& error) {
  v1::ExplainQuery query;
  query.set_device(device);
  query.set_at_us(at_us);
  v1::ExplainReply reply;
  if (!client.explain(query, reply, error)) return false;
  known = reply.known();
  switch (format) {
    case Format::kJson:
    case Format::kJsonl: write_diagnosis_json(out, reply); break;
    case Format::kCsv: write_events(out, reply.timeline(), Format::kCsv); break;
    case Format::kTable: write_diagnosis_text(out, reply); break;
  }
  return true;
}

}  // namespace regwatch::cli
