#include "agent/app/origin_senders.h"

#include <algorithm>

#include "common/event_kind.h"
#include "common/host_name.h"

namespace regwatch::agent {

OriginSenders::OriginSenders(const std::vector<OriginSenderConfig>& entries)
    : allowed_(build(entries)) {}

std::shared_ptr<const OriginSenders::AllowedSenders> OriginSenders::build(
    const std::vector<OriginSenderConfig>& entries) {
  auto allowed = std::make_shared<AllowedSenders>();
  for (const auto& entry : entries) {
    auto& prefixes = (*allowed)[short_host(entry.origin)];
    for (const auto& text : entry.from) {
      if (auto prefix = NetPrefix::parse(text); prefix.ok()) prefixes.push_back(*prefix);
    }
  }
  return allowed;
}

void OriginSenders::replace(const std::vector<OriginSenderConfig>& entries) {
  auto next = build(entries);
  std::lock_guard lock(mutex_);
  allowed_ = std::move(next);
}

std::shared_ptr<const OriginSenders::AllowedSenders> OriginSenders::allowed() const {
  std::lock_guard lock(mutex_);
  return allowed_;
}

bool OriginSenders::check(regwatch::v1::Event& event) {
  const std::string& sender = event.provenance().sender_address();
  if (sender.empty()) return false;
  const auto allowed = this->allowed();
  if (allowed->empty()) return false;
  const auto listed = allowed->find(short_host(event.origin()));
  if (listed == allowed->end()) return false;
  const auto& prefixes = listed->second;
  if (std::any_of(prefixes.begin(), prefixes.end(),
                  [&](const NetPrefix& p) { return p.contains(sender); })) {
    return false;
  }
  event.mutable_provenance()->set_spoofed(true);
  const uint64_t total = spoofed_.fetch_add(1, std::memory_order_relaxed) + 1;
  uint64_t suppressed = 0;
  if (warnings_.allow(suppressed)) {
    component_logger("agent.senders")
        ->warn(
            "{} from {} claims origin {}, which only its listed senders may speak for: kept, "
            "flagged spoofed, never paged ({} spoofed so far{})",
            kind_name(event.kind()), sender, event.origin(), total,
            suppressed ? ", " + std::to_string(suppressed) + " warnings suppressed" : "");
  }
  return true;
}

}  // namespace regwatch::agent
