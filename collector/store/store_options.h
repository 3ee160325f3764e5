#pragma once
// What every store class shares: how a connection waits on a busy database, and the
// bounds of a query's answer. Plain constants and a plain struct, no SQL.
#include <cstddef>
#include <cstdint>

namespace regwatch::collector::store {

struct StoreOptions {
  int busy_timeout_ms = 5000;
};

inline constexpr uint32_t kDefaultQueryLimit = 1000;
// Agents send 32 hex digits (or "replay"); the bound keeps a key column small.
inline constexpr size_t kMaxSpoolIncarnationBytes = 64;
inline constexpr uint32_t kMaxQueryLimit = 100000;

}  // namespace regwatch::collector::store
