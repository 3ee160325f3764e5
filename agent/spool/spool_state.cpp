#include "agent/spool/spool_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

namespace regwatch::agent::spool {

Result<SpoolState> load_state(const std::filesystem::path& file) {
  SpoolState state;
  std::ifstream in(file);
  if (!in) return state;
  std::map<std::string, uint64_t> values;
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) values[key] = value;
  if (!in.eof() || !values.count("acked_seq") || !values.count("last_seq")) {
    return make_error("spool_state", "spool state file " + file.string() +
                                         " is damaged; move it away to start the spool afresh");
  }
  state.acked_seq = values["acked_seq"];
  state.last_seq = values["last_seq"];
  state.dropped_total = values["dropped_total"];
  state.dropped_reported = values["dropped_reported"];
  return state;
}

Status save_state(const std::filesystem::path& file, const SpoolState& state) {
  const std::string tmp = file.string() + ".tmp";
  const std::string text = "acked_seq " + std::to_string(state.acked_seq) + "\nlast_seq " +
                           std::to_string(state.last_seq) + "\ndropped_total " +
                           std::to_string(state.dropped_total) + "\ndropped_reported " +
                           std::to_string(state.dropped_reported) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error("spool_state", "cannot write " + tmp);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::fdatasync(fd);
  ::close(fd);
  if (!written || std::rename(tmp.c_str(), file.c_str()) != 0) {
    return make_error("spool_state", "cannot replace " + file.string());
  }
  return Ok{};
}

}  // namespace regwatch::agent::spool
