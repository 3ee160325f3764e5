#include "cli/explain_report.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "cli/output_format.h"
#include "common/reports/explain_report.h"
#include "common/scope_words.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

std::string when(int64_t us) {
  return us ? format_rfc3339_ms(us) : std::string("-");
}

// The phone's last boot as the agent followed it on the wire: the one-line summary, then the
// lease, each file with its counts, and the trouble on the way.
void write_boot_chain(std::ostream& out, const regwatch::v1::BootChain& c) {
  out << "\nBoot chain: " << c.summary() << "\n";
  out << "  stage:      " << c.stage() << " since " << when(c.stage_since_us());
  if (c.registered()) out << " (registered " << when(c.registered_us()) << ")";
  out << "\n";
  if (!c.leased_ip().empty()) {
    out << "  lease:      " << c.leased_ip() << " from " << c.dhcp_server() << " at "
        << when(c.lease_us()) << ", TFTP ";
    if (c.tftp_servers().empty()) out << "none (no option 150 or 66)";
    for (int i = 0; i < c.tftp_servers_size(); ++i) out << (i ? ", " : "") << c.tftp_servers(i);
    out << "\n";
  }
  for (const auto& f : c.files()) {
    out << "  file:       " << f.file() << " from " << f.server() << ": fetched " << f.fetched()
        << (f.fetched() == 1 ? " time" : " times");
    if (f.failed() > 0) out << ", failed " << f.failed() << " (" << f.last_failure() << ")";
    out << "\n";
  }
  for (const auto& problem : c.problems()) out << "  trouble:    " << problem << "\n";
  // The rule and the agent's words with its numbers (the remediation is in the summary).
  if (!c.rule().empty()) {
    out << "  rule:       " << c.rule();
    if (!c.explanation().empty()) out << ": " << c.explanation();
    out << "\n";
  }
}

// A SIP phone as the agent saw it register on the wire: what the registrar granted, its
// firmware and its changes, and the phone's own account of its last loss beside CUCM's.
void write_sip(std::ostream& out, const regwatch::v1::SipRegistration& s) {
  out << "\nSIP registration:";
  if (s.registered_us()) {
    out << " registered " << when(s.registered_us()) << ", Expires " << s.expires_s()
        << " s granted (its REGISTER refresh is its keepalive)";
  } else {
    out << " no registration seen on the wire";
  }
  out << "\n";
  if (!s.transport().empty() || !s.line().empty()) {
    out << "  transport:  " << (s.transport().empty() ? "-" : s.transport());
    if (!s.line().empty()) out << ", line " << s.line();
    if (!s.via_proxy().empty()) out << ", through " << s.via_proxy();
    out << "\n";
  }
  if (!s.user_agent().empty()) out << "  user agent: " << s.user_agent() << "\n";
  if (!s.load_name().empty()) out << "  firmware:   " << s.load_name() << "\n";
  for (const auto& change : s.firmware_history()) {
    out << "  changed:    " << (change.from_load().empty() ? "?" : change.from_load()) << " -> "
        << change.to_load() << " at " << when(change.at_us()) << "\n";
  }
  if (!s.last_loss().empty()) {
    out << "  last loss:  the phone says Last=" << s.last_loss();
    if (!s.last_loss_name().empty()) out << " (" << s.last_loss_name() << ")";
    if (!s.last_loss_meaning().empty()) out << ": " << s.last_loss_meaning();
    out << " [" << s.last_loss_class() << "], at " << when(s.last_loss_us()) << "\n";
    if (s.has_cucm_reason()) {
      const auto& r = s.cucm_reason();
      out << "  CUCM said:  " << r.code() << " " << r.name() << " [" << r.reason_class()
          << "] for the same drop\n";
    }
  }
}

}  // namespace

void write_diagnosis_text(std::ostream& out, const regwatch::v1::ExplainReply& d) {
  const bool unknown = d.state() == regwatch::v1::PHONE_STATE_UNKNOWN;
  out << d.device() << " at " << format_rfc3339_ms(d.at_us()) << ": ";
  if (unknown) {
    out << "no registration, drop or rejection stored\n";
  } else {
    std::string upper = reports::phone_state_word(d.state());
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    out << upper << " since " << when(d.since_us()) << "\n";
  }
  if (d.state() == regwatch::v1::PHONE_STATE_REGISTERED && d.last_drop_us())
    out << "  last drop:  " << when(d.last_drop_us()) << "\n";
  const auto& r = d.reason();
  if (r.has_code()) {
    out << "  reason:     " << r.code() << " " << r.name();
    if (!r.meaning().empty()) out << ": " << r.meaning();
    out << " [" << r.reason_class() << "]\n";
  } else if (!r.name().empty()) {  // reported by the phone itself, without a CUCM code
    // ... or a rule of its boot chain, which the agent saw on the wire.
    const bool boot_rule = d.has_boot_chain() && d.boot_chain().rule() == r.name();
    out << "  reason:     " << r.name() << (boot_rule ? " (its boot chain)" : " (from the phone)");
    if (!r.meaning().empty()) out << ": " << r.meaning();
    out << " [" << r.reason_class() << "]\n";
  }
  if (!r.text().empty()) out << "  said:       " << r.text() << "\n";
  if (!d.reported_by().empty()) {
    out << "  seen by:    ";
    for (int i = 0; i < d.reported_by_size(); ++i) out << (i ? ", " : "") << d.reported_by(i);
    out << "\n";
  }
  if (!d.protocol().empty()) out << "  protocol:   " << d.protocol() << "\n";
  if (!d.cm_node().empty()) {
    out << "  CM node:    " << d.cm_node();
    if (d.registered_since_us())
      out << " (registered there " << when(d.registered_since_us()) << ")";
    out << "\n";
  }
  if (d.has_attachment()) {
    const auto& t = d.attachment().event().topology();
    out << "  switch:     " << t.switch_name() << " port " << t.port();
    if (t.module() > 0) out << " (module/stack member " << t.module() << ")";
    if (t.voice_vlan() > 0) out << ", voice VLAN " << t.voice_vlan();
    out << (t.removed() ? ", gone from its neighbour table" : "") << " (" << t.protocol() << ", "
        << when(d.attachment().event().event_time_us()) << ")\n";
  } else {
    out << "  switch:     unknown (no CDP/LLDP sighting stored; is its access switch polled?)\n";
  }
  if (d.has_incident()) {
    const auto& i = d.incident();
    out << "  incident:   " << i.id() << " (" << i.incident_class() << ", " << i.phone_count()
        << " phones, " << i.scope().type() << " " << i.scope().name();
    const nlohmann::ordered_json words = {{"also_scopes", reports::also_scopes_json(i)}};
    if (const std::string also = also_scopes_words(words); !also.empty()) out << "; " << also;
    out << ")\n";
  }
  if (d.has_boot_chain()) write_boot_chain(out, d.boot_chain());
  if (d.has_sip()) write_sip(out, d.sip());
  out << "\nWhat to check next:\n";
  for (int i = 0; i < d.next_steps_size(); ++i)
    out << "  " << i + 1 << ". " << d.next_steps(i) << "\n";
  if (!d.timeline().events().empty()) {
    out << "\nTimeline (oldest first, last " << d.timeline().events_size() << " events):\n";
    write_events(out, d.timeline(), Format::kTable);
  }
}

void write_diagnosis_json(std::ostream& out, const regwatch::v1::ExplainReply& d) {
  out << reports::diagnosis_json(d).dump(2) << "\n";
}

}  // namespace regwatch::cli
