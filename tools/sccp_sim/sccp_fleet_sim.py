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

SIP phones (--sip-phones M, numbered after the SCCP ones; --sip-transport udp|tcp|mixed): REGISTER
over UDP or TCP to the CM's SIP registrar (--sip-listen), 401 then 200 with the granted Expires
(--sip-expires), refreshes at Expires - 5 s; the same faults (sim_sip_phone.py, README.md).

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
import sys
import time

from sim_call_manager import CallManager
from sim_phone import Phone, parse_fault
from sim_sip_phone import SipPhone
from sim_sip_registrar import SipRegistrar
from sim_wire import Wire


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
            "cm_unknown_messages", "sip_registers_sent", "sip_refreshes", "sip_retransmissions",
            "cm_sip_registers", "cm_sip_challenges", "cm_sip_rejects", "cm_sip_unregisters",
            "cm_sip_dropped", "cm_sip_bad_messages", "cm_sip_unknown_peers")}
        self.start_us = args.start_us
        self.real0 = None
        self.out = sys.stdout
        self.phones = []
        self.known = set()
        self.stop_event = None
        self.stop_reason = None
        self.handles = []
        self.sip = None
        self.sip_connect = None

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
        if self.sip is not None:
            self.sip.stall_start()
        self.handles.append(self.loop.call_later(d / self.scale, self._stall_end))

    def _stall_end(self):
        held = self.cm.stall_end()
        if self.sip is not None:
            self.sip.stall_end()
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
        if self.sip is not None:
            self.sip.reject_mode = True  # unknown SIP phones get 403 at their next REGISTER
        unknown = [p.name for p in self.phones if p.name not in self.known]
        targets = self.cm.reachable(unknown)
        self.log("fault_start", fault="reject", at_s=t, duration_s=d, unknown=len(unknown),
                 reset_sent=len(targets))
        self.cm.send_reset(targets, 1)
        if d is not None:
            self.handles.append(self.loop.call_later(d / self.scale, self._reject_end))

    def _reject_end(self):
        self.cm.reject_mode = False
        if self.sip is not None:
            self.sip.reject_mode = False
        self.log("fault_end", fault="reject")

    def _restart_start(self, t, d):
        if self.cm.down:
            self.log("fault_start", fault="restart", at_s=t, duration_s=d, skipped="cm_down")
            return
        n = sum(1 for proto in self.cm.conns if not proto.closed)
        if self.sip is not None:
            n += sum(1 for proto in self.sip.conns if not proto.closed)
        self.log("fault_start", fault="restart", at_s=t, duration_s=d, connections_reset=n)
        self.cm.restart_start()
        if self.sip is not None:
            self.sip.restart_start()
        self.handles.append(self.loop.call_later(d / self.scale, self._restart_end))

    def _restart_end(self):
        async def reopen():
            try:
                await self.cm.restart_end()
                if self.sip is not None:
                    await self.sip.restart_end()
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
        if args.sip_phones > 0:
            sip_host, sip_port = args.sip_listen
            self.sip = SipRegistrar(self, sip_host, sip_port)
            await self.sip.listen()
            self.sip_connect = (sip_host if sip_host not in ("0.0.0.0", "") else "127.0.0.1",
                                self.sip.port)
            self.log("sip_listening", address=self.sip.address(), transport=args.sip_transport,
                     expires_s=args.sip_expires)

        total = args.phones + args.sip_phones
        n_known = max(0, total - args.unknown)
        self.phones = [Phone(self, i) for i in range(1, args.phones + 1)]
        self.phones += [SipPhone(self, i, sip_transport(args.sip_transport, i))
                        for i in range(args.phones + 1, total + 1)]
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
        if self.sip is not None:
            self.sip.shutdown()
        for _ in range(3):
            await asyncio.sleep(0)
        summary = dict(self.counts)
        summary.update(phones=args.phones, sip_phones=args.sip_phones,
                       registered_at_end=registered_at_end,
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


def sip_transport(choice, idx):
    """The transport of SIP phone idx: udp, tcp, or (mixed) tcp for odd and udp for even ones."""
    if choice == "mixed":
        return "tcp" if idx % 2 else "udp"
    return choice


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
    ap.add_argument("--sip-phones", type=int, default=0,
                    help="SIP phones after the SCCP ones (numbered on from --phones; default 0)")
    ap.add_argument("--sip-transport", choices=("udp", "tcp", "mixed"), default="udp",
                    help="SIP phones register over udp, tcp, or mixed (odd ones tcp; default udp)")
    ap.add_argument("--sip-listen", type=parse_hostport, default=("127.0.0.1", 0),
                    metavar="HOST:PORT",
                    help="the CM's SIP registrar, UDP and TCP (default 127.0.0.1:0, printed in "
                         "sip_listening)")
    ap.add_argument("--sip-expires", type=int, default=120,
                    help="the Expires the registrar grants at most (phones ask 3600; default 120)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (jitter, ISNs)")
    ap.add_argument("--verbose", action="store_true",
                    help="also log keepalive_sent and ack_received lines")
    args = ap.parse_args(argv)
    if args.phones < 0 or args.phones > 60000:
        ap.error("--phones must be 0..60000")
    if args.sip_phones < 0 or args.phones + args.sip_phones > 60000:
        ap.error("--sip-phones must be 0.. and --phones + --sip-phones at most 60000")
    if args.unknown < 0 or args.unknown > args.phones + args.sip_phones:
        ap.error("--unknown must be 0..--phones + --sip-phones")
    if args.sip_expires <= 0:
        ap.error("--sip-expires must be > 0")
    if args.keepalive <= 0:
        ap.error("--keepalive must be > 0")
    if args.start_time is None:
        args.start_us = int(time.time() * 1e6)
    else:
        args.start_us = args.start_time

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * (args.phones + args.sip_phones) + 64
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
