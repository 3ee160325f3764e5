// The agent's ack path against a hostile collector: the input is a script of appends,
// batches sent, acks received (their bytes straight from the input, as a collector could
// send anything) and spool reopens, run against a real spool in a temporary directory.
// Whatever the acks say, an event leaves the spool only when an ack fits its batch
// exactly: acked_seq never passes what was sent, never goes back, and after every step the
// spool still holds every unacknowledged event, in order, with no gap.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "agent/shipper/in_flight_batches.h"
#include "agent/spool/spool.h"
#include "common/clock.h"

namespace {

using regwatch::agent::shipper::InFlightBatches;
using regwatch::agent::spool::Spool;
using regwatch::agent::spool::SpoolOptions;

const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ack_path_fuzz.XXXXXX").string();
    if (!mkdtemp(pattern.data())) std::abort();
    return std::filesystem::path(pattern);
  }();
  return dir;
}

std::unique_ptr<Spool> open_spool(const regwatch::Clock& clock) {
  SpoolOptions options;
  options.dir = scratch_dir() / "spool";
  options.segment_bytes = 2048;  // small segments: acks delete whole files often
  options.fsync_interval = std::chrono::milliseconds(0);
  auto spool = Spool::open(options, "fuzz-agent", clock);
  if (!spool.ok()) std::abort();
  return std::move(spool).value();
}

// Every unacknowledged event is still there, numbered without a gap.
void check_spool(Spool& spool, uint64_t sent_up_to) {
  const uint64_t acked = spool.acked_seq();
  if (acked > spool.last_seq() || acked > sent_up_to) std::abort();
  uint64_t expect = acked + 1;
  for (const auto& event : spool.read_after(acked, 1 << 20, 64 << 20)) {
    if (event.seq() != expect++) std::abort();
  }
  if (expect != spool.last_seq() + 1) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_dir() / "spool", ignored);
  regwatch::ManualClock clock(1'700'000'000'000'000);
  auto spool = open_spool(clock);
  InFlightBatches in_flight;
  uint64_t sent_seq = 0, batch_id = 0, acked_before = 0;
  size_t i = 0;
  while (i < size) {
    const uint8_t op = data[i++];
    const uint8_t arg = i < size ? data[i++] : 0;
    switch (op % 4) {
      case 0:  // the inputs spool some events
        for (int k = 0; k <= arg % 8; ++k) {
          regwatch::v1::Event event;
          event.set_origin("cucm-" + std::to_string(arg));
          event.set_raw(std::string(arg, 'x'));
          spool->append(std::move(event));
        }
        break;
      case 1: {  // a batch goes out
        auto events = spool->read_after(sent_seq, 1 + arg % 16, 1 << 20);
        if (events.empty()) break;
        sent_seq = events.back().seq();
        in_flight.sent({++batch_id, sent_seq, events.size(), arg % 3 == 0 ? events.size() : 0});
        break;
      }
      case 2: {  // the collector answers with whatever bytes it likes
        const size_t length = std::min<size_t>(arg % 32, size - i);
        regwatch::v1::Ack ack;
        const bool parsed = ack.ParseFromArray(data + i, static_cast<int>(length));
        i += length;
        if (!parsed) break;  // gRPC would fail the read: the stream ends
        const uint64_t before = spool->acked_seq();
        auto accepted = in_flight.accept(ack);
        if (!accepted.ok()) {
          // A real stream ends here and starts again from the spool's acked position.
          in_flight = InFlightBatches();
          sent_seq = spool->acked_seq();
          break;
        }
        if (accepted->last_seq <= before || accepted->last_seq > sent_seq) std::abort();
        if (accepted->counts.unexpected_duplicates > accepted->counts.duplicates) std::abort();
        spool->ack(accepted->last_seq);
        if (spool->acked_seq() != accepted->last_seq) std::abort();
        break;
      }
      case 3:  // the agent restarts: recovery from the files alone
        spool.reset();
        spool = open_spool(clock);
        in_flight = InFlightBatches();
        sent_seq = spool->acked_seq();
        break;
    }
    if (spool->acked_seq() < acked_before) std::abort();
    acked_before = spool->acked_seq();
    check_spool(*spool, std::max(sent_seq, acked_before));
  }
  return 0;
}
