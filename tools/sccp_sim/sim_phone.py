"""A simulated SCCP phone: registers, keeps alive, re-registers after a reset or a lost CM,
and plays the phone-side faults (loss, unregister). Also the --fault option's parser.
"""

import argparse
import asyncio
import socket

from sccp_pdus import (KEEPALIVE_ACK, KEEPALIVE_PDU, MESSAGE_NAMES, REGISTER_ACK, REGISTER_REJECT,
                       RESET, UNREGISTER_ACK, UNREGISTER_PDU, cstr, register_pdu, split_pdus)
from sim_wire import C2S


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
