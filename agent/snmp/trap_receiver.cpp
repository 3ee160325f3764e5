#include "agent/snmp/trap_receiver.h"

#include <sys/select.h>

#include <cstdlib>
#include <cstring>

#include "agent/snmp/net_snmp_support.h"
#include "agent/snmp/trap_classifier.h"
#include "agent/snmp/usm_users.h"
#include "common/bind_error.h"

namespace regwatch::agent::snmp {
namespace {

const Oid kSysUpTime0 = {1, 3, 6, 1, 2, 1, 1, 3, 0};
const Oid kSnmpTrapOid0 = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
const Oid kSnmpTrapAddress0 = {1, 3, 6, 1, 6, 3, 18, 1, 3, 0};  // SNMP-COMMUNITY-MIB
constexpr size_t kMaxTrapVarbinds = 128;
constexpr size_t kMaxTrapBytes = 16 * 1024;

int trampoline(int operation, netsnmp_session* /*session*/, int /*reqid*/, netsnmp_pdu* pdu,
               void* magic) {
  return static_cast<TrapReceiver*>(magic)->on_pdu(operation, pdu);
}

// "UDP: [127.0.0.1]:40000->[127.0.0.1]:10162" -> "127.0.0.1"
std::string source_ip(netsnmp_transport* transport, const netsnmp_pdu* pdu) {
  if (!transport || !transport->f_fmtaddr || !pdu->transport_data) return {};
  char* text = transport->f_fmtaddr(transport, pdu->transport_data, pdu->transport_data_length);
  std::string formatted = text ? text : "";
  std::free(text);
  const size_t open = formatted.find('[');
  const size_t close = formatted.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return formatted;
  return formatted.substr(open + 1, close - open - 1);
}

struct UsmRefusals {
  uint64_t unknown_user = 0;
  uint64_t unauthenticated = 0;
  uint64_t malformed = 0;
};

UsmRefusals usm_refusals() {
  UsmRefusals r;
  r.unknown_user = snmp_get_statistic(STAT_USMSTATSUNKNOWNUSERNAMES) +
                   snmp_get_statistic(STAT_USMSTATSUNKNOWNENGINEIDS);
  r.unauthenticated = snmp_get_statistic(STAT_USMSTATSWRONGDIGESTS) +
                      snmp_get_statistic(STAT_USMSTATSDECRYPTIONERRORS) +
                      snmp_get_statistic(STAT_USMSTATSUNSUPPORTEDSECLEVELS) +
                      snmp_get_statistic(STAT_USMSTATSNOTINTIMEWINDOWS);
  r.malformed =
      snmp_get_statistic(STAT_SNMPINASNPARSEERRS) + snmp_get_statistic(STAT_SNMPINBADVERSIONS);
  return r;
}

// A trap worth keeping fits in a few KiB; bound what one sender can make us store.
bool too_large(const netsnmp_pdu* pdu) {
  size_t count = 0;
  size_t bytes = 0;
  for (auto* v = pdu->variables; v; v = v->next_variable) {
    ++count;
    bytes += v->val_len + v->name_length * sizeof(oid);
  }
  return count > kMaxTrapVarbinds || bytes > kMaxTrapBytes;
}

}  // namespace

TrapReceiver::TrapReceiver(TrapReceiverOptions options,
                           std::function<void(regwatch::v1::Event)> sink, const Clock& clock)
    : options_(std::move(options)), sink_(std::move(sink)), clock_(clock) {}

TrapReceiver::~TrapReceiver() {
  stop();
}

Status TrapReceiver::start() {
  init_net_snmp();
  const std::string where = "udp:" + options_.endpoint.to_string();
  netsnmp_transport* transport = netsnmp_transport_open_server("snmptrap", where.c_str());
  if (!transport) {
    // net-snmp says nothing of why; the one reason we can tell apart is the missing right.
    return make_error("listen", "cannot listen for SNMP traps on " + options_.endpoint.to_string() +
                                    ": " +
                                    privileged_port_refusal(options_.endpoint.port)
                                        .value_or("address in use, or not an address of this "
                                                  "host?"));
  }
  netsnmp_session session;
  snmp_sess_init(&session);
  session.peername = SNMP_DEFAULT_PEERNAME;
  session.version = SNMP_DEFAULT_VERSION;
  session.community_len = SNMP_DEFAULT_COMMUNITY_LEN;
  session.retries = SNMP_DEFAULT_RETRIES;
  session.timeout = SNMP_DEFAULT_TIMEOUT;
  session.callback = trampoline;
  session.callback_magic = this;
  session.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
  for (const auto& user : options_.users) {
    if (auto added = register_usm_user(user); !added.ok()) {
      netsnmp_transport_free(transport);
      return added.error();
    }
  }
  session_ = snmp_sess_add(&session, transport, nullptr, nullptr);
  if (!session_) {
    netsnmp_transport_free(transport);
    return make_error("listen",
                      "cannot open an SNMP trap session on " + options_.endpoint.to_string());
  }
  transport_ = transport;
  socket_fd_ = transport->sock;
  receive_buffer_bytes_ = set_udp_receive_buffer(socket_fd_, options_.receive_buffer_bytes);
  thread_ = std::thread([this] { run(); });
  return Ok{};
}

void TrapReceiver::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (session_) {
    snmp_sess_close(session_);
    session_ = nullptr;
    transport_ = nullptr;
    socket_fd_ = -1;
  }
}

TrapStats TrapReceiver::stats() const {
  TrapStats s;
  s.received = counters_.received;
  s.accepted = counters_.accepted;
  s.informs_acknowledged = counters_.informs;
  s.unknown_community = counters_.unknown_community;
  s.malformed = counters_.malformed;
  s.unsupported_version = counters_.unsupported_version;
  s.unknown_user = counters_.unknown_user;
  s.unauthenticated = counters_.unauthenticated;
  s.oversized = counters_.oversized;
  s.kernel_drops = counters_.kernel_drops;
  return s;
}

void TrapReceiver::run() {
  while (!stopping_) {
    int fds = 0;
    int block = 0;
    fd_set readable;
    FD_ZERO(&readable);
    timeval timeout{0, 200'000};  // how soon stop() is noticed
    snmp_sess_select_info(session_, &fds, &readable, &timeout, &block);
    timeval tick{0, 200'000};
    const int ready = select(fds, &readable, nullptr, nullptr, &tick);
    if (ready > 0) {
      const UsmRefusals before = usm_refusals();
      snmp_sess_read(session_, &readable);
      const UsmRefusals after = usm_refusals();
      // The library's counters are process-wide; pollers rarely move them,
      // and a v3 poll that fails this way also shows as snmp_poll_failed.
      counters_.unknown_user.fetch_add(after.unknown_user - before.unknown_user);
      counters_.unauthenticated.fetch_add(after.unauthenticated - before.unauthenticated);
      counters_.malformed.fetch_add(after.malformed - before.malformed);
    } else if (ready == 0) {
      snmp_sess_timeout(session_);
    }
    if (uint32_t cumulative = 0; read_kernel_drop_count(socket_fd_, cumulative)) {
      counters_.kernel_drops.fetch_add(kernel_drops_.observe(cumulative));
    }
  }
}

int TrapReceiver::on_pdu(int operation, void* raw) {
  if (operation != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) return 1;
  auto* pdu = static_cast<netsnmp_pdu*>(raw);
  counters_.received.fetch_add(1);
  TrapMessage trap;
  if (pdu->version == SNMP_VERSION_1) {
    trap.version = "1";
  } else if (pdu->version == SNMP_VERSION_2c) {
    trap.version = "2c";
  } else if (pdu->version == SNMP_VERSION_3) {
    // net-snmp checked the USM user, digest and privacy before calling us;
    // what it refused is counted from its statistics in run().
    trap.version = "3";
    trap.security_name.assign(pdu->securityName ? pdu->securityName : "", pdu->securityNameLen);
  } else {
    counters_.unsupported_version.fetch_add(1);
    return 1;
  }
  if (pdu->version != SNMP_VERSION_3) {
    const std::string community(reinterpret_cast<const char*>(pdu->community), pdu->community_len);
    if (community != options_.community) {
      counters_.unknown_community.fetch_add(1);
      return 1;
    }
  }
  if (too_large(pdu)) {
    counters_.oversized.fetch_add(1);
    return 1;
  }
  trap.peer = source_ip(static_cast<netsnmp_transport*>(transport_), pdu);
  if (pdu->command == SNMP_MSG_TRAP) {
    trap.trap_oid = v1_trap_oid(Oid(pdu->enterprise, pdu->enterprise + pdu->enterprise_length),
                                pdu->trap_type, pdu->specific_type);
    if (pdu->agent_addr[0] || pdu->agent_addr[1] || pdu->agent_addr[2] || pdu->agent_addr[3]) {
      trap.stated = std::to_string(pdu->agent_addr[0]) + "." + std::to_string(pdu->agent_addr[1]) +
                    "." + std::to_string(pdu->agent_addr[2]) + "." +
                    std::to_string(pdu->agent_addr[3]);
    }
  } else if (pdu->command == SNMP_MSG_TRAP2 || pdu->command == SNMP_MSG_INFORM) {
    trap.inform = pdu->command == SNMP_MSG_INFORM;
  } else {
    counters_.malformed.fetch_add(1);
    return 1;
  }
  for (auto* v = pdu->variables; v; v = v->next_variable) {
    VarBind bind = to_varbind(v);
    if (bind.oid == kSnmpTrapAddress0 && bind.type == ValueType::kIpAddress &&
        bind.octets.size() == 4 && trap.stated.empty()) {
      // A proxy forwarding the trap names the original sender here (RFC 3584 3.1); the
      // varbind stays with the others too.
      const auto byte = [&](size_t i) {
        return std::to_string(static_cast<uint8_t>(bind.octets[i]));
      };
      trap.stated = byte(0) + "." + byte(1) + "." + byte(2) + "." + byte(3);
    }
    if (bind.oid == kSnmpTrapOid0 && bind.type == ValueType::kOid) {
      trap.trap_oid = *parse_oid(bind.octets);
    } else if (bind.oid != kSysUpTime0) {
      trap.varbinds.push_back(std::move(bind));
    }
  }
  trap.sender = trap.stated.empty() ? trap.peer : trap.stated;
  if (trap.trap_oid.empty()) {
    counters_.malformed.fetch_add(1);
    return 1;
  }
  if (trap.inform) {
    netsnmp_pdu* reply = snmp_clone_pdu(pdu);
    if (reply) {
      reply->command = SNMP_MSG_RESPONSE;
      reply->errstat = 0;
      reply->errindex = 0;
      if (snmp_sess_send(session_, reply) == 0) {
        snmp_free_pdu(reply);
      } else {
        counters_.informs.fetch_add(1);
      }
    }
  }
  counters_.accepted.fetch_add(1);
  sink_(classify_trap(trap, clock_.now_us()));
  return 1;
}

}  // namespace regwatch::agent::snmp
