#include "alerts/store/outbox_store.h"

namespace regwatch::alerts {

std::string_view notice_reason_name(NoticeReason reason) {
  switch (reason) {
    case NoticeReason::kFirst: return "first";
    case NoticeReason::kReopened: return "reopened";
    case NoticeReason::kChanged: return "changed";
    case NoticeReason::kRepeat: return "repeat";
    case NoticeReason::kResolved: return "resolved";
    case NoticeReason::kWithdrawn: return "withdrawn";
  }
  return "";
}

std::optional<NoticeReason> parse_notice_reason(std::string_view name) {
  for (NoticeReason r :
       {NoticeReason::kFirst, NoticeReason::kReopened, NoticeReason::kChanged,
        NoticeReason::kRepeat, NoticeReason::kResolved, NoticeReason::kWithdrawn}) {
    if (notice_reason_name(r) == name) return r;
  }
  return std::nullopt;
}

}  // namespace regwatch::alerts
