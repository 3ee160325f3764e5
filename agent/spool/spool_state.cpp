#include "agent/spool/spool_state.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace regwatch::agent::spool {
namespace {

constexpr size_t kIncarnationBytes = 16;

bool parse_u64(const std::string& text, uint64_t& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<SpoolState> load_state(const std::filesystem::path& file) {
  SpoolState state;
  std::ifstream in(file);
  if (!in) return state;
  const auto damaged = [&] {
    return make_error("spool_state", "spool state file " + file.string() +
                                         " is damaged; move it away to start the spool afresh");
  };
  // One "key value" per line: counters in decimal, the incarnation as text.
  std::map<std::string, uint64_t> counters;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string key, value, extra;
    if (!(fields >> key >> value) || (fields >> extra)) return damaged();
    if (key == "incarnation") {
      state.incarnation = value;
    } else if (uint64_t number = 0; parse_u64(value, number)) {
      counters[key] = number;
    } else {
      return damaged();
    }
  }
  if (in.bad() || !counters.count("acked_seq") || !counters.count("last_seq")) return damaged();
  state.acked_seq = counters["acked_seq"];
  state.last_seq = counters["last_seq"];
  state.dropped_total = counters["dropped_total"];
  state.dropped_reported = counters["dropped_reported"];
  return state;
}

Status save_state(const std::filesystem::path& file, const SpoolState& state) {
  const std::string tmp = file.string() + ".tmp";
  std::string text = "acked_seq " + std::to_string(state.acked_seq) + "\nlast_seq " +
                     std::to_string(state.last_seq) + "\ndropped_total " +
                     std::to_string(state.dropped_total) + "\ndropped_reported " +
                     std::to_string(state.dropped_reported) + "\n";
  // A spool from before incarnations stays one: writing none keeps its old rule.
  if (!state.incarnation.empty()) text += "incarnation " + state.incarnation + "\n";
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

Result<std::string> new_incarnation() {
  std::array<unsigned char, kIncarnationBytes> bytes{};
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + done, bytes.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return make_error("spool_incarnation",
                        "cannot read random bytes for the spool's incarnation");
    done += static_cast<size_t>(n);
  }
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const unsigned char b : bytes) {
    constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  return hex;
}

}  // namespace regwatch::agent::spool
