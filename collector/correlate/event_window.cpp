#include "collector/correlate/event_window.h"

#include <algorithm>

#include "common/logging.h"

namespace regwatch::collector {
namespace {

// Loaded from this much before the first pass's context, and trimmed once the passes' contexts
// have moved twice as far: a pass whose range starts a little earlier than the last one's (an
// agent's batch holding some older events) still finds its context in memory.
constexpr int64_t kSlackUs = 30 * 60'000'000LL;

}  // namespace

EventWindow::EventWindow(std::vector<std::string> kinds, size_t max_events)
    : kinds_(std::move(kinds)), max_events_(max_events) {}

bool EventWindow::serve_from(store::EventSource& reader, int64_t from_us, const RowFn& on_new_row) {
  if (!loaded_ || from_us < start_us_) return load(reader, from_us - kSlackUs);
  const size_t room = max_events_ - std::min(max_events_, events_.size());
  auto read =
      reader.scan_after(last_id_, kinds_, room, [&](int64_t id, regwatch::v1::Event&& event) {
        if (on_new_row) on_new_row(id, event);
        if (event.event_time_us() >= start_us_) keep(id, std::move(event));
      });
  if (!read.ok() || read->cut) {
    // A flood of new rows (an archive being imported): reload, which bounds what is kept.
    if (!read.ok())
      component_logger("collector.correlate")
          ->warn("correlation window: could not read new events: {}", read.error().message);
    return load(reader, from_us - kSlackUs);
  }
  last_id_ = read->last_id;
  if (from_us - start_us_ > 2 * kSlackUs) trim_to(from_us - kSlackUs);
  index_new_events();
  return true;
}

bool EventWindow::load(store::EventSource& reader, int64_t from_us) {
  events_.clear();
  ordered_.clear();
  indexed_ = 0;
  ++loads_;
  loaded_ = false;
  auto read = reader.scan_window(
      from_us, kinds_, max_events_,
      [&](int64_t id, regwatch::v1::Event&& event) { keep(id, std::move(event)); });
  auto log = component_logger("collector.correlate");
  if (!read.ok()) {
    log->warn("correlation window: could not load events: {}", read.error().message);
  } else if (read->cut) {
    log->info(
        "correlation window: more than {} events since the context's start; passes read the "
        "store instead",
        max_events_);
  } else {
    loaded_ = true;
    start_us_ = from_us;
    last_id_ = read->last_id;
    // In correlation's order in memory too (scan_window reads newest first): a pass walks them
    // in that order, and at 100,000 phones walking them scattered cost half as much again.
    std::vector<correlate::StoredEvent*> order;
    order.reserve(events_.size());
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) order.push_back(&*it);
    std::sort(order.begin(), order.end(), correlate::CorrelationOrder{});  // nearly sorted
    std::deque<correlate::StoredEvent> in_order;
    for (auto* stored : order) in_order.push_back(std::move(*stored));
    events_ = std::move(in_order);
    index_new_events();
    return true;
  }
  events_.clear();
  return false;
}

void EventWindow::keep(int64_t id, regwatch::v1::Event&& event) {
  event.clear_raw();
  event.clear_syslog();
  events_.push_back({id, std::move(event)});
}

void EventWindow::trim_to(int64_t from_us) {
  std::erase_if(events_, [&](const correlate::StoredEvent& stored) {
    return stored.event.event_time_us() < from_us;
  });
  start_us_ = from_us;
  ordered_.clear();  // erasing moved the events
  indexed_ = 0;
}

void EventWindow::index_new_events() {
  const auto mid = static_cast<std::ptrdiff_t>(ordered_.size());
  for (; indexed_ < events_.size(); ++indexed_) ordered_.push_back(&events_[indexed_]);
  std::sort(ordered_.begin() + mid, ordered_.end(), correlate::CorrelationOrder{});
  std::inplace_merge(ordered_.begin(), ordered_.begin() + mid, ordered_.end(),
                     correlate::CorrelationOrder{});
}

std::vector<const correlate::StoredEvent*> EventWindow::events_in(int64_t from_us,
                                                                  int64_t to_us) const {
  const auto time_below = [](const correlate::StoredEvent* stored, int64_t t) {
    return stored->event.event_time_us() < t;
  };
  const auto first = std::lower_bound(ordered_.begin(), ordered_.end(), from_us, time_below);
  const auto last = std::lower_bound(first, ordered_.end(), to_us, time_below);
  return {first, last};
}

}  // namespace regwatch::collector
