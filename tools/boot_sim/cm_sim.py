#!/usr/bin/env python3
"""A call manager alone on one address: tools/sccp_sim's CallManager (Register -> RegisterAck,
KeepAlive -> KeepAliveAck) without the fleet around it, for the boot-chain tests, where the
phones are tools/boot_sim's. --reject-all answers every Register with RegisterReject (a CM the
phone's config does not name: the "wrong CM group" case); --known limits who is accepted.

Prints `{"event":"cm_listening","address":"IP:PORT"}` once listening, then one line per
Register; runs until SIGTERM/SIGINT. Standard library only.
"""

import argparse
import asyncio
import collections
import json
import os
import signal
import sys
import time
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sccp_sim"))
from sccp_pdus import REGISTER, cstr  # noqa: E402
from sim_call_manager import CallManager  # noqa: E402


class NoWire:
    """The fleet simulator synthesizes a pcap of its connections; here the wire is real and the
    test captures it, so the CM records nothing."""

    def get(self, *_):
        return None

    def open(self, *_):
        return None


def log(event, **kw):
    print(json.dumps({"event": event, "t_us": int(time.time() * 1e6), **kw}), flush=True)


class LoggingCallManager(CallManager):
    def handle(self, proto, msg_id, payload):
        rejects = self.sim.counts["cm_rejects"]
        super().handle(proto, msg_id, payload)
        if msg_id == REGISTER:
            log("register", device=cstr(payload[:16]), peer=proto.peer[0],
                rejected=self.sim.counts["cm_rejects"] > rejects)


async def serve(args):
    loop = asyncio.get_running_loop()
    sim = types.SimpleNamespace(
        args=types.SimpleNamespace(keepalive=args.keepalive, reject_unknown=True),
        wire=NoWire(), loop=loop, stopping=False, port_owner={}, ack_delay=0.0,
        counts=collections.Counter(), known=set())
    # Reject mode on, with the accepted set: everyone unless --reject-all or --known.
    sim.known = set(args.known) if args.known else set()
    accept_all = not args.reject_all and not args.known
    cm = LoggingCallManager(sim, args.host, args.port)
    if accept_all:
        cm.reject_mode = False
    await cm.listen()
    log("cm_listening", address=cm.address())
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    sim.stopping = True
    cm.shutdown()


def main(argv=None):
    ap = argparse.ArgumentParser(description="A lone SCCP call manager for the boot-chain tests.")
    ap.add_argument("--listen", default="127.0.0.1:2000", help="IPv4:PORT (default 127.0.0.1:2000)")
    ap.add_argument("--keepalive", type=int, default=30, help="keepAliveInterval in RegisterAck")
    ap.add_argument("--reject-all", action="store_true", help="reject every Register")
    ap.add_argument("--known", action="append", default=[],
                    help="accept only these device names (repeatable); others are rejected")
    args = ap.parse_args(argv)
    args.host, port = args.listen.rsplit(":", 1)
    args.port = int(port)
    try:
        asyncio.run(serve(args))
    except OSError as e:
        print(f"cm_sim: cannot listen on {args.listen}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
