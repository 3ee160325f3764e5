// The open-addressing flow table against std::map as the reference, through
// growth and many deletions (backward shift must keep every probe run whole).
#include "agent/capture/flow_table.h"
#include "agent/sccp/phone_tracker.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace regwatch::agent::sccp {
namespace {

ConnectionKey key_of(uint32_t n) {
  ConnectionKey k;
  k.phone_ip.bytes[12] = 10;
  k.phone_ip.bytes[13] = static_cast<uint8_t>(n >> 16);
  k.phone_ip.bytes[14] = static_cast<uint8_t>(n >> 8);
  k.phone_ip.bytes[15] = static_cast<uint8_t>(n);
  k.cm_ip.bytes[15] = static_cast<uint8_t>(1 + n % 4);
  k.phone_port = static_cast<uint16_t>(20000 + n % 7);
  k.cm_port = 2000;
  return k;
}

TEST(FlowTable, AgreesWithAMapThroughInsertsAndErases) {
  FlowTable table;
  // The table keeps only tags; the keys are ours, found from the value (n * 3).
  auto key_of_value = [](uint32_t value) { return key_of(value / 3); };
  std::map<uint32_t, uint32_t> reference;
  std::mt19937 random(42);
  for (int step = 0; step < 200'000; ++step) {
    const uint32_t n = random() % 20'000;
    if (reference.count(n)) {
      if (random() % 2) {
        table.erase(key_of(n), key_of_value);
        reference.erase(n);
      }
    } else {
      table.insert(key_of(n), n * 3);
      reference[n] = n * 3;
    }
  }
  EXPECT_EQ(table.size(), reference.size());
  for (uint32_t n = 0; n < 20'000; ++n) {
    const auto it = reference.find(n);
    EXPECT_EQ(table.find(key_of(n), key_of_value),
              it == reference.end() ? FlowTable::kAbsent : it->second)
        << n;
  }
  table.erase(key_of(999'999), key_of_value);  // absent: no effect
  EXPECT_EQ(table.size(), reference.size());
}

}  // namespace
}  // namespace regwatch::agent::sccp
