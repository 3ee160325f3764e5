#pragma once
// The silences alerting reads before it queues or sends a page. alerts/ declares it; the
// collector's store implements it (collector/store/silence_store.h, SQLite,
// schema/004_silences.sql), where the query service also creates and expires them.
//
// Threads: one implementation object per thread. A store that cannot be read returns an
// error; the dispatcher then treats the alert as not silenced (a broken silence table must not
// stop pages).
#include <cstdint>
#include <vector>

#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::alerts {

class SilenceSource {
 public:
  virtual ~SilenceSource() = default;
  // Newest first; expired ones (ended before now_us) only when asked. Every silence carries
  // all its matchers in label_matchers.
  virtual Result<std::vector<regwatch::v1::Silence>> list(bool include_expired, int64_t now_us) = 0;
};

}  // namespace regwatch::alerts
