#include "collector/query/boot_chain.h"

#include <algorithm>
#include <string>
#include <vector>

#include "collector/correlate/boot_stage_words.h"
#include "common/boot_rules.h"
#include "common/provenance.h"

namespace regwatch::collector::query {
namespace {

using regwatch::v1::BootChain;
using regwatch::v1::Event;

bool is_boot_kind(regwatch::v1::EventKind kind) {
  switch (kind) {
    case regwatch::v1::DHCP_LEASE:
    case regwatch::v1::DHCP_NO_TFTP_OPTION:
    case regwatch::v1::DHCP_UNANSWERED:
    case regwatch::v1::DHCP_NAK:
    case regwatch::v1::BOOT_FILE_FETCHED:
    case regwatch::v1::BOOT_FILE_FAILED:
    case regwatch::v1::BOOT_STALLED: return true;
    default: return false;
  }
}

// The stage a downloaded file belongs to, by its kind (common/boot_files.h's names); none for
// the files that are only counted (ring lists, locales).
std::optional<domain::BootStage> stage_of_file(const std::string& kind) {
  if (kind == "ctl" || kind == "itl") return domain::BootStage::kTrustList;
  if (kind == "config" || kind == "config_signed" || kind == "config_encrypted" ||
      kind == "default_config")
    return domain::BootStage::kConfig;
  if (kind == "firmware_load" || kind == "firmware_image") return domain::BootStage::kFirmware;
  return std::nullopt;
}

void enter(BootChain& chain, std::string_view stage, int64_t since_us) {
  if (chain.stage() == stage) return;
  chain.set_stage(std::string(stage));
  chain.set_stage_since_us(since_us);
}

regwatch::v1::BootChainFile& file_entry(BootChain& chain, const std::string& file) {
  for (auto& f : *chain.mutable_files()) {
    if (f.file() == file) return f;
  }
  auto* added = chain.add_files();
  added->set_file(file);
  return *added;
}

bool is_lease(regwatch::v1::EventKind kind) {
  return kind == regwatch::v1::DHCP_LEASE || kind == regwatch::v1::DHCP_NO_TFTP_OPTION;
}

void take_dhcp(BootChain& chain, const Event& e) {
  const auto& d = e.dhcp();
  const int64_t t = e.event_time_us();
  enter(chain, domain::boot_stage_name(domain::BootStage::kDhcp), t);
  switch (e.kind()) {
    case regwatch::v1::DHCP_LEASE:
    case regwatch::v1::DHCP_NO_TFTP_OPTION:
      chain.set_leased_ip(d.leased_ip());
      chain.set_lease_us(t);
      chain.set_dhcp_server(d.server());
      chain.clear_tftp_servers();
      for (const auto& server : d.tftp_servers()) chain.add_tftp_servers(server);
      if (d.tftp_servers().empty() && !d.tftp_server_name().empty())
        chain.add_tftp_servers(d.tftp_server_name());
      // Leased: next it asks its TFTP server for its trust lists.
      enter(chain, domain::boot_stage_name(domain::BootStage::kTrustList), t);
      if (e.kind() == regwatch::v1::DHCP_NO_TFTP_OPTION) {
        chain.add_problems("leased " + d.leased_ip() + " from " + d.server() +
                           " without a TFTP server (no DHCP option 150 or 66)");
      }
      break;
    case regwatch::v1::DHCP_UNANSWERED:
      chain.add_problems(std::to_string(d.discovers()) + " DHCP DISCOVERs without an OFFER");
      break;
    case regwatch::v1::DHCP_NAK:
      chain.add_problems("DHCP NAK of " + d.requested_ip() + " from " + d.server() +
                         (d.server_message().empty() ? "" : ": " + d.server_message()));
      break;
    default: break;
  }
}

void take_file(BootChain& chain, const Event& e) {
  const auto& b = e.boot_file();
  auto& f = file_entry(chain, b.file());
  f.set_file_kind(b.file_kind());
  f.set_server(b.server());
  f.set_last_us(e.event_time_us());
  if (e.kind() == regwatch::v1::BOOT_FILE_FETCHED) {
    f.set_fetched(f.fetched() + 1);
  } else {
    f.set_failed(f.failed() + 1);
    f.set_last_failure(b.failure());
  }
  if (const auto stage = stage_of_file(b.file_kind()))
    enter(chain, domain::boot_stage_name(*stage), e.event_time_us());
}

// Returns the file the phone loops on ("" when the stall is no loop).
std::string take_stall(BootChain& chain, const Event& e) {
  const auto& s = e.phone().boot();
  const int64_t since = s.stage_since_us() ? s.stage_since_us() : e.event_time_us();
  if (chain.stage() != s.stage()) {
    chain.set_stage(s.stage());
    chain.set_stage_since_us(since);
  } else {
    chain.set_stage_since_us(std::min(chain.stage_since_us(), since));
  }
  chain.set_rule(s.rule());
  chain.set_explanation(s.explanation());
  const domain::BootRule* rule = domain::find_boot_rule(s.rule());
  // The rule's words (one place); an unknown rule (a newer agent's) keeps the agent's.
  chain.set_remediation(rule ? std::string(rule->remediation) : s.remediation());
  chain.set_tftp_server(s.tftp_server());
  if (s.file().empty() || s.fetches() < domain::kLoopFetches) return {};
  auto& f = file_entry(chain, s.file());
  // The agent counted more than the timeline holds (older events beyond its limit).
  if (f.fetched() < s.fetches()) f.set_fetched(s.fetches());
  return s.file();
}

// The file a stalled phone is stuck on: a loop's file (the stall names the file it fetched
// kLoopFetches times or more); else the latest that failed (its own config not found, a server
// that does not answer); else the latest it fetched. None when it fetched nothing.
const regwatch::v1::BootChainFile* stuck_file(const BootChain& chain,
                                              const std::string& loop_file) {
  const regwatch::v1::BootChainFile* failed = nullptr;
  const regwatch::v1::BootChainFile* latest = nullptr;
  for (const auto& f : chain.files()) {
    if (!loop_file.empty() && f.file() == loop_file) return &f;
    if (f.failed() > 0 && (!failed || f.last_us() >= failed->last_us())) failed = &f;
    if (!latest || f.last_us() >= latest->last_us()) latest = &f;
  }
  return failed ? failed : latest;
}

std::string times(uint32_t n) {
  return n == 1 ? "once" : std::to_string(n) + " times";
}

std::string summary_of(const BootChain& chain, const std::string& loop_file, int64_t at_us) {
  const std::string stage(correlate::boot_stage_words(chain.stage()));
  if (chain.registered()) {
    uint32_t fetched = 0;
    for (const auto& f : chain.files()) fetched += f.fetched();
    return "booted and registered" +
           (chain.leased_ip().empty() ? std::string() : ": lease " + chain.leased_ip()) +
           (fetched ? ", " + std::to_string(fetched) + " files fetched" : std::string());
  }
  std::string text = (chain.rule().empty() ? "at " : "stuck at ") + stage;
  if (!chain.tftp_server().empty()) text += " from " + chain.tftp_server();
  text += " for " + duration_words(at_us - chain.stage_since_us());
  if (chain.rule().empty()) return text + ", not registered yet";
  if (const auto* f = stuck_file(chain, loop_file)) {
    text += ":";
    if (f->fetched()) text += " " + f->file() + " fetched " + times(f->fetched());
    if (f->failed()) {
      text += std::string(f->fetched() ? "," : "") + " " + f->file() + " failed " +
              times(f->failed()) + " (" + f->last_failure() + ")";
    }
  }
  // The rule's remediation says why and what to do (it opens with the why: "The phone rejects
  // its signed config: ..."); the agent's explanation, with its numbers, is the chain's own
  // field. A rule unknown here (a newer agent's) says it in the agent's words.
  text += ", never registered: ";
  text += !chain.remediation().empty()   ? chain.remediation()
          : !chain.explanation().empty() ? chain.explanation()
                                         : chain.rule();
  return text;
}

}  // namespace

std::string duration_words(int64_t us) {
  const int64_t s = std::max<int64_t>(us, 0) / 1'000'000;
  if (s < 120) return std::to_string(s) + " s";
  if (s < int64_t{3} * 3600) return std::to_string(s / 60) + " min";
  return std::to_string(s / 3600) + " h";
}

std::optional<BootChain> boot_chain_of(const regwatch::v1::EventList& timeline, int64_t at_us) {
  std::optional<BootChain> chain;
  std::string loop_file;
  // The DHCP trouble since the last lease or file: it belongs to the boot the next lease begins.
  std::vector<std::string> before_lease;
  for (const auto& stored : timeline.events()) {
    const Event& e = stored.event();
    if (!may_drive_diagnosis(e)) continue;  // forged: shown in the timeline, not believed
    if (e.kind() == regwatch::v1::PHONE_REGISTERED) {
      if (!chain || chain->registered()) continue;  // no boot seen since the last one
      chain->set_registered(true);
      chain->set_registered_us(e.event_time_us());
      enter(*chain, domain::boot_stage_name(domain::BootStage::kRegistration), e.event_time_us());
      chain->clear_rule();  // it got through: no longer stuck
      chain->clear_explanation();
      chain->clear_remediation();
      chain->clear_tftp_server();
      continue;
    }
    if (!is_boot_kind(e.kind())) continue;
    // A renewal (the phone asked from its address) is no new boot: it only says the address.
    if (e.kind() == regwatch::v1::DHCP_LEASE && e.dhcp().renewal()) {
      if (chain) chain->set_leased_ip(e.dhcp().leased_ip());
      continue;
    }
    if (!chain || chain->registered()) {
      chain.emplace();  // a new boot after a registration
      loop_file.clear();
    } else if (is_lease(e.kind()) && !chain->leased_ip().empty()) {
      // Leased again: a new boot, as the agent counts them (its fetches are since the lease).
      // The DHCP trouble since the last file asked for belongs to this one.
      chain.emplace();
      for (auto& problem : before_lease) chain->add_problems(std::move(problem));
      loop_file.clear();
    }
    if (e.has_dhcp()) {
      const int problems = chain->problems_size();
      take_dhcp(*chain, e);
      if (is_lease(e.kind())) {
        before_lease.clear();
      } else if (chain->problems_size() > problems) {
        before_lease.push_back(chain->problems(problems));  // a NAK, DISCOVERs unanswered
      }
    } else if (e.has_boot_file()) {
      before_lease.clear();
      take_file(*chain, e);
    } else if (e.kind() == regwatch::v1::BOOT_STALLED && e.has_phone()) {
      loop_file = take_stall(*chain, e);
    }
  }
  if (chain) chain->set_summary(summary_of(*chain, loop_file, at_us));
  return chain;
}

}  // namespace regwatch::collector::query
