#pragma once
// One-line, human summaries of an event: the CLI's event table and the incident markdown
// report's timeline both show them, so they live beside the reports. Pure.
#include <string>

#include "regwatch/v1/event.pb.h"

namespace regwatch::reports {

std::string event_device(const regwatch::v1::Event& event);
std::string event_reason(const regwatch::v1::Event& event);
std::string event_detail(const regwatch::v1::Event& event);  // at most ~80 characters

}  // namespace regwatch::reports
