#include "agent/capture/pcap_source.h"

#include <pcap/pcap.h>
#include <poll.h>
#include <sys/stat.h>

#include <cstdio>
#include <vector>

namespace regwatch::agent::capture {

struct PcapSource::Handle {
  pcap_t* pcap = nullptr;
  FILE* file = nullptr;  // owned by pcap for offline reads; kept for progress
  uint64_t file_size = 0;
  ~Handle() {
    if (pcap) pcap_close(pcap);
  }
};

PcapSource::PcapSource(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
PcapSource::~PcapSource() = default;

Result<std::unique_ptr<PcapSource>> PcapSource::open_file(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return make_error("pcap_open", "cannot open capture file " + path);
  struct stat info {};
  const uint64_t size = fstat(fileno(file), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, error);
  if (!pcap) {
    std::fclose(file);
    return make_error("pcap_open", path + " is not a pcap or pcapng capture: " + error);
  }
  auto handle = std::make_unique<Handle>();
  handle->pcap = pcap;
  handle->file = file;
  handle->file_size = size;
  return std::unique_ptr<PcapSource>(new PcapSource(std::move(handle)));
}

Result<std::unique_ptr<PcapSource>> PcapSource::open_live(const std::string& interface,
                                                          const std::string& filter) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_create(interface.c_str(), error);
  if (!pcap) return make_error("pcap_open", "cannot capture on " + interface + ": " + error);
  auto handle = std::make_unique<Handle>();
  handle->pcap = pcap;
  pcap_set_snaplen(pcap, 65535);
  pcap_set_promisc(pcap, 0);
  pcap_set_timeout(pcap, 200);  // ms: how often a quiet wire lets timers run
  pcap_set_buffer_size(pcap, 32 * 1024 * 1024);
  pcap_set_immediate_mode(pcap, 0);
  if (int rc = pcap_activate(pcap); rc < 0) {
    std::string why = pcap_geterr(pcap);
    if (rc == PCAP_ERROR_PERM_DENIED) why += " (capturing needs root or CAP_NET_RAW)";
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) why = "no such interface";
    return make_error("pcap_open", "cannot capture on " + interface + ": " + why);
  }
  // Our own poll() with a timeout (wait()): libpcap's read timeout may never fire
  // on a quiet wire (TPACKET_V3), and a quiet wire is when timers matter.
  if (pcap_setnonblock(pcap, 1, error) != 0) {
    return make_error("pcap_open", "cannot capture on " + interface + ": " + error);
  }
  if (!filter.empty()) {
    bpf_program program{};
    if (pcap_compile(pcap, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return make_error("pcap_filter", "bad capture filter '" + filter + "': " + pcap_geterr(pcap));
    }
    const int set = pcap_setfilter(pcap, &program);
    pcap_freecode(&program);
    if (set != 0)
      return make_error("pcap_filter",
                        std::string("cannot set the capture filter: ") + pcap_geterr(pcap));
  }
  return std::unique_ptr<PcapSource>(new PcapSource(std::move(handle)));
}

int PcapSource::link_type() const {
  return pcap_datalink(handle_->pcap);
}

Result<int> PcapSource::read(int max_packets, const PacketFn& on_packet) {
  struct Context {
    const PacketFn* fn;
  } context{&on_packet};
  auto trampoline = [](u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    auto* c = reinterpret_cast<Context*>(user);
    const int64_t time_us = int64_t{header->ts.tv_sec} * 1'000'000 + header->ts.tv_usec;
    (*c->fn)(time_us, std::span<const uint8_t>(bytes, header->caplen));
  };
  const int n =
      pcap_dispatch(handle_->pcap, max_packets, trampoline, reinterpret_cast<u_char*>(&context));
  if (n == PCAP_ERROR_BREAK) return 0;
  if (n < 0)  // PCAP_ERROR, or the interface went down (PCAP_ERROR_IFACE_NOT_UP), ...
    return make_error("pcap_read",
                      std::string("capture read failed: ") + pcap_geterr(handle_->pcap));
  if (n == 0 && handle_->file) return -1;  // offline: no more packets
  return n;
}

void PcapSource::wait(int timeout_ms) const {
  if (handle_->file) return;
  const int fd = pcap_get_selectable_fd(handle_->pcap);
  if (fd < 0) {
    // No descriptor to wait on (not on Linux): pace the reader instead of spinning.
    ::poll(nullptr, 0, timeout_ms);
    return;
  }
  pollfd readable{fd, POLLIN, 0};
  // EINTR or an error: the next read says what it is. A descriptor in error stays "ready", so
  // pace the reader then rather than spin.
  if (::poll(&readable, 1, timeout_ms) > 0 && (readable.revents & (POLLERR | POLLHUP | POLLNVAL)))
    ::poll(nullptr, 0, timeout_ms);
}

uint64_t PcapSource::kernel_drops() const {
  pcap_stat stat{};
  if (handle_->file || pcap_stats(handle_->pcap, &stat) != 0) return 0;
  return stat.ps_drop + stat.ps_ifdrop;
}

std::pair<uint64_t, uint64_t> PcapSource::file_progress() const {
  if (!handle_->file) return {0, 0};
  const long at = std::ftell(handle_->file);
  return {at > 0 ? static_cast<uint64_t>(at) : 0, handle_->file_size};
}

std::string tcp_port_filter(const std::vector<uint16_t>& ports) {
  std::string ours;
  for (uint16_t port : ports)
    ours += (ours.empty() ? "" : " or ") + std::string("tcp port ") + std::to_string(port);
  if (ours.empty()) return "tcp";
  return "(" + ours + ") or (vlan and (" + ours + "))";
}

std::string capture_filter(const std::vector<uint16_t>& tcp_ports,
                           const std::vector<uint16_t>& udp_ports, bool tftp_data) {
  std::string ours;
  const auto add = [&](const std::string& term) { ours += (ours.empty() ? "" : " or ") + term; };
  for (uint16_t port : tcp_ports) add("tcp port " + std::to_string(port));
  for (uint16_t port : udp_ports) add("udp port " + std::to_string(port));
  // TFTP's DATA, ACK, ERROR and OACK go between ports the server and client picked: known by
  // their opcode (3..6 in the payload's first two bytes). RTP, the voice VLAN's bulk, starts
  // with 0x80 and stays out. libpcap reads udp[] of IPv4 only.
  if (tftp_data) add("(udp and udp[8:2] >= 3 and udp[8:2] <= 6)");
  if (ours.empty()) return "tcp";
  return "(" + ours + ") or (vlan and (" + ours + "))";
}

}  // namespace regwatch::agent::capture
