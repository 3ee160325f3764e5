#pragma once
// libpcap behind one small interface for both live interfaces and capture
// files (pcap and pcapng), like Zeek's iosource: the analyzer does not know
// which it reads. RAII over pcap_t.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace regwatch::agent::capture {

class PcapSource {
 public:
  using PacketFn = std::function<void(int64_t time_us, std::span<const uint8_t> frame)>;

  static Result<std::unique_ptr<PcapSource>> open_file(const std::string& path);
  // Live capture, promiscuous off, with a BPF filter ("" = everything).
  static Result<std::unique_ptr<PcapSource>> open_live(const std::string& interface,
                                                       const std::string& filter);
  ~PcapSource();
  PcapSource(const PcapSource&) = delete;
  PcapSource& operator=(const PcapSource&) = delete;

  int link_type() const;
  // Reads up to max_packets. Returns how many were read: 0 when a live read
  // timed out with nothing, -1 at the end of a file; an error otherwise.
  Result<int> read(int max_packets, const PacketFn& on_packet);
  // Live: blocks until packets may be readable or timeout_ms passed (the handle is
  // non-blocking, so a reader that found nothing waits here rather than spinning). Returns at
  // once for a file.
  void wait(int timeout_ms) const;
  // Packets the kernel dropped (live only).
  uint64_t kernel_drops() const;
  // Bytes of the file read so far and its size, for progress.
  std::pair<uint64_t, uint64_t> file_progress() const;

 private:
  struct Handle;
  explicit PcapSource(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

// A BPF filter for TCP to or from any of ports, also inside 802.1Q tags: "(tcp port 2000 or
// tcp port 2443) or (vlan and (...))"; "tcp" when ports is empty.
std::string tcp_port_filter(const std::vector<uint16_t>& ports);
// The same for TCP and UDP ports together, and, with tftp_data, the TFTP packets that travel
// between ports picked at run time (by their opcode); "tcp" when there is nothing.
std::string capture_filter(const std::vector<uint16_t>& tcp_ports,
                           const std::vector<uint16_t>& udp_ports, bool tftp_data);

}  // namespace regwatch::agent::capture
