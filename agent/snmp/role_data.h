#pragma once
// What an SNMP target's role needs (the MIB tables and objects its polls read) and whether the
// target has it. A target that answers but lacks it (a cucm node whose Cisco CallManager SNMP
// Service is stopped, a switch without CISCO-PROCESS-MIB's CPU table, a community whose view
// hides them) would otherwise look exactly like a healthy device with nothing to report.
//
// The poller tells the tracker what each request under a needed subtree returned; after a poll
// that completed, end_poll() turns changes into snmp_data_missing events:
//   - once when a need is first found missing;
//   - again every remind_interval while it stays missing (never once per poll);
//   - once with resolved = true when data is there again.
// A need no request touched in a poll (a timeout, a poll switched off) keeps its state.
//
// Pure: no I/O, no clock (times are passed in), no logging. Threads: one poll at a time
// (the scheduler's guarantee) calls saw_* / end_poll; states() may be called from any thread.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::snmp {

// One thing a role needs, by the subtrees that provide it: data under any one of them is enough.
struct DataNeed {
  std::string missing;                         // "CISCO-CCM-MIB", "IF-MIB ifName (ifXTable)"
  std::vector<std::vector<uint32_t>> sources;  // subtrees (or objects) that provide it
  std::string fix;                             // the usual fix, for the event and the log
};

// The needs of a target, from its role and the polls switched on for it:
//   cpu, role switch:    CISCO-PROCESS-MIB cpmCPUTotalTable (1.3.6.1.4.1.9.9.109.1.1.1), or
//                        HOST-RESOURCES-MIB hrProcessorTable (1.3.6.1.2.1.25.3.3) if it has that;
//   cpu, other roles:    HOST-RESOURCES-MIB hrProcessorTable, or cpmCPUTotalTable;
//   interfaces:          IF-MIB ifName (1.3.6.1.2.1.31.1.1.1.1);
//   ccm_counts (cucm):   CISCO-CCM-MIB (1.3.6.1.4.1.9.9.156).
// Topology (CDP/LLDP) is not a need: a switch with no neighbours has empty tables too.
std::vector<DataNeed> data_needs(const std::string& role, bool cpu, bool interfaces,
                                 bool ccm_counts);

// What one request returned, as far as "is the data there" goes.
enum class DataAnswer {
  kData,            // at least one value
  kNoSuchObject,    // a GET: the agent does not implement (or the view hides) the object
  kNoSuchInstance,  // a GET: the object exists, that instance does not
  kNoRows,          // a walk left the subtree (or hit endOfMibView) before any row
};
const char* data_answer_text(DataAnswer answer);

// One need of one target, as the metrics and `regwatch status` show it.
struct DataNeedState {
  std::string missing;
  bool is_missing = false;
  int64_t since_us = 0;  // when it was first found missing (0 when it is not)
};

class DataGapTracker {
 public:
  static constexpr uint32_t kDefaultRemindIntervalS = 6 * 3600;

  DataGapTracker(std::string target, std::string address, std::string role,
                 std::vector<DataNeed> needs, uint32_t remind_interval_s = kDefaultRemindIntervalS);

  void begin_poll();
  // A request for `oid` (a walk's base, or a GET's object) answered `answer`. Requests outside
  // every need's sources are ignored.
  void saw(const std::vector<uint32_t>& oid, DataAnswer answer);
  // After a poll that completed: the events that changes (and reminders) call for.
  std::vector<regwatch::v1::Event> end_poll(int64_t now_us);

  std::vector<DataNeedState> states() const;
  const std::string& role() const { return role_; }

 private:
  struct Tracked {
    DataNeed need;
    // This poll: no request touched it, at least one found data, or only absences.
    enum class Seen { kNothing, kData, kAbsent } seen = Seen::kNothing;
    DataAnswer absent_answer = DataAnswer::kNoRows;
    std::vector<uint32_t> absent_oid;
    bool missing = false;
    int64_t since_us = 0;
    int64_t reported_us = 0;
  };
  regwatch::v1::Event make_event(const Tracked& tracked, int64_t now_us, bool resolved) const;

  std::string target_;
  std::string address_;
  std::string role_;
  uint32_t remind_interval_s_;
  mutable std::mutex mutex_;  // guards the states that states() reads
  std::vector<Tracked> tracked_;
};

// The log line for one snmp_data_missing event: names the target, what is missing, what the
// device answered and the fix (or, resolved, that the data is back).
std::string data_missing_log_text(const regwatch::v1::Event& event);

}  // namespace regwatch::agent::snmp
