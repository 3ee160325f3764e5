"""DHCP as a Cisco phone speaks it: DISCOVER and REQUEST built by hand and sent as whole
Ethernet frames (AF_PACKET), answers read on UDP port 68.

Why raw frames: a phone has no address yet, so its DISCOVER and REQUEST leave from 0.0.0.0 with
the phone's own MAC as the Ethernet source. A plain UDP socket would put the veth's address and
MAC there (the test adds every phone's reserved address to that veth before the run), and the
capture would not look like a phone's. Standard library only.
"""

import ipaddress
import select
import socket
import struct
import time

DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = range(1, 9)
TYPE_NAMES = {DISCOVER: "discover", OFFER: "offer", REQUEST: "request", DECLINE: "decline",
              ACK: "ack", NAK: "nak", RELEASE: "release", INFORM: "inform"}
MAGIC = b"\x63\x82\x53\x63"
BROADCAST_FLAG = 0x8000
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
# What a 7965 asks for (subnet, router, DNS, domain, TFTP server name 66, TFTP servers 150).
PARAMETER_REQUEST = bytes([1, 3, 6, 15, 35, 66, 150])


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def option(code, value):
    return bytes([code, len(value)]) + value


def build(msg_type, xid, mac, hostname, vendor_class, requested_ip=None, server_id=None):
    """The BOOTP/DHCP payload (padded to BOOTP's 300 bytes, as phones send it)."""
    head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, BROADCAST_FLAG,
                       bytes(4), bytes(4), bytes(4), bytes(4), mac_bytes(mac), b"", b"")
    opts = option(53, bytes([msg_type])) + option(61, b"\x01" + mac_bytes(mac))
    if requested_ip:
        opts += option(50, socket.inet_aton(requested_ip))
    if server_id:
        opts += option(54, socket.inet_aton(server_id))
    opts += option(57, struct.pack("!H", 1500)) + option(12, hostname.encode())
    opts += option(60, vendor_class.encode()) + option(55, PARAMETER_REQUEST) + b"\xff"
    payload = head + MAGIC + opts
    return payload + bytes(max(0, 300 - len(payload)))


def parse(data):
    """A server's answer: dict with op, xid, yiaddr, chaddr, type and options {code: bytes}."""
    if len(data) < 240 or data[236:240] != MAGIC:
        return None
    op, _, hlen, _, xid = struct.unpack("!BBBBI", data[:8])
    out = {"op": op, "xid": xid, "yiaddr": socket.inet_ntoa(data[16:20]),
           "siaddr": socket.inet_ntoa(data[20:24]),
           "chaddr": ":".join(f"{b:02x}" for b in data[28:28 + min(hlen, 16)]), "options": {}}
    i = 240
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(data) or i + 2 + data[i + 1] > len(data):
            return None
        out["options"][code] = data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    t = out["options"].get(53)
    out["type"] = TYPE_NAMES.get(t[0], str(t[0])) if t else None
    return out


def ip_list(value):
    return [socket.inet_ntoa(value[i:i + 4]) for i in range(0, len(value) - len(value) % 4, 4)]


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(mac, payload, ip_id):
    """Ethernet/IPv4/UDP 0.0.0.0:68 -> 255.255.255.255:67 around a DHCP payload."""
    src, dst = bytes(4), b"\xff\xff\xff\xff"
    udp_len = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", 68, 67, udp_len, 0) + payload
    udp_sum = _checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", udp_sum) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, ip_id, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    return b"\xff" * 6 + mac_bytes(mac) + b"\x08\x00" + ip + udp


class DhcpClient:
    """One phone's DHCP: a raw sender on the interface and a UDP 68 listener bound to it.

    Several phones run at once: every listener is bound with SO_REUSEADDR, so each receives the
    server's broadcasts and keeps the ones with its own xid.
    """

    def __init__(self, ifname, mac):
        self.ifname = ifname
        self.mac = mac
        self.raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.raw.bind((ifname, 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        self.udp.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
        self.udp.bind(("0.0.0.0", 68))
        self.ip_id = 1

    def close(self):
        self.raw.close()
        self.udp.close()

    def send(self, payload):
        self.raw.send(frame(self.mac, payload, self.ip_id))
        self.ip_id += 1

    def wait_for(self, xid, types, timeout):
        """The first answer with xid whose type is in types, or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.udp], [], [], left)
            if not ready:
                return None
            data = self.udp.recv(4096)
            msg = parse(data)
            if msg and msg["op"] == 2 and msg["xid"] == xid and msg["type"] in types:
                return msg


def describe(msg):
    """The fields of an OFFER/ACK/NAK the simulator logs."""
    o = msg["options"]
    out = {"yiaddr": msg["yiaddr"]}
    if 54 in o:
        out["server_id"] = socket.inet_ntoa(o[54])
    if 150 in o:
        out["tftp_servers"] = ip_list(o[150])
    if 66 in o:
        out["tftp_server_name"] = o[66].rstrip(b"\0").decode(errors="replace")
    if 51 in o:
        out["lease_time_s"] = struct.unpack("!I", o[51])[0]
    if 1 in o:
        out["prefix"] = ipaddress.IPv4Network(f"0.0.0.0/{socket.inet_ntoa(o[1])}").prefixlen
    if 56 in o:
        out["message"] = o[56].decode(errors="replace")
    return out
