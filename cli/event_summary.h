#pragma once
// One-line, human summaries of an event for the table format.
#include <string>

#include "regwatch/v1/event.pb.h"

namespace regwatch::cli {

std::string event_device(const regwatch::v1::Event& event);
std::string event_reason(const regwatch::v1::Event& event);
std::string event_detail(const regwatch::v1::Event& event);  // at most ~80 characters

}  // namespace regwatch::cli
