#pragma once
// The reload rule both daemons share (agent/app/agent_reload.h, collector/app/collector_reload.h):
// a key read only at start keeps its running value in the config a reload applies, and is named
// when the file changed it, so the operator is told to restart.
#include <string>
#include <vector>

namespace regwatch::config {

// Sets `effective` (the new config's value) back to `running` and appends `key` to `changed`
// when they differ.
template <typename T>
void keep_start_only(const char* key, const T& running, T& effective,
                     std::vector<std::string>& changed) {
  if (effective == running) return;
  changed.emplace_back(key);
  effective = running;
}

}  // namespace regwatch::config
