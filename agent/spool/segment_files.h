// The spool's file primitives: segment names, whole writes and positioned reads. Shared by
// the spool's append/read path (spool.cpp) and its recovery (spool_recovery.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace regwatch::agent::spool {

// The file that holds the records from `first_seq` on: segment-<20 digits>.log.
std::filesystem::path segment_path(const std::filesystem::path& dir, uint64_t first_seq);

// Writes all of `bytes` to `fd`, retrying on EINTR; false on any other error (errno is set).
bool write_all(int fd, const std::string& bytes);

// Reads up to `size` bytes at `offset`; short only at end of file or on error.
std::string read_at(const std::filesystem::path& path, uint64_t offset, size_t size);

}  // namespace regwatch::agent::spool
