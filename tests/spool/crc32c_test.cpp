// crc32c: the spool records' checksum. The slicing-by-8 loop must give what
// the byte-at-a-time definition gives, for every length and alignment, or
// every existing spool would read back as corrupt.
#include "agent/spool/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace regwatch::agent::spool {
namespace {

uint32_t reference_crc32c(const unsigned char* bytes, size_t size, uint32_t crc) {
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) {
    crc ^= bytes[i];
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? 0x82F63B78u ^ (crc >> 1) : crc >> 1;
  }
  return ~crc;
}

TEST(Crc32c, KnownCheckValue) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32c(check.data(), check.size(), 0), 0xE3069283u);  // RFC 3720 / iSCSI check
  EXPECT_EQ(crc32c(nullptr, 0, 0), 0u);
}

TEST(Crc32c, SameAsTheBytewiseDefinitionForEveryLengthAndOffset) {
  std::mt19937 random(17);
  std::string data(600, '\0');
  for (auto& c : data) c = static_cast<char>(random());
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t size = 0; size + offset <= data.size(); size += (size < 40 ? 1 : 37)) {
      ASSERT_EQ(crc32c(bytes + offset, size, 0), reference_crc32c(bytes + offset, size, 0))
          << "offset " << offset << " size " << size;
    }
  }
  // Chained: crc of a whole equals crc of its halves fed one after the other.
  const uint32_t whole = crc32c(bytes, 500, 0);
  EXPECT_EQ(crc32c(bytes + 123, 377, crc32c(bytes, 123, 0)), whole);
}

}  // namespace
}  // namespace regwatch::agent::spool
