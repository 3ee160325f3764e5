#pragma once
// CRC-32C (Castagnoli), software table: detects torn or corrupted spool records.
#include <cstddef>
#include <cstdint>

namespace regwatch::agent::spool {

uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);

}  // namespace regwatch::agent::spool
