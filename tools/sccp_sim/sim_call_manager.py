"""The simulator's minimal call manager: accepts Register, answers KeepAlive, and plays the
faults (stall, reject, restart, reset) on its connections.
"""

import asyncio
import socket
import struct

from sccp_pdus import (KEEPALIVE, KEEPALIVE_ACK_PDU, REGISTER, UNREGISTER, UNREGISTER_ACK_PDU,
                       cstr, register_ack_pdu, register_reject_pdu, reset_pdu, split_pdus)
from sim_wire import S2C


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
