#include "agent/snmp/role_data.h"

#include <algorithm>
#include <sstream>
#include <utility>

namespace regwatch::agent::snmp {
namespace {

// Subtrees (cisco/cisco-mibs v2/CISCO-CCM-MIB.my, CISCO-PROCESS-MIB.my; RFC 2790
// HOST-RESOURCES-MIB; RFC 2863 IF-MIB).
const std::vector<uint32_t> kCiscoCcmMib = {1, 3, 6, 1, 4, 1, 9, 9, 156};
const std::vector<uint32_t> kCpmCpuTotalTable = {1, 3, 6, 1, 4, 1, 9, 9, 109, 1, 1, 1};
const std::vector<uint32_t> kHrProcessorTable = {1, 3, 6, 1, 2, 1, 25, 3, 3};
const std::vector<uint32_t> kIfName = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1};

constexpr char kCcmFix[] =
    "start the Cisco CallManager SNMP Service on the node (Cisco Unified Serviceability > "
    "Tools > Control Center - Feature Services), or give the community / USM user a view that "
    "includes 1.3.6.1.4.1.9.9.156";
constexpr char kCpmFix[] =
    "the device has no CISCO-PROCESS-MIB cpmCPUTotalTable (1.3.6.1.4.1.9.9.109.1.1.1) in the "
    "view of this community / USM user: include 1.3.6.1.4.1.9.9.109 in its SNMP view "
    "(snmp-server view NAME 1.3.6.1.4.1.9.9.109 included), or set cpu: false for this target if "
    "the platform does not implement it";
constexpr char kHrFix[] =
    "the device shows no HOST-RESOURCES-MIB hrProcessorTable (1.3.6.1.2.1.25.3.3): include "
    "1.3.6.1.2.1.25 in the view of this community / USM user (net-snmp: view NAME included "
    ".1.3.6.1.2.1.25), or set cpu: false for this target";
constexpr char kIfFix[] =
    "the device shows no IF-MIB ifName rows (1.3.6.1.2.1.31.1.1.1.1): include 1.3.6.1.2.1.2 and "
    "1.3.6.1.2.1.31 in the view of this community / USM user, or set interfaces: false for this "
    "target";

std::string dotted(const std::vector<uint32_t>& oid) {
  std::string out;
  for (const uint32_t part : oid) out += (out.empty() ? "" : ".") + std::to_string(part);
  return out;
}

bool starts_with(const std::vector<uint32_t>& oid, const std::vector<uint32_t>& prefix) {
  return oid.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), oid.begin());
}

// A request answers for a source when it asks inside it (a column of the table, an object of
// the MIB) or walks a subtree that holds it.
bool answers_for(const std::vector<uint32_t>& request, const std::vector<uint32_t>& source) {
  return starts_with(request, source) || starts_with(source, request);
}

}  // namespace

std::vector<DataNeed> data_needs(const std::string& role, bool cpu, bool interfaces,
                                 bool ccm_counts) {
  std::vector<DataNeed> needs;
  if (cpu) {
    if (role == "switch") {
      needs.push_back(
          {"CISCO-PROCESS-MIB cpmCPUTotalTable", {kCpmCpuTotalTable, kHrProcessorTable}, kCpmFix});
    } else {
      needs.push_back(
          {"HOST-RESOURCES-MIB hrProcessorTable", {kHrProcessorTable, kCpmCpuTotalTable}, kHrFix});
    }
  }
  if (interfaces) needs.push_back({"IF-MIB ifName", {kIfName}, kIfFix});
  if (ccm_counts) needs.push_back({"CISCO-CCM-MIB", {kCiscoCcmMib}, kCcmFix});
  return needs;
}

const char* data_answer_text(DataAnswer answer) {
  switch (answer) {
    case DataAnswer::kData: return "data";
    case DataAnswer::kNoSuchObject: return "noSuchObject";
    case DataAnswer::kNoSuchInstance: return "noSuchInstance";
    case DataAnswer::kNoRows: return "no rows (the walk left the subtree or hit endOfMibView)";
  }
  return "unknown";
}

DataGapTracker::DataGapTracker(std::string target, std::string address, std::string role,
                               std::vector<DataNeed> needs, uint32_t remind_interval_s)
    : target_(std::move(target)),
      address_(std::move(address)),
      role_(std::move(role)),
      remind_interval_s_(std::max<uint32_t>(remind_interval_s, 1)) {
  for (auto& need : needs) {
    Tracked tracked;
    tracked.need = std::move(need);
    tracked_.push_back(std::move(tracked));
  }
}

void DataGapTracker::begin_poll() {
  std::lock_guard lock(mutex_);
  for (auto& t : tracked_) t.seen = Tracked::Seen::kNothing;
}

void DataGapTracker::saw(const std::vector<uint32_t>& oid, DataAnswer answer) {
  std::lock_guard lock(mutex_);
  for (auto& t : tracked_) {
    const bool relevant = std::any_of(t.need.sources.begin(), t.need.sources.end(),
                                      [&](const auto& source) { return answers_for(oid, source); });
    if (!relevant) continue;
    if (answer == DataAnswer::kData) {
      t.seen = Tracked::Seen::kData;
    } else if (t.seen == Tracked::Seen::kNothing) {  // the first absence says what was asked
      t.seen = Tracked::Seen::kAbsent;
      t.absent_answer = answer;
      t.absent_oid = oid;
    }
  }
}

std::vector<regwatch::v1::Event> DataGapTracker::end_poll(int64_t now_us) {
  std::vector<regwatch::v1::Event> out;
  std::lock_guard lock(mutex_);
  const int64_t remind_us = int64_t{remind_interval_s_} * 1'000'000;
  for (auto& t : tracked_) {
    if (t.seen == Tracked::Seen::kData && t.missing) {
      out.push_back(make_event(t, now_us, true));
      t.missing = false;
      t.since_us = 0;
    } else if (t.seen == Tracked::Seen::kAbsent &&
               (!t.missing || now_us - t.reported_us >= remind_us)) {
      if (!t.missing) t.since_us = now_us;
      t.missing = true;
      t.reported_us = now_us;
      out.push_back(make_event(t, now_us, false));
    }
  }
  return out;
}

regwatch::v1::Event DataGapTracker::make_event(const Tracked& t, int64_t now_us,
                                               bool resolved) const {
  regwatch::v1::Event e;
  e.set_event_time_us(now_us);
  e.set_receive_time_us(now_us);
  e.set_origin(target_);
  e.set_source(regwatch::v1::SOURCE_SNMP_POLL);
  e.set_kind(regwatch::v1::SNMP_DATA_MISSING);
  auto* m = e.mutable_snmp_data_missing();
  m->set_target(target_);
  m->set_address(address_);
  m->set_role(role_);
  m->set_missing(t.need.missing);
  if (!t.absent_oid.empty()) m->add_oids(dotted(t.absent_oid));
  for (const auto& source : t.need.sources) {
    if (source != t.absent_oid) m->add_oids(dotted(source));
  }
  m->set_answer(resolved ? data_answer_text(DataAnswer::kData) : data_answer_text(t.absent_answer));
  m->set_fix(t.need.fix);
  m->set_resolved(resolved);
  m->set_missing_since_us(t.since_us);
  m->set_remind_interval_s(remind_interval_s_);
  return e;
}

std::vector<DataNeedState> DataGapTracker::states() const {
  std::lock_guard lock(mutex_);
  std::vector<DataNeedState> out;
  for (const auto& t : tracked_) out.push_back({t.need.missing, t.missing, t.since_us});
  return out;
}

std::string data_missing_log_text(const regwatch::v1::Event& event) {
  const auto& m = event.snmp_data_missing();
  std::ostringstream out;
  out << "SNMP target '" << m.target() << "' (" << m.address() << ", role " << m.role() << ") ";
  if (m.resolved()) {
    out << "has " << m.missing() << " again: its polls have the data they need";
    return out.str();
  }
  const bool reminder = m.missing_since_us() != 0 && m.missing_since_us() != event.event_time_us();
  out << (reminder ? "still lacks " : "answers but lacks ") << m.missing() << " (asked "
      << (m.oids().empty() ? std::string("?") : m.oids(0)) << ", got " << m.answer()
      << "): nothing its role needs from it is reported; fix: " << m.fix()
      << ". Reported again every " << m.remind_interval_s() << " s while it lasts";
  return out.str();
}

}  // namespace regwatch::agent::snmp
