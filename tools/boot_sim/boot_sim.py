#!/usr/bin/env python3
"""boot_sim: simulated Cisco IP phones walking the boot chain against real servers.

Each phone (MAC 00:AA:BB:00:00:NN, device SEP00AABB0000NN) does what a 7965 does after a
power cycle: DHCP (DISCOVER/OFFER/REQUEST/ACK, broadcast flag set), then from its leased
address the TFTP downloads (CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv, SEP<MAC>.cnf.xml.sgn, falling back
to SEP<MAC>.cnf.xml then XMLDefault.cnf.xml, and the load its config names when it differs from
its own), optionally HTTP on 6970 first, then an SCCP Register to the first CM of its config's
CM group. Flags make it misbehave the ways real phones do (config loop, firmware loop, wrong
CM). One JSON line per step on stdout; exit 0 when every phone is done, 2 on a usage or setup
error. Needs root (AF_PACKET, port 68); meant for a network namespace a test made. See README.md.
"""

import argparse
import json
import os
import random
import select
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sccp_sim"))
import dhcp_client  # noqa: E402
import phone_config  # noqa: E402
import tftp_client  # noqa: E402
from sccp_pdus import (KEEPALIVE_PDU, REGISTER_ACK, REGISTER_REJECT, cstr,  # noqa: E402
                       register_pdu, split_pdus)

VENDOR_CLASS = "Cisco Systems, Inc. IP Phone CP-7965G"


class Output:
    """JSON lines from many phone threads, one whole line at a time."""

    def __init__(self):
        self.lock = threading.Lock()

    def log(self, event, **kw):
        line = json.dumps({"event": event, "t_us": int(time.time() * 1e6), **kw},
                          separators=(",", ":"))
        with self.lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()


class Phone:
    def __init__(self, args, out, idx):
        self.args = args
        self.out = out
        self.idx = idx
        self.mac = f"00:aa:bb:00:00:{idx:02x}"
        self.mac_hex = self.mac.replace(":", "").upper()
        self.name = "SEP" + self.mac_hex
        self.ip = None
        self.tftp = None
        self.result = "started"
        self.sockets = []  # registered SCCP connections, held open until the run ends
        self.keepalive_s = None  # from the RegisterAck
        self.rng = random.Random(args.seed * 1000 + idx)
        self.last_outcome = None

    def log(self, event, **kw):
        self.out.log(event, phone=self.name, idx=self.idx, **kw)

    def pause(self, seconds):
        time.sleep(seconds)  # the phone's own timers, not test synchronisation

    # -- DHCP
    def dhcp(self):
        a = self.args
        client = dhcp_client.DhcpClient(a.interface, self.mac)
        try:
            xid = self.rng.getrandbits(32)
            for attempt in range(a.dhcp_retries + 1):
                client.send(dhcp_client.build(dhcp_client.DISCOVER, xid, self.mac, self.name,
                                              VENDOR_CLASS))
                self.log("dhcp_discover", xid=f"0x{xid:08x}", attempt=attempt + 1)
                offer = client.wait_for(xid, {"offer"}, a.dhcp_timeout)
                if offer:
                    break
            else:
                self.log("dhcp_unanswered")
                return False
            info = dhcp_client.describe(offer)
            self.log("dhcp_offer", **info)
            client.send(dhcp_client.build(dhcp_client.REQUEST, xid, self.mac, self.name,
                                          VENDOR_CLASS, requested_ip=offer["yiaddr"],
                                          server_id=info.get("server_id")))
            self.log("dhcp_request", requested_ip=offer["yiaddr"])
            ack = client.wait_for(xid, {"ack", "nak"}, a.dhcp_timeout)
        finally:
            client.close()
        if ack is None:
            self.log("dhcp_unanswered", after="request")
            return False
        info = dhcp_client.describe(ack)
        if ack["type"] == "nak":
            self.log("dhcp_nak", **info)
            return False
        self.log("dhcp_ack", **info)
        self.ip = ack["yiaddr"]
        servers = info.get("tftp_servers") or ([info["tftp_server_name"]]
                                               if info.get("tftp_server_name") else [])
        if not servers:
            self.log("no_tftp_server")
            return False
        self.tftp = servers[0]
        return True

    # -- downloads
    def fetch(self, filename):
        """The file's bytes, or None; logs each attempt and its outcome (kept in last_outcome)."""
        a = self.args
        self.last_outcome = "fetched"
        if a.http_first:
            status, body = tftp_client.http_get(self.ip, self.tftp, filename, a.tftp_timeout)
            self.log("http_get", file=filename, status=status,
                     **({"bytes": len(body)} if status == 200 else {}))
            if status == 200:
                return body
        self.log("tftp_rrq", file=filename, server=self.tftp)
        r = tftp_client.tftp_get(self.ip, self.tftp, filename, a.tftp_timeout, a.tftp_retries)
        if r.outcome == "fetched":
            self.log("tftp_fetched", file=filename, bytes=len(r.data), server_port=r.server_port)
            return r.data
        self.last_outcome = r.outcome
        if r.outcome == "error":
            self.log("tftp_error", file=filename, code=r.code, text=r.text)
        else:
            self.log("tftp_" + r.outcome, file=filename)
        return None

    def fetch_config(self):
        """The config text (first of .sgn, .cnf.xml, XMLDefault), with its name, or (None, None)."""
        for name in (f"{self.name}.cnf.xml.sgn", f"{self.name}.cnf.xml", "XMLDefault.cnf.xml"):
            data = self.fetch(name)
            if data is not None:
                return name, data
            if self.last_outcome in ("no_answer", "timeout"):
                break  # the fallbacks are for a file not found, not for a server gone quiet
        return None, None

    # -- registration
    def register(self, cm):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(self.args.register_timeout)
        try:
            s.bind((self.ip, 0))
            s.connect((cm, 2000))
            s.sendall(register_pdu(self.name, socket.inet_aton(self.ip)))
            buf = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    self.log("register_closed", cm=cm)
                    s.close()
                    return False
                msgs, buf = split_pdus(buf + chunk)
                for msg_id, payload in msgs:
                    if msg_id == REGISTER_ACK:
                        self.keepalive_s = int.from_bytes(payload[:4], "little") or 30
                        self.log("registered", cm=cm, keepalive_s=self.keepalive_s)
                        self.sockets.append(s)
                        return True
                    if msg_id == REGISTER_REJECT:
                        self.log("register_rejected", cm=cm, text=cstr(payload))
                        s.close()
                        return False
        except OSError as e:
            self.log("register_failed", cm=cm, error=str(e))
            s.close()
            return False

    # -- the walk
    def run(self):
        a = self.args
        self.pause(self.rng.uniform(0, a.spread))
        if not self.dhcp():
            self.result = "no_lease" if self.ip is None else "no_tftp_server"
            return
        self.fetch(f"CTL{self.name}.tlv")
        if self.fetch(f"ITL{self.name}.tlv") is None and self.last_outcome == "error":
            self.fetch("ITLFile.tlv")  # the cluster-wide trust list, when no per-phone one
        name, data = self.fetch_config()
        if data is None:
            self.result = "no_config"
            return
        config = phone_config.read_config(data) or {"cm_group": [], "load": None}
        self.log("config", file=name, cm_group=config["cm_group"], load=config["load"])
        if a.reject_config:
            for loop in range(2, a.loops + 1):
                self.log("config_rejected", file=name, loop=loop - 1)
                self.pause(a.loop_delay)
                self.fetch(name)
            self.log("config_rejected", file=name, loop=a.loops)
            self.result = "config_loop"
            return
        if config["load"] and config["load"] != a.phone_load:
            load_file = phone_config.load_file_name(config["load"])
            if a.reject_load:
                for loop in range(1, a.loops + 1):
                    self.fetch(load_file)
                    self.log("load_rejected", file=load_file, loop=loop)
                    if loop < a.loops:
                        self.pause(a.loop_delay)
                self.result = "firmware_loop"
                return
            if self.fetch(load_file) is None:
                self.result = "no_load"
                return
        cm = self.tftp if a.register_to == "tftp" else (config["cm_group"] or [None])[0]
        if cm is None:
            self.log("no_cm")
            self.result = "no_cm"
            return
        for attempt in range(1, a.register_attempts + 1):
            if self.register(cm):
                self.result = "registered"
                return
            if attempt < a.register_attempts:
                self.pause(a.loop_delay)
        self.result = "not_registered"


def hold(phones, seconds):
    """Registered phones stay registered: a KeepAlive on each connection every keepalive
    interval (the CM's answers drained), until `seconds` pass or SIGTERM/SIGINT. Stopping sends
    no Unregister: the connections close with FIN, as when a phone loses power."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    live = [(p, s) for p in phones for s in p.sockets]
    if not live:
        stop.wait(seconds)
        return
    interval = min(p.keepalive_s for p, _ in live)
    deadline = time.monotonic() + seconds
    next_keepalive = time.monotonic() + interval
    while not stop.is_set():
        now = time.monotonic()
        if now >= deadline:
            return
        if now >= next_keepalive:
            for p, s in live:
                try:
                    s.sendall(KEEPALIVE_PDU)
                except OSError as e:
                    p.log("keepalive_failed", error=str(e))
            next_keepalive = now + interval
        ready, _, _ = select.select([s for _, s in live], [], [], 0)
        for s in ready:
            try:
                s.recv(4096)  # KeepAliveAcks: read so the CM's window never fills
            except OSError:
                pass
        stop.wait(min(0.2, max(0.0, deadline - now)))


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Simulated Cisco IP phones walking DHCP -> TFTP -> SCCP Register against real "
                    "servers; one JSON line per step. Root, in a network namespace you made.")
    ap.add_argument("--interface", required=True, help="the phones' interface (a veth)")
    ap.add_argument("--phones", type=int, default=3, help="how many phones (1-255, default 3)")
    ap.add_argument("--first", type=int, default=1, help="index of the first phone (default 1)")
    ap.add_argument("--http-first", action="store_true", help="try HTTP on TCP 6970 before TFTP")
    ap.add_argument("--reject-config", action="store_true",
                    help="config loop: fetch the config --loops times, never register")
    ap.add_argument("--reject-load", action="store_true",
                    help="firmware loop: fetch the load --loops times, never register")
    ap.add_argument("--register-to", choices=("cm-group", "tftp"), default="cm-group",
                    help="register to the config's first CM (default) or the TFTP server")
    ap.add_argument("--loops", type=int, default=4, help="fetches in a loop (default 4)")
    ap.add_argument("--loop-delay", type=float, default=0.3, help="seconds between loop fetches")
    ap.add_argument("--register-attempts", type=int, default=1,
                    help="Register attempts before giving up (default 1)")
    ap.add_argument("--phone-load", default="SCCP45.9-4-2SR3-1S",
                    help="the load the phones run (default SCCP45.9-4-2SR3-1S)")
    ap.add_argument("--dhcp-timeout", type=float, default=2.0, help="seconds per DHCP answer")
    ap.add_argument("--dhcp-retries", type=int, default=2, help="DISCOVER retransmissions")
    ap.add_argument("--tftp-timeout", type=float, default=0.5, help="seconds per TFTP answer")
    ap.add_argument("--tftp-retries", type=int, default=2, help="TFTP retransmissions")
    ap.add_argument("--register-timeout", type=float, default=3.0, help="seconds for the CM")
    ap.add_argument("--spread", type=float, default=0.2,
                    help="phones start at random within this many seconds (default 0.2)")
    ap.add_argument("--hold", type=float, default=0.0,
                    help="after the last phone is done (the summary line), keep registered phones "
                         "registered (keepalives) this long, or until SIGTERM/SIGINT")
    ap.add_argument("--seed", type=int, default=1, help="random seed (xids, start offsets)")
    args = ap.parse_args(argv)
    if not 1 <= args.first or args.first + args.phones - 1 > 255 or args.phones < 1:
        ap.error("phones are numbered 1..255: check --first and --phones")
    if args.loops < 1:
        ap.error("--loops must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    out = Output()
    phones = [Phone(args, out, i) for i in range(args.first, args.first + args.phones)]
    try:
        socket.if_nametoindex(args.interface)
    except OSError:
        print(f"boot_sim: no interface {args.interface!r} here (run it inside the phones' "
              "network namespace: ip netns exec NS ...)", file=sys.stderr)
        return 2
    errors = []

    def walk(phone):
        try:
            phone.run()
        except PermissionError as e:
            errors.append(f"{phone.name}: {e} (boot_sim needs root: raw frames, port 68)")
        except OSError as e:
            errors.append(f"{phone.name}: {e}")

    threads = [threading.Thread(target=walk, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results = {}
    for p in phones:
        results[p.result] = results.get(p.result, 0) + 1
    out.log("summary", phones=len(phones), results=results)
    if args.hold > 0:
        hold(phones, args.hold)
    for p in phones:
        for s in p.sockets:
            s.close()
    if errors:
        for e in errors:
            print(f"boot_sim: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
