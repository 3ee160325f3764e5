#!/usr/bin/env python3
"""syslog_flood_bench: the agent's UDP syslog intake against rsyslog (imudp), side by side (issue 17).

The same sender (build/bench/syslog_flood_sender, sendmmsg paced at a rate) sends the same
CUCM lines on loopback first to rsyslogd (imudp, omfile to a temporary file, its own config,
foreground, no system config touched), then to the real regwatch-agent (spool on disk; the
collector address is a closed loopback port, so what is stored is what reached the spool).
Per rate it prints: rsyslog stored %, agent stored %, the drops the agent counted (kernel
receive buffer, its own queue, the spool), and whether agent stored + counted == sent.

Usage: bench/syslog_flood_bench.py [--build build] [--lines 200000] [--rates 20000,50000,0]
       [--smoke]   (5,000 lines at 20,000/s and full speed, the agent only; exits 1 if a loss
                    was not counted: cheap enough for CI, ctest bench.syslog_flood_smoke)
rsyslogd comes from Debian's rsyslog package (tools/setup.sh installs it); this installs nothing.
Rate 0 = full speed. Run by hand; results in docs/performance.md."""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# A real CUCM EndPointUnregistered line (tests/data/syslog/real_lines.txt), numbered so every
# line differs (seq, device name, address) and rsyslog's file can be counted line by line.
CUCM = ("<187>{n}: uc-ucm-01 local7 3 : {n}: uc-ucm-01.pcce.local Jul 02 2015 06:22:31 UTC :   "
        "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP{n:012X}][IPAddress=10.60.{a}.{b}]"
        "[Protocol=SIP][DeviceType=592][Description=Phone][Reason=13][IPAddrAttributes=0]"
        "[LastSignalReceived=SIPStationDPrimaryLineTimeout][AppID=Cisco CallManager]"
        "[ClusterID=StandAloneCluster][NodeID=uc-ucm-01]: An endpoint has unregistered")


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def udp_bound(port):
    """True once something listens on 127.0.0.1:port (UDP), read from /proc/net/udp."""
    with open("/proc/net/udp") as f:
        return any(line.split()[1].endswith(f":{port:04X}") for line in f.readlines()[1:])


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def wait_stable(size_of, quiet=1.5, timeout=120):
    """Waits until size_of() has not changed for `quiet` seconds: the receiver is done."""
    last, since = -1, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = size_of()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def send(sender, port, lines_file, rate):
    out = subprocess.run([sender, str(port), lines_file, str(rate)], check=True,
                         capture_output=True, text=True).stdout
    return out.strip()


def run_rsyslog(work, sender, lines_file, rate, sent, rcvbuf=""):
    port = free_udp_port()
    out = os.path.join(work, "rsyslog.out")
    conf = os.path.join(work, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(f"""global(workDirectory="{work}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{port}"{f' rcvbufSize="{rcvbuf}"' if rcvbuf else ""})
template(name="raw" type="string" string="%rawmsg%\\n")
action(type="omfile" file="{out}" template="raw")
""")
    proc = subprocess.Popen(["rsyslogd", "-n", "-f", conf, "-i", os.path.join(work, "rsyslog.pid")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: udp_bound(port), 10, "rsyslogd to listen")
        note = send(sender, port, lines_file, rate)
        wait_stable(lambda: os.path.getsize(out) if os.path.exists(out) else 0)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    stored = 0
    if os.path.exists(out):
        with open(out, "rb") as f:
            stored = sum(1 for line in f if b"EndPointUnregistered" in line)
    os.remove(out) if os.path.exists(out) else None
    return {"stored": stored, "sender": note}


def run_agent(work, build, sender, lines_file, rate, sent, rcvbuf=0):
    port = free_udp_port()
    spool = os.path.join(work, "spool")
    shutil.rmtree(spool, ignore_errors=True)
    closed = free_udp_port()  # nothing listens there over TCP: the spool keeps everything
    agent = os.path.join(build, "agent", "regwatch-agent")
    stderr_path = os.path.join(work, "agent.stderr")
    config = []
    if rcvbuf:
        config_path = os.path.join(work, "agent.yaml")
        with open(config_path, "w") as f:
            f.write(f"syslog:\n  udp_receive_buffer_bytes: {rcvbuf}\n")
        config = ["--config", config_path]
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen([agent, "--agent-id", "bench", "--collector", f"127.0.0.1:{closed}",
                                 "--spool-dir", spool, "--syslog-udp", f"127.0.0.1:{port}",
                                 "--syslog-tcp", "", "--snmp-traps", "", *config],
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        wait_until(lambda: udp_bound(port), 10, "the agent to listen")
        note = send(sender, port, lines_file, rate)
        wait_stable(lambda: dir_bytes(spool))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    with open(stderr_path) as f:
        log = f.read()
    counts = re.findall(r"lines (\d+) events \d+ .*? dropped (\d+) \|", log)
    udp = re.findall(r"syslog udp: (\d+) datagrams read, (\d+) dropped by the kernel "
                     r"\(receive buffer full\), (\d+) dropped at the queue \(full\), (\d+) discarded at stop",
                     log)
    if not counts:
        raise SystemExit(f"no counts line in the agent's log:\n{log[-2000:]}")
    lines, spool_dropped = map(int, counts[-1])
    read, kernel, queue, discarded = map(int, udp[-1]) if udp else (lines, 0, 0, 0)
    stored = lines - spool_dropped
    return {"stored": stored, "kernel": kernel, "queue": queue + discarded, "spool": spool_dropped,
            "read": read, "sender": note}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--rates", default="20000,50000,0")
    parser.add_argument("--runs", type=int, default=1, help="runs per rate (each prints a row)")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--agent-rcvbuf", type=int, default=0,
                        help="syslog.udp_receive_buffer_bytes (default: the agent's own, 8 MiB)")
    parser.add_argument("--rsyslog-rcvbuf", default="",
                        help='imudp rcvbufSize, e.g. 8m (default: rsyslog\'s own, the system default)')
    args = parser.parse_args()
    if args.smoke:
        args.lines, args.rates = 5_000, "20000,0"
    rates = [int(r) for r in args.rates.split(",")]
    sender = os.path.join(args.build, "bench", "syslog_flood_sender")
    have_rsyslog = shutil.which("rsyslogd") is not None and not args.smoke
    if not have_rsyslog and not args.smoke:
        raise SystemExit("rsyslogd not found: apt-get install rsyslog (tools/setup.sh)")
    work = tempfile.mkdtemp(prefix="syslog-flood-")
    lines_file = os.path.join(work, "lines.txt")
    with open(lines_file, "w") as f:
        for n in range(args.lines):
            f.write(CUCM.format(n=n, a=(n >> 8) & 255, b=n & 255) + "\n")
    print(f"{args.lines} CUCM lines over UDP on loopback ({os.cpu_count()} CPUs)")
    print(f"{'rate/s':>9} | {'rsyslog stored':>14} | {'agent stored':>12} | "
          f"{'agent counted drops (kernel/queue/spool)':>40} | stored+counted==sent")
    all_counted = True
    try:
        for rate in rates:
            for _ in range(args.runs):
                r = run_rsyslog(work, sender, lines_file, rate, args.lines,
                                args.rsyslog_rcvbuf) if have_rsyslog else None
                a = run_agent(work, args.build, sender, lines_file, rate, args.lines,
                              args.agent_rcvbuf)
                counted = a["kernel"] + a["queue"] + a["spool"]
                exact = a["stored"] + counted == args.lines
                all_counted &= exact
                label = "full" if rate == 0 else str(rate)
                rs = f"{100.0 * r['stored'] / args.lines:13.1f}%" if r else f"{'-':>14}"
                print(f"{label:>9} | {rs} | {100.0 * a['stored'] / args.lines:11.1f}% | "
                      f"{counted:>10} ({a['kernel']}/{a['queue']}/{a['spool']})"
                      f"{'':>{max(0, 28 - len(str(a['kernel']) + str(a['queue']) + str(a['spool'])))}} | "
                      f"{'yes' if exact else 'NO'}   [agent sender: {a['sender']}]", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all_counted else 1


if __name__ == "__main__":
    sys.exit(main())
