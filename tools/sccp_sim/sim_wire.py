"""The simulator's wire recorder: synthesized Ethernet/IPv4/TCP frames with correct sequence
numbers and checksums for every byte the phones and the CM exchanged, written as a classic pcap.
"""

import random
import struct


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
        self.udp_ipid = 0
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
        self._write(conn.mac[o] + conn.mac[d] + b"\x08\x00" + iph + tcp)

    def _write(self, pkt):
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

    def udp(self, c_ip, c_port, s_ip, s_port, c_mac, d, payload):
        """One UDP datagram between a phone (c_*) and the CM (s_*), in direction d."""
        self.frames += 1
        if self.f is None:
            return
        ips, ports, macs = (c_ip, s_ip), (c_port, s_port), (c_mac, CM_MAC)
        o = 1 - d
        sip, dip = ips[d], ips[o]
        self.udp_ipid = (self.udp_ipid + 1) & 0xFFFF
        udp = struct.pack("!HHHH", ports[d], ports[o], 8 + len(payload), 0) + payload
        ck = inet_checksum(sip + dip + struct.pack("!BBH", 0, 17, len(udp)) + udp)
        udp = udp[:6] + (ck or 0xFFFF).to_bytes(2, "big") + udp[8:]  # 0 means "none" in UDP
        iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), self.udp_ipid, 0x4000, 64, 17,
                          0, sip, dip)
        iph = iph[:10] + inet_checksum(iph).to_bytes(2, "big") + iph[12:]
        self._write(macs[o] + macs[d] + b"\x08\x00" + iph + udp)

    def flush(self):
        if self.f:
            self.f.flush()

    def close(self):
        if self.f:
            self.f.close()
            self.f = None


# ---------------------------------------------------------------------------------------------
# Call manager
