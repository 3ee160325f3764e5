#pragma once
// A replay reads each archive more than once: for its identity (the content's digest,
// replay_identity.h), for the year pre-scan of syslog lines without one, and to parse it.
// An input that is a stream (a pipe, `<(zcat archive.gz)`, a FIFO) can be read once only:
// it used to give 0 lines and exit 0. Such an input is first copied, once and in bounded
// memory, to a regular file in a directory of the replay's own, which is removed with it.
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace regwatch::agent {

class ReplayInputs {
 public:
  // The inputs as given, with every one that is not a regular file replaced by its copy in
  // `scratch_dir` (created when needed). An input that cannot be read is an error.
  static Result<ReplayInputs> prepare(const std::vector<std::string>& inputs,
                                      const std::filesystem::path& scratch_dir);
  ReplayInputs(ReplayInputs&& other) noexcept;
  ReplayInputs& operator=(ReplayInputs&&) = delete;
  ReplayInputs(const ReplayInputs&) = delete;
  ReplayInputs& operator=(const ReplayInputs&) = delete;
  ~ReplayInputs();  // removes the copies

  // The paths to read, in the order given.
  const std::vector<std::string>& paths() const { return paths_; }
  // How many inputs were streams, copied.
  size_t copied() const { return copied_; }

 private:
  ReplayInputs() = default;
  std::vector<std::string> paths_;
  std::filesystem::path scratch_dir_;  // empty when nothing was copied
  size_t copied_ = 0;
};

}  // namespace regwatch::agent
