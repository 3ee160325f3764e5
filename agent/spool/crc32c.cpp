#include "agent/spool/crc32c.h"

#include <array>
#include <bit>
#include <cstring>

namespace regwatch::agent::spool {
namespace {

// Slicing-by-8 tables: kTables[0] is the classic byte table, kTables[k] advances
// a byte through k more zero bytes. Eight bytes per step instead of one: the
// byte-at-a-time loop was 17 % of the agent's CPU under a syslog flood (issue 17).
constexpr std::array<std::array<uint32_t, 256>, 8> make_tables() {
  std::array<std::array<uint32_t, 256>, 8> tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
    tables[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t t = 1; t < 8; ++t) {
      const uint32_t prev = tables[t - 1][i];
      tables[t][i] = tables[0][prev & 0xff] ^ (prev >> 8);
    }
  }
  return tables;
}
constexpr auto kTables = make_tables();

}  // namespace

uint32_t crc32c(const void* data, size_t size, uint32_t crc) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  crc = ~crc;
  // The 8-byte steps read little-endian words; elsewhere the byte loop does it all.
  if constexpr (std::endian::native == std::endian::little) {
    while (size >= 8) {
      uint64_t word = 0;
      std::memcpy(&word, bytes, sizeof(word));
      word ^= crc;
      crc = kTables[7][word & 0xff] ^ kTables[6][(word >> 8) & 0xff] ^
            kTables[5][(word >> 16) & 0xff] ^ kTables[4][(word >> 24) & 0xff] ^
            kTables[3][(word >> 32) & 0xff] ^ kTables[2][(word >> 40) & 0xff] ^
            kTables[1][(word >> 48) & 0xff] ^ kTables[0][word >> 56];
      bytes += 8;
      size -= 8;
    }
  }
  for (size_t i = 0; i < size; ++i) crc = kTables[0][(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace regwatch::agent::spool
