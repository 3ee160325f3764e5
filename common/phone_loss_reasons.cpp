#include "common/phone_loss_reasons.h"

namespace regwatch::domain {

// Placeholder until the table lands (helper C).
namespace detail {
const std::span<const PhoneLossReason> kPhoneLossReasons;
}  // namespace detail

const PhoneLossReason* phone_loss_reason(std::string_view) { return nullptr; }

}  // namespace regwatch::domain
