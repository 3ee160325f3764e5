#!/usr/bin/env python3
"""sccp_fleet_sim: a fleet of simulated Cisco SCCP (Skinny) phones and a minimal call manager.

Runs N simulated phones and one call-manager (CM) endpoint in a single asyncio process. They
speak the registration and keepalive subset of SCCP over real TCP connections on loopback,
with real timers, and can write everything that crossed the wire to a classic pcap file
(synthesized frames: Ethernet/IPv4/TCP with correct sequence numbers and checksums), so a
packet-capture analyzer can be exercised with known ground truth.

Messages (little-endian; PDU = u32 length (= 4 + payload), u32 header version (0), u32 id):
  0x0000 KeepAlive        phone->CM  (no payload)
  0x0001 Register         phone->CM  name[16] userId instance stationIp(BE) deviceType
                                     maxStreams activeStreams protocolVer(u8) unknown(u8)
                                     phoneFeatures(u16) maxConferences   (48 bytes)
  0x0027 Unregister       phone->CM  unRegReasonCode
  0x0081 RegisterAck      CM->phone  keepAliveInterval dateTemplate[6] pad(u16)
                                     secondaryKeepAliveInterval maxProtocolVer(u8)
                                     unknown(u8) phoneFeatures(u16)      (20 bytes)
  0x009D RegisterReject   CM->phone  text[32]
  0x009F Reset            CM->phone  resetType (1 RESET, 2 RESTART)
  0x0100 KeepAliveAck     CM->phone  (no payload)
  0x0118 UnregisterAck    CM->phone  status (0 Ok)

Time: every timer is simulated seconds divided by --time-scale; log timestamps ("t_us") and
pcap timestamps are simulated time: --start-time + elapsed_real * time_scale.

Faults (--fault, repeatable, T/D in simulated seconds from the start):
  stall@T:D        CM reads but holds every reply for D s, then sends them at once
  loss@T:D:K       phones 1..K lose everything they send and receive for D s
  reject@T[:D]     CM rejects Register from unknown devices (the last --unknown K phones);
                   registered unknown phones are sent Reset so they re-register (and get
                   rejected); with D, reject mode ends after D s
  restart@T:D      CM sends TCP RST on every connection and refuses connections for D s
  unregister@T:K   phones 1..K send Unregister, get UnregisterAck, close (FIN), re-register
  reset@T:K[:TYPE] CM sends Reset (TYPE 1 RESET default, 2 RESTART) to phones 1..K; they
                   close (FIN) and re-register

Output: JSON lines on stdout (see tools/sccp_sim/README.md). Standard library only.
Example:
  python3 tools/sccp_sim/sccp_fleet_sim.py --phones 5 --keepalive 2 --duration 10 \\
      --pcap /tmp/simwork-a/a.pcap
"""

import argparse
import asyncio
import datetime as _dt
import json
import random
import resource
import signal
import socket
import struct
import sys
import time

# ---------------------------------------------------------------------------------------------
# SCCP encoding

KEEPALIVE = 0x0000
REGISTER = 0x0001
UNREGISTER = 0x0027
REGISTER_ACK = 0x0081
REGISTER_REJECT = 0x009D
RESET = 0x009F
KEEPALIVE_ACK = 0x0100
UNREGISTER_ACK = 0x0118

MESSAGE_NAMES = {KEEPALIVE: "KeepAlive", REGISTER: "Register", UNREGISTER: "Unregister",
                 REGISTER_ACK: "RegisterAck", REGISTER_REJECT: "RegisterReject",
                 RESET: "Reset", KEEPALIVE_ACK: "KeepAliveAck",
                 UNREGISTER_ACK: "UnregisterAck"}

DEVICE_TYPE_7941 = 115
PROTOCOL_VERSION = 20


def pdu(msg_id, payload=b""):
    return struct.pack("<III", 4 + len(payload), 0, msg_id) + payload


def register_pdu(name, station_ip):
    payload = struct.pack("<16sII4sIIIBBHI", name.encode("ascii"), 0, 1, station_ip,
                          DEVICE_TYPE_7941, 5, 0, PROTOCOL_VERSION, 0, 0, 0)
    assert len(payload) == 48
    return pdu(REGISTER, payload)


def register_ack_pdu(keepalive_s):
    payload = struct.pack("<I6sHIBBH", keepalive_s, b"M/D/YA", 0, 60, PROTOCOL_VERSION, 0, 0)
    assert len(payload) == 20
    return pdu(REGISTER_ACK, payload)


def register_reject_pdu(text):
    return pdu(REGISTER_REJECT, struct.pack("<32s", text.encode("ascii")[:31]))


KEEPALIVE_PDU = pdu(KEEPALIVE)
KEEPALIVE_ACK_PDU = pdu(KEEPALIVE_ACK)
UNREGISTER_PDU = pdu(UNREGISTER, struct.pack("<I", 0))
UNREGISTER_ACK_PDU = pdu(UNREGISTER_ACK, struct.pack("<I", 0))


def reset_pdu(reset_type):
    return pdu(RESET, struct.pack("<I", reset_type))


def split_pdus(buf):
    """Returns ([(msg_id, payload)], rest) or raises ValueError on a bad length."""
    out = []
    off = 0
    n = len(buf)
    while n - off >= 8:
        length = int.from_bytes(buf[off:off + 4], "little")
        if length < 4 or length > 65536:
            raise ValueError(f"bad SCCP length {length}")
        total = length + 8
        if n - off < total:
            break
        msg_id = int.from_bytes(buf[off + 8:off + 12], "little")
        out.append((msg_id, bytes(buf[off + 12:off + total])))
        off += total
    return out, buf[off:]


def cstr(b):
    return b.split(b"\0", 1)[0].decode("ascii", "replace")


# ---------------------------------------------------------------------------------------------
# Simulated wire: TCP state per connection and pcap frame synthesis

TH_FIN, TH_SYN, TH_RST, TH_PSH, TH_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS = 1460
MSS_OPT = struct.pack("!BBH", 2, 4, MSS)
CM_MAC = bytes.fromhex("02000000fe01")
C2S, S2C = 0, 1


def inet_checksum(data):
    # The ones' complement sum of 16-bit words is the big-endian number modulo 0xffff
    # (with 0xffff standing for a non-zero multiple).
    if len(data) & 1:
        data += b"\0"
    n = int.from_bytes(data, "big")
    s = n % 0xFFFF
    if s == 0 and n:
        s = 0xFFFF
    return ~s & 0xFFFF


class Conn:
    __slots__ = ("ip", "port", "mac", "seq", "fin", "dead", "ipid")

    def __init__(self, c_ip, c_port, s_ip, s_port, c_mac, c_isn, s_isn):
        self.ip = (c_ip, s_ip)
        self.port = (c_port, s_port)
        self.mac = (c_mac, CM_MAC)
        self.seq = [c_isn, s_isn]
        self.fin = [False, False]
        self.dead = False
        self.ipid = [c_isn & 0xFFFF, s_isn & 0xFFFF]


class Wire:
    """Tracks what crossed each simulated wire and writes it (optionally) to a pcap file."""

    def __init__(self, sim, path):
        self.sim = sim
        self.rng = random.Random(sim.args.seed ^ 0x5CC9)
        self.conns = {}  # (client ip, client port) -> Conn
        self.frames = 0
        self.last_ts = 0
        self.f = None
        if path:
            self.f = open(path, "wb", buffering=1 << 20)
            self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    # -- frames
    def _emit(self, conn, d, flags, seq, ack, payload=b"", opts=b"", win=65535):
        self.frames += 1
        if self.f is None:
            return
        o = 1 - d
        sip, dip = conn.ip[d], conn.ip[o]
        conn.ipid[d] = (conn.ipid[d] + 1) & 0xFFFF
        thl = 20 + len(opts)
        tcp = struct.pack("!HHIIBBHHH", conn.port[d], conn.port[o], seq & 0xFFFFFFFF,
                          ack & 0xFFFFFFFF, (thl // 4) << 4, flags, win, 0, 0) + opts + payload
        ck = inet_checksum(sip + dip + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
        tcp = tcp[:16] + ck.to_bytes(2, "big") + tcp[18:]
        iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), conn.ipid[d], 0x4000, 64, 6,
                          0, sip, dip)
        iph = iph[:10] + inet_checksum(iph).to_bytes(2, "big") + iph[12:]
        pkt = conn.mac[o] + conn.mac[d] + b"\x08\x00" + iph + tcp
        ts = self.sim.now_us()
        if ts < self.last_ts:
            ts = self.last_ts
        self.last_ts = ts
        self.f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(pkt), len(pkt)) + pkt)

    # -- connection events
    def get(self, c_ip, c_port):
        return self.conns.get((c_ip, c_port))

    def open(self, c_ip, c_port, s_ip, s_port, c_mac):
        """The three-way handshake; idempotent (either end may see the connection first)."""
        key = (c_ip, c_port)
        conn = self.conns.get(key)
        if conn is not None:
            return conn
        c_isn = self.rng.getrandbits(32)
        s_isn = self.rng.getrandbits(32)
        conn = Conn(c_ip, c_port, s_ip, s_port, c_mac, c_isn, s_isn)
        self.conns[key] = conn
        self._emit(conn, C2S, TH_SYN, c_isn, 0, opts=MSS_OPT)
        self._emit(conn, S2C, TH_SYN | TH_ACK, s_isn, c_isn + 1, opts=MSS_OPT)
        conn.seq = [c_isn + 1, s_isn + 1]
        self._emit(conn, C2S, TH_ACK, conn.seq[0], conn.seq[1])
        return conn

    def forget(self, conn):
        key = (conn.ip[0], conn.port[0])
        if self.conns.get(key) is conn:
            del self.conns[key]

    def refused(self, c_ip, c_port, s_ip, s_port, c_mac):
        """SYN answered by RST/ACK (nothing listening)."""
        isn = self.rng.getrandbits(32)
        conn = Conn(c_ip, c_port, s_ip, s_port, c_mac, isn, 0)
        self._emit(conn, C2S, TH_SYN, isn, 0, opts=MSS_OPT)
        self._emit(conn, S2C, TH_RST | TH_ACK, 0, isn + 1, win=0)

    def data(self, conn, d, payload):
        """One write call; returns False if nothing can cross the wire any more."""
        if conn.dead or conn.fin[d]:
            return False
        o = 1 - d
        for i in range(0, len(payload), MSS):
            chunk = payload[i:i + MSS]
            self._emit(conn, d, TH_PSH | TH_ACK, conn.seq[d], conn.seq[o], chunk)
            conn.seq[d] += len(chunk)
        if conn.fin[o]:
            # The peer has closed its socket (both ends here always close fully): its
            # kernel answers data with a reset.
            self._emit(conn, o, TH_RST | TH_ACK, conn.seq[o], conn.seq[d], win=0)
            conn.dead = True
        return True

    def fin(self, conn, d):
        """An orderly close by side d: FIN/ACK, acknowledged by the peer's kernel."""
        if conn.dead or conn.fin[d]:
            return
        o = 1 - d
        self._emit(conn, d, TH_FIN | TH_ACK, conn.seq[d], conn.seq[o])
        conn.seq[d] += 1
        conn.fin[d] = True
        self._emit(conn, o, TH_ACK, conn.seq[o], conn.seq[d])

    def rst(self, conn, d):
        if conn.dead or (conn.fin[0] and conn.fin[1]):
            return
        self._emit(conn, d, TH_RST | TH_ACK, conn.seq[d], conn.seq[1 - d], win=0)
        conn.dead = True

    def flush(self):
        if self.f:
            self.f.flush()

    def close(self):
        if self.f:
            self.f.close()
            self.f = None


# ---------------------------------------------------------------------------------------------
# Call manager


class CMProto(asyncio.Protocol):
    __slots__ = ("cm", "transport", "conn", "peer", "local", "buf", "held", "closed", "device")

    def __init__(self, cm):
        self.cm = cm
        self.transport = None
        self.conn = None
        self.buf = b""
        self.held = []
        self.closed = False
        self.device = None

    def connection_made(self, transport):
        self.transport = transport
        self.peer = transport.get_extra_info("peername")[:2]
        self.local = transport.get_extra_info("sockname")[:2]
        self.cm.conns.add(self)

    def wire_conn(self, create=False):
        """The simulated wire of this connection (None if it cannot be known any more).

        The phone records the handshake as soon as its connect() completes, before it sends
        anything, so once data has arrived the connection is known. Only a reset of a
        connection whose phone has not resumed yet needs `create`.
        """
        if self.conn is None:
            sim = self.cm.sim
            c_ip = socket.inet_aton(self.peer[0])
            self.conn = sim.wire.get(c_ip, self.peer[1])
            if self.conn is None and create:
                owner = sim.port_owner.get(self.peer[1])
                if owner is not None and owner.state == "connecting":
                    self.conn = sim.wire.open(c_ip, self.peer[1], socket.inet_aton(self.local[0]),
                                              self.local[1], owner.mac)
        return self.conn

    def data_received(self, data):
        if self.closed:
            return
        if self.conn is None:
            self.wire_conn()
        try:
            msgs, self.buf = split_pdus(self.buf + data if self.buf else data)
        except ValueError:
            self.reset()
            return
        for msg_id, payload in msgs:
            self.cm.handle(self, msg_id, payload)

    def eof_received(self):
        # The phone closed (FIN): close our side too; replies still held are dropped.
        if not self.closed:
            self.closed = True
            self.held = []
            conn = self.wire_conn()
            if conn is not None and not self.cm.sim.stopping:
                self.cm.sim.wire.fin(conn, S2C)
            self.transport.close()
        return False

    def connection_lost(self, exc):
        self.closed = True
        self.held = []
        self.cm.conns.discard(self)
        if self.device and self.cm.by_device.get(self.device) is self:
            del self.cm.by_device[self.device]

    def send(self, data):
        if self.closed:
            return
        if self.cm.stalled:
            self.held.append(data)
            self.cm.sim.counts["cm_replies_held"] += 1
            return
        self.write_now(data)

    def write_now(self, data):
        if self.closed or self.transport.is_closing():
            return
        conn = self.wire_conn()
        if conn is not None:
            self.cm.sim.wire.data(conn, S2C, data)
        self.transport.write(data)

    def flush_held(self):
        if self.held:
            data = b"".join(self.held)
            self.held = []
            self.write_now(data)

    def reset(self):
        """Close with TCP RST (SO_LINGER {1, 0})."""
        if self.closed:
            return
        self.closed = True
        self.held = []
        sock = self.transport.get_extra_info("socket")
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        conn = self.wire_conn(create=True)
        if conn is not None:
            self.cm.sim.wire.rst(conn, S2C)
        self.transport.abort()

    def shutdown(self):
        if self.closed:
            return
        self.closed = True
        conn = self.wire_conn()
        if conn is not None:
            self.cm.sim.wire.fin(conn, S2C)
        self.transport.close()


class CallManager:
    def __init__(self, sim, host, port):
        self.sim = sim
        self.host = host
        self.port = port
        self.server = None
        self.conns = set()
        self.by_device = {}
        self.stall_depth = 0
        self.reject_mode = sim.args.reject_unknown
        self.down = False

    @property
    def stalled(self):
        return self.stall_depth > 0

    async def listen(self):
        self.server = await self.sim.loop.create_server(
            lambda: CMProto(self), self.host, self.port, reuse_address=True, backlog=4096)
        self.port = self.server.sockets[0].getsockname()[1]
        self.down = False

    def address(self):
        return f"{self.host}:{self.port}"

    def handle(self, proto, msg_id, payload):
        sim = self.sim
        c = sim.counts
        if msg_id == KEEPALIVE:
            c["cm_keepalives"] += 1
            if sim.ack_delay > 0:
                sim.loop.call_later(sim.ack_delay, proto.send, KEEPALIVE_ACK_PDU)
            else:
                proto.send(KEEPALIVE_ACK_PDU)
        elif msg_id == REGISTER:
            name = cstr(payload[:16])
            c["cm_registers"] += 1
            if self.reject_mode and name not in sim.known:
                c["cm_rejects"] += 1
                proto.send(register_reject_pdu("Unknown Device"))
            else:
                proto.device = name
                self.by_device[name] = proto
                proto.send(register_ack_pdu(sim.args.keepalive))
        elif msg_id == UNREGISTER:
            c["cm_unregisters"] += 1
            if proto.device and self.by_device.get(proto.device) is proto:
                del self.by_device[proto.device]
            proto.device = None
            proto.send(UNREGISTER_ACK_PDU)
        else:
            c["cm_unknown_messages"] += 1

    # -- faults
    def stall_start(self):
        self.stall_depth += 1

    def stall_end(self):
        self.stall_depth -= 1
        if self.stall_depth == 0:
            held = 0
            for proto in list(self.conns):
                held += len(proto.held)
                proto.flush_held()
            return held
        return 0

    def restart_start(self):
        """Stop listening, then reset every connection."""
        self.down = True
        self.server.close()
        for proto in list(self.conns):
            proto.reset()
        self.by_device.clear()

    async def restart_end(self):
        await self.listen()

    def reachable(self, names):
        """The names among `names` that have a live registered connection."""
        return [n for n in names if n in self.by_device and not self.by_device[n].closed]

    def send_reset(self, names, reset_type):
        for name in names:
            proto = self.by_device.get(name)
            if proto is not None and not proto.closed:
                proto.send(reset_pdu(reset_type))

    def shutdown(self):
        if self.server is not None:
            self.server.close()
        for proto in list(self.conns):
            proto.shutdown()


# ---------------------------------------------------------------------------------------------
# Phones


class PhoneProto(asyncio.Protocol):
    __slots__ = ("phone", "gen", "buf")

    def __init__(self, phone, gen):
        self.phone = phone
        self.gen = gen
        self.buf = b""

    def data_received(self, data):
        if self.gen != self.phone.gen:
            return
        try:
            msgs, self.buf = split_pdus(self.buf + data if self.buf else data)
        except ValueError:
            self.phone.close("bad_pdu")
            return
        for msg_id, payload in msgs:
            if self.gen != self.phone.gen:
                return
            self.phone.on_pdu(msg_id, payload)

    def eof_received(self):
        if self.gen == self.phone.gen:
            self.phone.on_eof()
        return False

    def connection_lost(self, exc):
        if self.gen == self.phone.gen:
            self.phone.on_lost(exc)


class Phone:
    def __init__(self, sim, idx):
        self.sim = sim
        self.idx = idx
        self.name = "SEP00AA%08X" % idx
        self.mac = bytes.fromhex("00AA%08X" % idx)
        self.station_ip = bytes([10, 20, (idx // 250) & 0xFF, idx % 250 + 1])
        self.state = "idle"
        self.gen = 0
        self.transport = None
        self.conn = None
        self.port = None
        self.task = None
        self.timer = None  # keepalive / register timeout / unregister timeout / retry
        self.loss_depth = 0
        self.interval_real = 0.0
        self.next_ka = 0.0
        self.ka_sent_at = None

    @property
    def lossy(self):
        return self.loss_depth > 0

    def log(self, event, **kw):
        self.sim.log(event, phone=self.name, idx=self.idx, **kw)

    def _cancel_timer(self):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def schedule_connect(self, delay_sim):
        self._cancel_timer()
        self.state = "waiting"
        self.timer = self.sim.loop.call_later(delay_sim / self.sim.scale, self._start_connect)

    def _start_connect(self):
        self.timer = None
        if self.sim.stopping:
            return
        self.task = self.sim.loop.create_task(self.connect())

    async def connect(self):
        sim = self.sim
        if self.lossy:
            sim.counts["lost_tx"] += 1
            self.log("packet_lost", dir="tx", msg="SYN")
            self.schedule_connect(sim.args.reconnect_delay)
            return
        self.state = "connecting"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.bind((sim.phone_bind_ip, 0))
            self.port = sock.getsockname()[1]
            sim.port_owner[self.port] = self
            c_ip = socket.inet_aton(sock.getsockname()[0])
            s_ip = socket.inet_aton(sim.cm_connect[0])
            try:
                await sim.loop.sock_connect(sock, sim.cm_connect)
            except ConnectionRefusedError:
                sim.wire.refused(c_ip, self.port, s_ip, sim.cm_connect[1], self.mac)
                sim.counts["connect_refused"] += 1
                self.log("connect_refused", local_port=self.port)
                sock.close()
                sim.port_owner.pop(self.port, None)
                self.schedule_connect(sim.args.reconnect_delay)
                return
            except OSError as e:
                sock.close()
                sim.port_owner.pop(self.port, None)
                self.log("connect_failed", error=str(e))
                self.schedule_connect(sim.args.reconnect_delay)
                return
            self.conn = sim.wire.open(c_ip, self.port, s_ip, sim.cm_connect[1], self.mac)
            self.gen += 1
            gen = self.gen
            try:
                transport, _ = await sim.loop.create_connection(lambda: PhoneProto(self, gen),
                                                                sock=sock)
            except OSError as e:
                if gen == self.gen:
                    self.on_lost(e)
                return
            sock = None
        except asyncio.CancelledError:
            if sock is not None:
                sock.close()
            raise
        finally:
            self.task = None
        if gen != self.gen or sim.stopping:
            transport.abort()
            return
        self.transport = transport
        sim.counts["connects"] += 1
        self.log("connected", local_port=self.port)
        self.state = "registering"
        self.send(register_pdu(self.name, self.station_ip), "Register")
        self.timer = sim.loop.call_later(sim.args.register_timeout / sim.scale,
                                         self._register_timeout)

    def _register_timeout(self):
        self.timer = None
        if self.state == "registering":
            self.sim.counts["register_timeouts"] += 1
            self.log("register_timeout")
            self.close("register_timeout", retry=self.sim.args.reconnect_delay)

    def send(self, data, what):
        """One write call. Returns True if it was handed to the socket."""
        sim = self.sim
        if self.lossy:
            sim.counts["lost_tx"] += 1
            self.log("packet_lost", dir="tx", msg=what)
            return False
        if self.transport is None or self.transport.is_closing():
            return False
        if not sim.wire.data(self.conn, C2S, data):
            return False
        self.transport.write(data)
        return True

    def on_pdu(self, msg_id, payload):
        sim = self.sim
        c = sim.counts
        if self.lossy:
            c["lost_rx"] += 1
            self.log("packet_lost", dir="rx", msg=MESSAGE_NAMES.get(msg_id, "0x%04X" % msg_id))
            return
        if msg_id == KEEPALIVE_ACK:
            c["keepalive_acks"] += 1
            if sim.verbose:
                rtt = None
                if self.ka_sent_at is not None:
                    rtt = round((sim.loop.time() - self.ka_sent_at) * sim.scale * 1000, 3)
                self.log("ack_received", rtt_ms=rtt)
        elif msg_id == REGISTER_ACK and self.state == "registering":
            self._cancel_timer()
            keepalive = int.from_bytes(payload[0:4], "little") if len(payload) >= 4 else 30
            if keepalive <= 0:
                keepalive = 30
            c["registered"] += 1
            self.state = "registered"
            self.log("registered", keepalive_s=keepalive,
                     station_ip=socket.inet_ntoa(self.station_ip), local_port=self.port)
            self.interval_real = keepalive / sim.scale
            jitter = sim.rng.uniform(0, keepalive) / sim.scale
            self.next_ka = sim.loop.time() + jitter
            self.timer = sim.loop.call_at(self.next_ka, self._keepalive)
        elif msg_id == REGISTER_REJECT:
            c["rejected"] += 1
            self.log("rejected", text=cstr(payload[:32]))
            self.close("rejected", retry=sim.args.reject_retry)
        elif msg_id == UNREGISTER_ACK:
            status = int.from_bytes(payload[0:4], "little") if len(payload) >= 4 else None
            c["unregistered"] += 1
            self.log("unregistered", status=status)
            self.close("unregistered", retry=sim.args.reconnect_delay)
        elif msg_id == RESET:
            reset_type = int.from_bytes(payload[0:4], "little") if len(payload) >= 4 else None
            c["resets_received"] += 1
            self.log("reset_received", reset_type=reset_type)
            self.close("reset", retry=sim.args.reconnect_delay)
        else:
            c["phone_unexpected_messages"] += 1

    def _keepalive(self):
        self.timer = None
        if self.state != "registered":
            return
        sim = self.sim
        if self.send(KEEPALIVE_PDU, "KeepAlive"):
            sim.counts["keepalives_sent"] += 1
            self.ka_sent_at = sim.loop.time()
            if sim.verbose:
                self.log("keepalive_sent")
        self.next_ka += self.interval_real
        now = sim.loop.time()
        if self.next_ka < now:  # fell behind (e.g. a paused process): do not burst
            self.next_ka = now
        self.timer = sim.loop.call_at(self.next_ka, self._keepalive)

    def unregister(self):
        if self.state != "registered":
            return False
        self._cancel_timer()
        self.state = "unregistering"
        self.send(UNREGISTER_PDU, "Unregister")
        # No answer (lost, CM stalled for long): give up and close after one interval.
        self.timer = self.sim.loop.call_later(max(self.interval_real, 1.0 / self.sim.scale),
                                              self._unregister_timeout)
        return True

    def _unregister_timeout(self):
        self.timer = None
        if self.state == "unregistering":
            self.log("unregister_timeout")
            self.close("unregister_timeout", retry=self.sim.args.reconnect_delay)

    def _teardown(self):
        self._cancel_timer()
        self.gen += 1
        if self.conn is not None:
            self.sim.wire.forget(self.conn)
            self.conn = None
        if self.port is not None:
            if self.sim.port_owner.get(self.port) is self:
                del self.sim.port_owner[self.port]
        self.transport = None
        self.state = "idle"

    def close(self, reason, retry=None):
        """Orderly close from the phone (FIN), then re-register after `retry` s."""
        if self.transport is not None:
            if self.conn is not None:
                if self.lossy:
                    # The FIN is lost too: the capture shows the connection going silent.
                    self.conn.dead = True
                else:
                    self.sim.wire.fin(self.conn, C2S)
            self.transport.close()
        self._teardown()
        if retry is not None and not self.sim.stopping:
            self.schedule_connect(retry)

    def on_eof(self):
        # The CM closed with FIN.
        if self.sim.stopping:
            return
        self.sim.counts["closed_by_cm"] += 1
        self.log("connection_closed", by="cm")
        self.close("closed_by_cm", retry=self.sim.args.reconnect_delay)

    def on_lost(self, exc):
        if self.sim.stopping:
            return
        if exc is None:
            self.on_eof()
            return
        if self.conn is not None:
            self.conn.dead = True
        self.sim.counts["connection_resets"] += 1
        self.log("connection_reset", error=type(exc).__name__)
        self._teardown()
        self.schedule_connect(self.sim.args.reconnect_delay)

    def shutdown(self):
        if self.task is not None:
            self.task.cancel()
        self._cancel_timer()
        if self.transport is not None:
            if self.conn is not None:
                self.sim.wire.fin(self.conn, C2S)
            self.transport.close()
        self._teardown()


# ---------------------------------------------------------------------------------------------
# Faults


def parse_fault(spec):
    try:
        kind, _, rest = spec.partition("@")
        parts = rest.split(":") if rest else []
        nums = [float(p) for p in parts]
        arity = {"stall": (2, 2), "loss": (3, 3), "reject": (1, 2), "restart": (2, 2),
                 "unregister": (2, 2), "reset": (2, 3)}
        if kind not in arity:
            raise ValueError(f"unknown fault kind {kind!r}")
        lo, hi = arity[kind]
        if not lo <= len(nums) <= hi:
            raise ValueError(f"{kind} takes {lo if lo == hi else f'{lo} or {hi}'} numbers "
                             f"after @")
        if any(n < 0 for n in nums):
            raise ValueError("negative number")
        return (kind, nums)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"bad --fault {spec!r}: {e}") from None


class Sim:
    def __init__(self, args):
        self.args = args
        self.scale = args.time_scale
        self.verbose = args.verbose
        self.ack_delay = args.ack_delay_ms / 1000.0 / self.scale
        self.rng = random.Random(args.seed)
        self.loop = None
        self.stopping = False
        self.port_owner = {}
        self.counts = {k: 0 for k in (
            "connects", "connect_refused", "registered", "rejected", "register_timeouts",
            "keepalives_sent", "keepalive_acks", "lost_tx", "lost_rx", "unregistered",
            "resets_received", "connection_resets", "closed_by_cm", "phone_unexpected_messages",
            "cm_registers", "cm_rejects", "cm_keepalives", "cm_unregisters", "cm_replies_held",
            "cm_unknown_messages")}
        self.start_us = args.start_us
        self.real0 = None
        self.out = sys.stdout
        self.phones = []
        self.known = set()
        self.stop_event = None
        self.stop_reason = None
        self.handles = []

    def now_us(self):
        return self.start_us + int((self.loop.time() - self.real0) * self.scale * 1e6)

    def log(self, event, **kw):
        if self.out is None:
            return
        rec = {"event": event, "t_us": self.now_us()}
        rec.update(kw)
        try:
            self.out.write(json.dumps(rec, separators=(",", ":")) + "\n")
            self.out.flush()
        except (BrokenPipeError, ValueError):
            self.out = None  # the reader went away; keep running (the pcap still matters)

    def at(self, t_sim, fn, *a):
        self.handles.append(self.loop.call_later(t_sim / self.scale, fn, *a))

    def stop(self, reason):
        if self.stop_reason is None:
            self.stop_reason = reason
        self.stop_event.set()

    # -- fault actions
    def schedule_fault(self, kind, nums):
        if kind == "stall":
            t, d = nums
            self.at(t, self._stall_start, t, d)
        elif kind == "loss":
            t, d, k = nums
            self.at(t, self._loss_start, t, d, int(k))
        elif kind == "reject":
            t = nums[0]
            d = nums[1] if len(nums) > 1 else None
            self.at(t, self._reject_start, t, d)
        elif kind == "restart":
            t, d = nums
            self.at(t, self._restart_start, t, d)
        elif kind == "unregister":
            t, k = nums
            self.at(t, self._unregister, t, int(k))
        elif kind == "reset":
            t, k = nums[0], int(nums[1])
            reset_type = int(nums[2]) if len(nums) > 2 else 1
            self.at(t, self._reset, t, k, reset_type)

    def _stall_start(self, t, d):
        self.log("fault_start", fault="stall", at_s=t, duration_s=d)
        self.cm.stall_start()
        self.handles.append(self.loop.call_later(d / self.scale, self._stall_end))

    def _stall_end(self):
        held = self.cm.stall_end()
        self.log("fault_end", fault="stall", released_replies=held)

    def _loss_start(self, t, d, k):
        phones = self.phones[:k]
        self.log("fault_start", fault="loss", at_s=t, duration_s=d, phones=len(phones))
        before = (self.counts["lost_tx"], self.counts["lost_rx"])
        for p in phones:
            p.loss_depth += 1
        self.handles.append(self.loop.call_later(d / self.scale, self._loss_end, phones, before))

    def _loss_end(self, phones, before):
        for p in phones:
            p.loss_depth -= 1
        self.log("fault_end", fault="loss", phones=len(phones),
                 lost_tx=self.counts["lost_tx"] - before[0],
                 lost_rx=self.counts["lost_rx"] - before[1])

    def _reject_start(self, t, d):
        self.cm.reject_mode = True
        unknown = [p.name for p in self.phones if p.name not in self.known]
        targets = self.cm.reachable(unknown)
        self.log("fault_start", fault="reject", at_s=t, duration_s=d, unknown=len(unknown),
                 reset_sent=len(targets))
        self.cm.send_reset(targets, 1)
        if d is not None:
            self.handles.append(self.loop.call_later(d / self.scale, self._reject_end))

    def _reject_end(self):
        self.cm.reject_mode = False
        self.log("fault_end", fault="reject")

    def _restart_start(self, t, d):
        if self.cm.down:
            self.log("fault_start", fault="restart", at_s=t, duration_s=d, skipped="cm_down")
            return
        n = sum(1 for proto in self.cm.conns if not proto.closed)
        self.log("fault_start", fault="restart", at_s=t, duration_s=d, connections_reset=n)
        self.cm.restart_start()
        self.handles.append(self.loop.call_later(d / self.scale, self._restart_end))

    def _restart_end(self):
        async def reopen():
            try:
                await self.cm.restart_end()
                self.log("fault_end", fault="restart", address=self.cm.address())
            except OSError as e:
                self.log("fault_end", fault="restart", error=str(e))
                self.stop("restart_failed")
        if not self.stopping:
            self.loop.create_task(reopen())

    def _unregister(self, t, k):
        phones = self.phones[:k]
        targets = [p for p in phones if p.state == "registered"]
        self.log("fault_start", fault="unregister", at_s=t, phones=len(phones),
                 sent=len(targets))
        for p in targets:
            p.unregister()

    def _reset(self, t, k, reset_type):
        targets = self.cm.reachable([p.name for p in self.phones[:k]])
        self.log("fault_start", fault="reset", at_s=t, phones=k, reset_type=reset_type,
                 sent=len(targets))
        self.cm.send_reset(targets, reset_type)

    # -- main
    async def run(self):
        args = self.args
        self.loop = asyncio.get_running_loop()
        self.real0 = self.loop.time()
        self.stop_event = asyncio.Event()
        self.wire = Wire(self, args.pcap)
        host, port = args.cm_listen
        self.cm = CallManager(self, host, port)
        await self.cm.listen()
        connect_host = host if host not in ("0.0.0.0", "") else "127.0.0.1"
        self.cm_connect = (connect_host, self.cm.port)
        # The phones connect from the CM's own (local) address, so both ends are known
        # before connect() and a refused attempt can be recorded too.
        self.phone_bind_ip = connect_host
        self.log("cm_listening", address=self.cm.address())

        n_known = max(0, args.phones - args.unknown)
        self.phones = [Phone(self, i) for i in range(1, args.phones + 1)]
        self.known = {p.name for p in self.phones[:n_known]}
        for kind, nums in args.fault:
            self.schedule_fault(kind, nums)
        for p in self.phones:
            p.schedule_connect(self.rng.uniform(0, args.register_spread)
                               if args.register_spread > 0 else 0)

        for sig in (signal.SIGINT, signal.SIGTERM):
            self.loop.add_signal_handler(sig, self.stop, signal.Signals(sig).name)
        if args.duration is not None:
            self.handles.append(self.loop.call_later(args.duration / self.scale,
                                                     self.stop, "duration"))
        flusher = self.loop.create_task(self._flush_periodically())
        await self.stop_event.wait()
        flusher.cancel()

        # Stop: no Unregister, just close every connection (phone FIN first). The
        # pcap ends before those closes, as a capture stopped by an operator would:
        # a decoder must not read the simulator's exit as 40 phones losing their CM.
        self.stopping = True
        stopped_at = self.loop.time()
        self.log("stopping", reason=self.stop_reason)
        frames_at_stop = self.wire.frames
        self.wire.close()
        for h in self.handles:
            h.cancel()
        registered_at_end = sum(1 for p in self.phones if p.state == "registered")
        for p in self.phones:
            p.shutdown()
        self.cm.shutdown()
        for _ in range(3):
            await asyncio.sleep(0)
        summary = dict(self.counts)
        summary.update(phones=args.phones, registered_at_end=registered_at_end,
                       pcap_frames=frames_at_stop,
                       sim_elapsed_s=round((stopped_at - self.real0) * self.scale, 3),
                       real_elapsed_s=round(stopped_at - self.real0, 3),
                       reason=self.stop_reason)
        self.wire.close()
        self.log("summary", **summary)

    async def _flush_periodically(self):
        while True:
            await asyncio.sleep(1.0)
            self.wire.flush()


# ---------------------------------------------------------------------------------------------
# Command line


def parse_hostport(s):
    host, sep, port = s.rpartition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {s!r}")
    host = host or "127.0.0.1"
    try:
        socket.inet_aton(host)
        if host.count(".") != 3:
            raise OSError
    except OSError:
        raise argparse.ArgumentTypeError(f"HOST must be an IPv4 address, got {host!r}") from None
    try:
        port = int(port)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad port in {s!r}") from None
    return host, port


def parse_time(s):
    try:
        t = _dt.datetime.fromisoformat(s.replace("z", "Z"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad RFC 3339 time {s!r}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return int(round(t.timestamp() * 1e6))


def positive(s):
    v = float(s)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {s}")
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Simulated Cisco SCCP phones and a minimal call manager on loopback, "
                    "with fault injection and pcap output.")
    ap.add_argument("--phones", type=int, default=10, help="number of phones (default 10)")
    ap.add_argument("--cm-listen", type=parse_hostport, default=("127.0.0.1", 0),
                    metavar="HOST:PORT", help="CM listen address (default 127.0.0.1:0)")
    ap.add_argument("--keepalive", type=int, default=30,
                    help="keepAliveInterval sent in RegisterAck, seconds (default 30)")
    ap.add_argument("--ack-delay-ms", type=float, default=0.0,
                    help="CM delay before each KeepAliveAck, simulated ms (default 0)")
    ap.add_argument("--reconnect-delay", type=float, default=2.0,
                    help="seconds before a phone reconnects after a close/reset (default 2)")
    ap.add_argument("--reject-retry", type=float, default=10.0,
                    help="seconds before a rejected phone retries (default 10)")
    ap.add_argument("--register-timeout", type=float, default=10.0,
                    help="seconds a phone waits for RegisterAck/Reject before closing "
                         "and retrying (default 10)")
    ap.add_argument("--register-spread", type=float, default=0.0,
                    help="spread the initial connects uniformly over this many seconds "
                         "(default 0: all at once)")
    ap.add_argument("--unknown", type=int, default=0,
                    help="the last K phones are unknown to the CM (default 0)")
    ap.add_argument("--reject-unknown", action="store_true",
                    help="reject unknown devices from the start")
    ap.add_argument("--time-scale", type=positive, default=1.0,
                    help="divide every real timer by X; timestamps stay simulated (default 1)")
    ap.add_argument("--duration", type=positive, default=None,
                    help="stop after this many simulated seconds (default: run until "
                         "SIGINT/SIGTERM)")
    ap.add_argument("--start-time", type=parse_time, default=None, metavar="RFC3339",
                    help="simulated epoch for t_us and pcap timestamps (default now)")
    ap.add_argument("--pcap", default=None, metavar="FILE", help="write a pcap of the traffic")
    ap.add_argument("--fault", type=parse_fault, action="append", default=[], metavar="SPEC",
                    help="stall@T:D | loss@T:D:K | reject@T[:D] | restart@T:D | "
                         "unregister@T:K | reset@T:K[:TYPE] (repeatable)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (jitter, ISNs)")
    ap.add_argument("--verbose", action="store_true",
                    help="also log keepalive_sent and ack_received lines")
    args = ap.parse_args(argv)
    if args.phones < 0 or args.phones > 60000:
        ap.error("--phones must be 0..60000")
    if args.unknown < 0 or args.unknown > args.phones:
        ap.error("--unknown must be 0..--phones")
    if args.keepalive <= 0:
        ap.error("--keepalive must be > 0")
    if args.start_time is None:
        args.start_us = int(time.time() * 1e6)
    else:
        args.start_us = args.start_time

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * args.phones + 64
    if soft < want and (hard == resource.RLIM_INFINITY or hard > soft):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE,
                               (want if hard == resource.RLIM_INFINITY else min(want, hard),
                                hard))
        except (ValueError, OSError):
            pass

    sim = Sim(args)
    asyncio.run(sim.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
