#include "common/reason_class.h"

#include <algorithm>
#include <array>
#include <utility>

namespace regwatch::domain {
namespace {

template <size_t N>
std::string_view class_of(const std::array<std::pair<int32_t, std::string_view>, N>& table,
                          int32_t code) {
  const auto it = std::find_if(table.begin(), table.end(),
                               [code](const auto& entry) { return entry.first == code; });
  return it == table.end() ? std::string_view("other") : it->second;
}

}  // namespace

std::string_view unregistration_reason_class(int32_t code) {
  // Security problems show as registration failures (their table), not as unregistrations.
  static constexpr std::array<std::pair<int32_t, std::string_view>, 20> kClasses{{
      {1, "network"},  {6, "network"},  {13, "network"}, {18, "network"}, {8, "planned"},
      {9, "planned"},  {15, "planned"}, {17, "planned"}, {19, "planned"}, {20, "planned"},
      {21, "planned"}, {22, "planned"}, {28, "planned"}, {2, "config"},   {3, "config"},
      {11, "config"},  {14, "config"},  {32, "config"},  {12, "storm"},   {16, "storm"},
  }};
  return class_of(kClasses, code);
}

std::string_view registration_failure_reason_class(int32_t code) {
  static constexpr std::array<std::pair<int32_t, std::string_view>, 32> kClasses{{
      {1, "network"},   {6, "network"},   {7, "network"},   {23, "network"},  {27, "network"},
      {8, "planned"},   {9, "planned"},   {10, "security"}, {11, "security"}, {12, "security"},
      {28, "security"}, {34, "security"}, {2, "config"},    {3, "config"},    {4, "config"},
      {13, "config"},   {14, "config"},   {15, "config"},   {16, "config"},   {18, "config"},
      {25, "config"},   {26, "config"},   {29, "config"},   {30, "config"},   {31, "config"},
      {32, "config"},   {33, "config"},   {35, "config"},   {5, "storm"},     {17, "storm"},
      {0, "other"},     {24, "other"},
  }};
  return class_of(kClasses, code);
}

}  // namespace regwatch::domain
