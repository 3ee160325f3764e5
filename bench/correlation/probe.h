// Reading this process from outside its threads: heap in use, peak RSS, and a thread's state
// and CPU ticks from /proc (how the benchmark tells that the runner is idle).
#pragma once

#include <set>

namespace regwatch::bench::correlation {

// Heap in use now (RSS would not show memory reused from earlier phases).
double heap_in_use_mib();
long peak_rss_kib();
double mib(long kib);

// The ids of this process's threads.
std::set<int> task_ids();

struct ThreadSample {
  char state = '?';
  long ticks = -1;  // utime + stime
};
ThreadSample sample_thread(int tid);

}  // namespace regwatch::bench::correlation
