#include "agent/syslog/switch_cpu_lines.h"

#include <cctype>
#include <charconv>

#include "common/ascii_case.h"

namespace regwatch::agent::syslog {
namespace {

// The first "N%" (or "N.N%") at or after `from`; false if none.
bool first_percentage(std::string_view text, size_t from, double& value) {
  for (size_t p = text.find('%', from); p != std::string_view::npos; p = text.find('%', p + 1)) {
    size_t begin = p;
    while (begin > from &&
           (std::isdigit(static_cast<unsigned char>(text[begin - 1])) || text[begin - 1] == '.'))
      --begin;
    if (begin == p) continue;
    const auto [end, ec] = std::from_chars(text.data() + begin, text.data() + p, value);
    if (ec == std::errc() && end == text.data() + p) return true;
  }
  return false;
}

}  // namespace

bool classify_switch_cpu_line(std::string_view mnemonic, std::string_view text,
                              regwatch::v1::Event& event) {
  const std::string name = ascii_lower(mnemonic);
  const bool rising = name == "cpurisingthreshold";
  const bool falling = name == "cpufallingthreshold";
  if (!rising && !falling) return false;
  event.set_kind(rising ? regwatch::v1::CPU_HIGH : regwatch::v1::CPU_NORMAL);
  auto* cpu = event.mutable_cpu();
  cpu->set_role("switch");
  // "Total CPU Utilization(Total/Intr): 75%/100%": the total comes first after the label.
  const size_t label = ascii_lower(text).find("utilization");
  double percent = 0;
  if (first_percentage(text, label == std::string::npos ? 0 : label, percent) && percent >= 0 &&
      percent <= 100) {
    cpu->set_percent(percent);
    cpu->set_max_percent(percent);
    cpu->set_peak_percent(percent);
  }
  return true;
}

}  // namespace regwatch::agent::syslog
