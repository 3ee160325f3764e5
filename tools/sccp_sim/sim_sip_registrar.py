"""The simulated CM's SIP registrar: REGISTER over UDP and TCP on one port, challenged with 401
(digest, MD5) and granted with 200 and the Expires the CM allows (--sip-expires, as CUCM grants
120 to a phone asking 3600); unknown phones refused with 403 and a Warning in reject mode. Plays
the CM's faults: stall (it reads REGISTERs and answers nothing), restart (every TCP connection
reset, nothing answered or accepted until it is back, its nonces and registrations forgotten).
"""

import asyncio
import hashlib
import re
import socket

import sip_messages as sm
from sim_call_manager import CMProto
from sim_wire import S2C

DEVICE_NAME = re.compile(r'\+u\.sip!devicename\.ccm\.cisco\.com="([^"]+)"', re.IGNORECASE)
MAX_NONCES = 100_000


class SipTcpProto(CMProto):
    """One phone's TCP connection at the registrar (the SCCP CM's connection, with SIP framing
    and replies written at once: a stalled registrar does not answer at all)."""

    def data_received(self, data):
        if self.closed:
            return
        if self.conn is None:
            self.wire_conn()
        try:
            messages, self.buf = sm.split_stream(self.buf + data if self.buf else data)
        except ValueError:
            self.cm.sim.counts["cm_sip_bad_messages"] += 1
            self.reset()
            return
        for raw in messages:
            self.cm.handle(raw, self.write_now, "tcp", self)

    def send(self, data):
        self.write_now(data)


class SipUdpProto(asyncio.DatagramProtocol):
    def __init__(self, registrar):
        self.registrar = registrar
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.registrar.on_datagram(data, addr)

    def error_received(self, exc):
        pass


class SipRegistrar:
    def __init__(self, sim, host, port):
        self.sim = sim
        self.host = host
        self.port = port
        self.server = None
        self.udp = None
        self.conns = set()
        self.by_device = {}  # CMProto's bookkeeping (TCP connections of registered phones)
        self.nonces = {}
        self.nonce_counter = 0
        self.stall_depth = 0
        self.reject_mode = sim.args.reject_unknown
        self.down = False

    @property
    def stalled(self):
        return self.stall_depth > 0

    async def listen(self):
        loop = self.sim.loop
        for _ in range(20):
            self.server = await loop.create_server(lambda: SipTcpProto(self), self.host, self.port,
                                                   reuse_address=True, backlog=4096)
            port = self.server.sockets[0].getsockname()[1]
            if self.udp is not None:
                break
            try:
                self.udp, _ = await loop.create_datagram_endpoint(
                    lambda: SipUdpProto(self), local_addr=(self.host, port))
                break
            except OSError:
                self.server.close()
                if self.port != 0:
                    raise
        self.port = self.server.sockets[0].getsockname()[1]
        self.down = False

    def address(self):
        return f"{self.host}:{self.port}"

    # -- requests
    def on_datagram(self, data, addr):
        sim = self.sim
        owner = sim.port_owner.get(addr[1])
        if owner is None or getattr(owner, "protocol", "sccp") != "sip":
            sim.counts["cm_sip_unknown_peers"] += 1
            return
        if data.strip(b"\r\n") == b"":
            return  # a CRLF keep-alive

        def reply(payload):
            sim.wire.udp(owner.ip_bytes, addr[1], socket.inet_aton(self.host), self.port,
                         owner.mac, S2C, payload)
            self.udp.sendto(payload, addr)
        self.handle(data, reply, "udp", None)

    def handle(self, raw, reply, transport, proto):
        c = self.sim.counts
        if self.down:
            c["cm_sip_dropped"] += 1
            return
        try:
            request = sm.parse(raw)
        except ValueError:
            c["cm_sip_bad_messages"] += 1
            return
        if not request.is_request:
            return
        if self.stalled:
            c["cm_sip_dropped"] += 1
            return
        if request.method != "REGISTER":
            reply(sm.response(request, 405, "Method Not Allowed", ["Allow: REGISTER"]))
            return
        c["cm_sip_registers"] += 1
        to_tag = hashlib.md5(request.header("call-id", "").encode()).hexdigest()[:10]
        match = DEVICE_NAME.search(request.header("contact", "") or "")
        name = match.group(1) if match else ""
        auth = sm.authorization(request)
        uri = request.start.split(" ")[1] if " " in request.start else ""
        if (not auth or auth.get("nonce") not in self.nonces or auth.get("response") !=
                sm.digest_response(auth.get("username", ""), auth.get("nonce", ""), "REGISTER", uri)):
            c["cm_sip_challenges"] += 1
            reply(sm.response(request, 401, "Unauthorized",
                              [f'WWW-Authenticate: Digest realm="{sm.REALM}", '
                               f'nonce="{self._nonce()}", algorithm=MD5'], to_tag))
            return
        if self.reject_mode and name not in self.sim.known:
            c["cm_sip_rejects"] += 1
            reply(sm.response(request, 403, "Forbidden",
                              [f'Warning: 399 {self.host} "Unknown Device"'], to_tag))
            return
        asked = sm.expires_of(request)
        if asked is None:
            asked = 3600
        if asked == 0:
            c["cm_sip_unregisters"] += 1
            if proto is not None and self.by_device.get(name) is proto:
                del self.by_device[name]
            reply(sm.response(request, 200, "OK", ["Expires: 0"], to_tag))
            return
        granted = min(asked, self.sim.args.sip_expires)
        if proto is not None and name:
            proto.device = name
            self.by_device[name] = proto
        contact = request.header("contact", "")
        reply(sm.response(request, 200, "OK", [f"Contact: {contact};expires={granted}",
                                                f"Expires: {granted}"], to_tag))

    def _nonce(self):
        self.nonce_counter += 1
        nonce = hashlib.md5(f"{self.sim.args.seed}:{self.nonce_counter}".encode()).hexdigest()
        if len(self.nonces) >= MAX_NONCES:
            self.nonces.pop(next(iter(self.nonces)))
        self.nonces[nonce] = True
        return nonce

    # -- faults
    def stall_start(self):
        self.stall_depth += 1

    def stall_end(self):
        self.stall_depth -= 1

    def restart_start(self):
        """Stop listening on TCP, reset every connection, forget nonces; UDP goes unanswered."""
        self.down = True
        self.server.close()
        for proto in list(self.conns):
            proto.reset()
        self.by_device.clear()
        self.nonces.clear()

    async def restart_end(self):
        await self.listen()

    def shutdown(self):
        if self.server is not None:
            self.server.close()
        for proto in list(self.conns):
            proto.shutdown()
        if self.udp is not None:
            self.udp.close()
