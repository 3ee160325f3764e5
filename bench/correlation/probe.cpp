#include "bench/correlation/probe.h"

#include <malloc.h>
#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace regwatch::bench::correlation {
namespace fs = std::filesystem;

double heap_in_use_mib() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<double>(info.uordblks + info.hblkhd) / 1048576.0;
}
long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}
double mib(long kib) {
  return static_cast<double>(kib) / 1024.0;
}

std::set<int> task_ids() {
  std::set<int> out;
  for (const auto& entry : fs::directory_iterator("/proc/self/task")) {
    out.insert(std::atoi(entry.path().filename().c_str()));
  }
  return out;
}

ThreadSample sample_thread(int tid) {
  ThreadSample s;
  if (tid <= 0) return s;
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return s;
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  std::vector<std::string> f;
  while (fields >> field) f.push_back(field);
  if (f.size() < 13) return s;
  s.state = f[0][0];
  s.ticks = std::atol(f[11].c_str()) + std::atol(f[12].c_str());
  return s;
}

}  // namespace regwatch::bench::correlation
