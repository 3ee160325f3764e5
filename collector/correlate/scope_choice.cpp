#include "collector/correlate/scope_choice.h"

#include <algorithm>
#include <tuple>

#include "collector/correlate/scope_table.h"
#include "common/host_name.h"

namespace regwatch::collector::correlate {

int scope_order(std::string_view type) {
  // ScopeType's order, by name: incidents carry their scope as text.
  const auto it = std::find(kScopeTypeNames.begin(), kScopeTypeNames.end(), type);
  return static_cast<int>(it - kScopeTypeNames.begin());
}

std::string module_scope_name(const std::string& switch_name, uint32_t module) {
  return short_host(switch_name) + "/" + std::to_string(module);
}

Scope choose_scope(const std::vector<Scope>& holding, const std::vector<Cause>& causes) {
  if (!causes.empty()) {
    // Only the top cause decides: a runner-up that happens to name another of the scopes would
    // report the incident where its best explanation is not.
    for (const Scope& s : causes.front().scopes) {
      if (std::find(holding.begin(), holding.end(), s) != holding.end()) return s;
    }
  }
  return *std::min_element(holding.begin(), holding.end(), [](const Scope& a, const Scope& b) {
    return std::tuple(scope_order(a.type), a.name) < std::tuple(scope_order(b.type), b.name);
  });
}

}  // namespace regwatch::collector::correlate
