#include "agent/spool/segment_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>

namespace regwatch::agent::spool {
namespace fs = std::filesystem;

fs::path segment_path(const fs::path& dir, uint64_t first_seq) {
  char name[64];
  std::snprintf(name, sizeof name, "segment-%020" PRIu64 ".log", first_seq);
  return dir / name;
}

bool write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string read_at(const fs::path& path, uint64_t offset, size_t size) {
  std::string buffer;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return buffer;
  buffer.resize(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t n =
        ::pread(fd, buffer.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  buffer.resize(done);
  return buffer;
}

}  // namespace regwatch::agent::spool
