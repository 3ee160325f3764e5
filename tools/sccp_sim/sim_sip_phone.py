"""A simulated Cisco SIP phone: registers over UDP or TCP (REGISTER asking Expires: 3600, 401,
REGISTER with digest credentials, 200 with the granted Expires), refreshes at Expires - 5 s (half
of it when Expires is 10 s or less) on the same Call-ID, and keeps refreshing when the CM does
not answer (as the SCCP phones keep sending KeepAlives). Over UDP an unanswered REGISTER is
retransmitted as RFC 3261 says (Timer E: 0.5 s doubling to 4 s) until --register-timeout. When
the CM closes or resets its TCP connection, the phone reconnects and registers anew (new
Call-ID) with the Reason header Cisco phones send after losing their CM:
cisco-alarm:25 Name=SEP... Load=... Last=cm-closed-tcp. A 403 (or any final status >= 300 but
401) ends the registration; the phone tries again after --reject-retry.
"""

import asyncio
import socket

import sip_messages as sm
from sim_wire import C2S

T1, T2 = 0.5, 4.0  # RFC 3261 timers, seconds


class SipTcpPhoneProto(asyncio.Protocol):
    __slots__ = ("phone", "gen", "buf")

    def __init__(self, phone, gen):
        self.phone = phone
        self.gen = gen
        self.buf = b""

    def data_received(self, data):
        if self.gen != self.phone.gen:
            return
        try:
            messages, self.buf = sm.split_stream(self.buf + data if self.buf else data)
        except ValueError:
            self.phone.close("bad_message", retry=self.phone.sim.args.reconnect_delay)
            return
        for raw in messages:
            if self.gen != self.phone.gen:
                return
            self.phone.on_message(raw)

    def eof_received(self):
        if self.gen == self.phone.gen:
            self.phone.on_eof()
        return False

    def connection_lost(self, exc):
        if self.gen == self.phone.gen:
            self.phone.on_lost(exc)


class SipUdpPhoneProto(asyncio.DatagramProtocol):
    def __init__(self, phone):
        self.phone = phone

    def datagram_received(self, data, addr):
        self.phone.on_message(data)

    def error_received(self, exc):
        pass  # ICMP unreachable while the CM is down: the transaction times out


class SipPhone:
    protocol = "sip"

    def __init__(self, sim, idx, transport):
        self.sim = sim
        self.idx = idx
        self.name = "SEP00AA%08X" % idx
        self.mac = bytes.fromhex("00AA%08X" % idx)
        self.dn = str(100000 + idx)
        self.transport = transport  # "udp" or "tcp"
        self.state = "idle"
        self.gen = 0
        self.loss_depth = 0
        self.port = None
        self.local_ip = sim.phone_bind_ip
        self.ip_bytes = socket.inet_aton(self.local_ip)
        self.tcp = None   # asyncio transport of the TCP connection
        self.udp = None   # asyncio transport of the UDP socket
        self.conn = None  # the simulated wire of the TCP connection
        self.task = None
        self.timer = None       # connect / refresh / retry
        self.txn_timers = []    # retransmission and timeout of the REGISTER in flight
        self.txn = None         # (cseq, payload, expires)
        self.reg = None
        self.registrations = 0
        self.challenges_in_a_row = 0
        self.pending_reason = None  # Last= for the next new registration
        self.interval_real = 0.0

    @property
    def lossy(self):
        return self.loss_depth > 0

    def log(self, event, **kw):
        self.sim.log(event, phone=self.name, idx=self.idx, protocol="sip", **kw)

    def _cancel_timer(self):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _cancel_txn(self):
        for h in self.txn_timers:
            h.cancel()
        self.txn_timers = []
        self.txn = None

    # -- transport
    def schedule_connect(self, delay_sim):
        self._cancel_timer()
        self.state = "waiting"
        self.timer = self.sim.loop.call_later(delay_sim / self.sim.scale, self._start)

    def _start(self):
        self.timer = None
        if self.sim.stopping:
            return
        self.task = self.sim.loop.create_task(self.connect())

    async def connect(self):
        try:
            if self.transport == "udp":
                await self._open_udp()
            else:
                if not await self._open_tcp():
                    return
            self.begin_registration()
        finally:
            self.task = None

    async def _open_udp(self):
        if self.udp is not None:
            return
        sim = self.sim
        self.udp, _ = await sim.loop.create_datagram_endpoint(
            lambda: SipUdpPhoneProto(self), local_addr=(self.local_ip, 0))
        self.port = self.udp.get_extra_info("sockname")[1]
        sim.port_owner[self.port] = self

    async def _open_tcp(self):
        sim = self.sim
        if self.tcp is not None and not self.tcp.is_closing():
            return True
        if self.lossy:
            sim.counts["lost_tx"] += 1
            self.log("packet_lost", dir="tx", msg="SYN")
            self.schedule_connect(sim.args.reconnect_delay)
            return False
        self.state = "connecting"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.bind((self.local_ip, 0))
            self.port = sock.getsockname()[1]
            sim.port_owner[self.port] = self
            s_ip = socket.inet_aton(sim.sip_connect[0])
            try:
                await sim.loop.sock_connect(sock, sim.sip_connect)
            except ConnectionRefusedError:
                sim.wire.refused(self.ip_bytes, self.port, s_ip, sim.sip_connect[1], self.mac)
                sim.counts["connect_refused"] += 1
                self.log("connect_refused", local_port=self.port)
                sock.close()
                sim.port_owner.pop(self.port, None)
                self.schedule_connect(sim.args.reconnect_delay)
                return False
            except OSError as e:
                sock.close()
                sim.port_owner.pop(self.port, None)
                self.log("connect_failed", error=str(e))
                self.schedule_connect(sim.args.reconnect_delay)
                return False
            self.conn = sim.wire.open(self.ip_bytes, self.port, s_ip, sim.sip_connect[1], self.mac)
            self.gen += 1
            gen = self.gen
            try:
                transport, _ = await sim.loop.create_connection(
                    lambda: SipTcpPhoneProto(self, gen), sock=sock)
            except OSError as e:
                if gen == self.gen:
                    self.on_lost(e)
                return False
            sock = None
        except asyncio.CancelledError:
            if sock is not None:
                sock.close()
            raise
        if gen != self.gen or sim.stopping:
            transport.abort()
            return False
        self.tcp = transport
        sim.counts["connects"] += 1
        self.log("connected", local_port=self.port)
        return True

    def _send(self, data, what):
        sim = self.sim
        if self.lossy:
            sim.counts["lost_tx"] += 1
            self.log("packet_lost", dir="tx", msg=what)
            return False
        if self.transport == "udp":
            if self.udp is None:
                return False
            sim.wire.udp(self.ip_bytes, self.port, socket.inet_aton(sim.sip_connect[0]),
                         sim.sip_connect[1], self.mac, C2S, data)
            self.udp.sendto(data, sim.sip_connect)
            return True
        if self.tcp is None or self.tcp.is_closing():
            return False
        if not sim.wire.data(self.conn, C2S, data):
            return False
        self.tcp.write(data)
        return True

    # -- registration
    def begin_registration(self):
        """A new registration (new Call-ID), with the Reason header when the last one was lost."""
        self.registrations += 1
        call_id = "%012x-%d@%s" % (int.from_bytes(self.mac, "big"), self.registrations,
                                  self.local_ip)
        self.reg = sm.Registration(self, call_id, "%08x" % (self.idx * 7919 + self.registrations))
        self.state = "registering"
        self.challenges_in_a_row = 0
        self._register(3600)

    def _register(self, expires):
        sim = self.sim
        self._cancel_txn()
        reason = self.pending_reason if self.state == "registering" else None
        branch = "z9hG4bK%x%d%d" % (self.idx, self.registrations, self.reg.cseq + 1)
        payload = sm.register_request(self.reg, branch, expires, reason)
        self.txn = (self.reg.cseq, payload, expires)
        sim.counts["sip_registers_sent"] += 1
        self._send(payload, "REGISTER")
        if self.transport == "udp":
            self._arm_retransmit(T1)
        self.txn_timers.append(sim.loop.call_later(sim.args.register_timeout / sim.scale,
                                                   self._txn_timeout))

    def _arm_retransmit(self, interval):
        def retransmit():
            if self.txn is None:
                return
            self.sim.counts["sip_retransmissions"] += 1
            self._send(self.txn[1], "REGISTER")
            self._arm_retransmit(min(interval * 2, T2))
        self.txn_timers.append(self.sim.loop.call_later(interval / self.sim.scale, retransmit))

    def _txn_timeout(self):
        sim = self.sim
        expires = self.txn[2] if self.txn else None
        self._cancel_txn()
        sim.counts["register_timeouts"] += 1
        self.log("register_timeout")
        if self.state == "registered":
            # An unanswered refresh: keep the registration, refresh again at the next interval.
            self._schedule_refresh(max(0.0, self.interval_real * sim.scale
                                       - sim.args.register_timeout))
        elif self.state == "unregistering" or expires == 0:
            self.close("unregister_timeout", retry=sim.args.reconnect_delay)
        else:
            self.timer = sim.loop.call_later(sim.args.reconnect_delay / sim.scale,
                                             self._retry_registration)

    def _retry_registration(self):
        self.timer = None
        if not self.sim.stopping and self.state == "registering":
            self.task = self.sim.loop.create_task(self.connect())

    def _schedule_refresh(self, delay_sim):
        self._cancel_timer()
        self.timer = self.sim.loop.call_later(delay_sim / self.sim.scale, self._refresh)

    def _refresh(self):
        self.timer = None
        if self.state == "registered":
            self.sim.counts["sip_refreshes"] += 1
            self._register(3600)

    @staticmethod
    def refresh_after(granted):
        return granted - 5 if granted > 10 else granted / 2

    def on_message(self, raw):
        sim = self.sim
        c = sim.counts
        try:
            msg = sm.parse(raw)
        except ValueError:
            c["phone_unexpected_messages"] += 1
            return
        if self.lossy:
            c["lost_rx"] += 1
            self.log("packet_lost", dir="rx", msg=str(msg.status) if not msg.is_request else msg.method)
            return
        if msg.is_request or self.txn is None or msg.cseq != self.txn[0]:
            c["phone_unexpected_messages"] += 1
            return
        status = msg.status
        if status < 200:
            return
        expires = self.txn[2]
        self._cancel_txn()
        if status in (401, 407):
            self.challenges_in_a_row += 1
            nonce = sm.nonce_of(msg)
            if nonce is None or self.challenges_in_a_row > 3:
                self._rejected(msg)
                return
            self.reg.nonce = nonce
            self._register(expires)
            return
        self.challenges_in_a_row = 0
        if status >= 300:
            self._rejected(msg)
            return
        if expires == 0:
            c["unregistered"] += 1
            self.log("unregistered", status=status)
            self.close("unregistered", retry=sim.args.reconnect_delay)
            return
        granted = sm.expires_of(msg) or 3600
        if self.state == "registering":
            c["registered"] += 1
            self.state = "registered"
            self.log("registered", keepalive_s=granted, station_ip=self.local_ip,
                     local_port=self.port, transport=self.transport,
                     reason_last=self.pending_reason)
            self.pending_reason = None
        self.interval_real = self.refresh_after(granted) / sim.scale
        self._schedule_refresh(self.refresh_after(granted))

    def _rejected(self, msg):
        sim = self.sim
        sim.counts["rejected"] += 1
        text = msg.start.split(" ", 1)[1] if " " in msg.start else msg.start
        warning = msg.header("warning")
        self.log("rejected", status=msg.status, text=text, warning=warning)
        self.close("rejected", retry=sim.args.reject_retry)

    def unregister(self):
        if self.state != "registered":
            return False
        self._cancel_timer()
        self.state = "unregistering"
        self._register(0)
        return True

    # -- closing
    def _teardown(self, keep_udp=True):
        self._cancel_timer()
        self._cancel_txn()
        self.gen += 1
        if self.conn is not None:
            self.sim.wire.forget(self.conn)
            self.conn = None
        if self.tcp is not None and self.port is not None:
            if self.sim.port_owner.get(self.port) is self:
                del self.sim.port_owner[self.port]
        self.tcp = None
        if not keep_udp and self.udp is not None:
            self.udp.close()
            self.udp = None
        self.state = "idle"

    def close(self, reason, retry=None):
        """Ends the registration: TCP closes with FIN (UDP keeps its socket); then registers
        again after `retry` s."""
        if self.tcp is not None:
            if self.conn is not None:
                if self.lossy:
                    self.conn.dead = True
                else:
                    self.sim.wire.fin(self.conn, C2S)
            self.tcp.close()
        self._teardown()
        if retry is not None and not self.sim.stopping:
            self.schedule_connect(retry)

    def _lost_cm(self):
        if self.state in ("registered", "registering", "unregistering") and self.reg is not None:
            self.pending_reason = "cm-closed-tcp"

    def on_eof(self):
        if self.sim.stopping:
            return
        self._lost_cm()
        self.sim.counts["closed_by_cm"] += 1
        self.log("connection_closed", by="cm")
        self.close("closed_by_cm", retry=self.sim.args.reconnect_delay)

    def on_lost(self, exc):
        if self.sim.stopping:
            return
        if exc is None:
            self.on_eof()
            return
        self._lost_cm()
        if self.conn is not None:
            self.conn.dead = True
        self.sim.counts["connection_resets"] += 1
        self.log("connection_reset", error=type(exc).__name__)
        self._teardown()
        self.schedule_connect(self.sim.args.reconnect_delay)

    def shutdown(self):
        if self.task is not None:
            self.task.cancel()
        if self.tcp is not None:
            if self.conn is not None:
                self.sim.wire.fin(self.conn, C2S)
            self.tcp.close()
        self._teardown(keep_udp=False)
