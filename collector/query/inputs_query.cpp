#include "collector/query/inputs_query.h"

namespace regwatch::collector::query {

void mark_silent(regwatch::v1::InputList& list, uint32_t silent_after_s, int64_t now_us) {
  const uint32_t after_s = silent_after_s == 0 ? kDefaultSilentAfterS : silent_after_s;
  list.set_silent_after_s(after_s);
  // By store time: an input replaying old events is not silent, and one whose clock is off is
  // judged by when its events arrive.
  const int64_t quiet_since_us = now_us - int64_t{after_s} * 1'000'000;
  for (auto& input : *list.mutable_inputs())
    input.set_silent(input.last_store_time_us() < quiet_since_us);
}

Result<regwatch::v1::InputList> read_inputs(store::EventSource& reader,
                                            const regwatch::v1::InputsQuery& query,
                                            int64_t now_us) {
  auto list = reader.inputs(kMaxInputs);
  if (!list.ok()) return list;
  mark_silent(*list, query.silent_after_s(), now_us);
  return list;
}

}  // namespace regwatch::collector::query
