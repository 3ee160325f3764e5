"""SCCP (Skinny) PDUs the fleet simulator speaks: the registration and keepalive subset.

Layout of each message: see sccp_fleet_sim.py's docstring. Standard library only.
"""

import struct


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
