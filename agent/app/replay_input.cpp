#include "agent/app/replay_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace regwatch::agent {
namespace {

namespace fs = std::filesystem;

// Copies a stream to a new file, in 1 MiB chunks; the stream is read to its end once.
Status copy_stream(const std::string& from, const fs::path& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return make_error("replay_input", "cannot read " + from + ": " + std::strerror(errno));
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    const int saved = errno;
    ::close(in);
    return make_error("replay_input", "cannot make a copy of " + from + " at " + to.string() +
                                          ": " + std::strerror(saved));
  }
  std::array<char, 1 << 20> buffer{};
  Status status = Ok{};
  while (true) {
    const ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      status = make_error("replay_input", "reading " + from + ": " + std::strerror(errno));
      break;
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        status = make_error("replay_input", "writing the copy of " + from + " to " + to.string() +
                                                ": " + std::strerror(errno));
        break;
      }
      done += w;
    }
    if (!status.ok()) break;
  }
  ::close(in);
  if (::close(out) != 0 && status.ok())
    status =
        make_error("replay_input", "writing the copy of " + from + ": " + std::strerror(errno));
  return status;
}

}  // namespace

Result<ReplayInputs> ReplayInputs::prepare(const std::vector<std::string>& inputs,
                                           const fs::path& scratch_dir) {
  ReplayInputs prepared;
  for (const auto& given : inputs) {
    const std::string input = given == "-" ? "/dev/stdin" : given;  // the shell's way to say it
    std::error_code error;
    const auto status = fs::status(input, error);
    if (error) return make_error("replay_input", "cannot read " + input + ": " + error.message());
    if (fs::is_regular_file(status)) {
      prepared.paths_.push_back(input);
      continue;
    }
    if (prepared.scratch_dir_.empty()) {
      fs::create_directories(scratch_dir, error);
      if (error)
        return make_error("replay_input",
                          "cannot make " + scratch_dir.string() + ": " + error.message());
      prepared.scratch_dir_ = scratch_dir;
    }
    const fs::path copy = scratch_dir / ("input-" + std::to_string(prepared.paths_.size()));
    if (auto copied = copy_stream(input, copy); !copied.ok()) return copied.error();
    prepared.paths_.push_back(copy.string());
    ++prepared.copied_;
  }
  return prepared;
}

ReplayInputs::ReplayInputs(ReplayInputs&& other) noexcept
    : paths_(std::move(other.paths_)),
      scratch_dir_(std::move(other.scratch_dir_)),
      copied_(other.copied_) {
  other.scratch_dir_.clear();
}

ReplayInputs::~ReplayInputs() {
  if (scratch_dir_.empty()) return;
  std::error_code ignored;
  fs::remove_all(scratch_dir_, ignored);
}

}  // namespace regwatch::agent
