#pragma once
// "Did you mean ...?" for names a person typed: the candidate nearest by edit
// distance (Levenshtein), when it is close enough to be a typo. Pure.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace regwatch {

size_t edit_distance(std::string_view a, std::string_view b);

// The candidate at the smallest edit distance below max_distance (3: one or two
// slips of the keyboard), or "" when none is that close. Ties go to the first.
std::string closest_name(std::string_view typed, const std::vector<std::string>& candidates,
                         size_t max_distance = 3);

}  // namespace regwatch
