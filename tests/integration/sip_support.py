"""Real SIP parts for the integration tests: Kamailio as the registrar (our own config and
runtime dir, never the packaged service), sipp as phones (UAC) or as a registrar that rejects or
stalls (UAS), and tcpdump for a capture tshark can read beside the agent's. Everything binds
127.0.0.1 on ports picked free; every start is confirmed by a poll with a timeout, every process
is stopped by its own PID (its process group: Kamailio forks children) at the test's cleanup.

Scenarios and the phones' CSV: tests/data/sip/ (README.md there)."""
import os
import signal
import socket
import subprocess
import time

from harness import DATA, Process, wait_for

SIP_DATA = os.path.join(DATA, "sip")
SIPP_DIR = os.path.join(SIP_DATA, "sipp")
KAMAILIO_CFG = os.path.join(SIP_DATA, "kamailio", "registrar.cfg")
PHONES_CSV = os.path.join(SIPP_DIR, "phones.csv")
# The digest secret registrar.cfg checks (its PASSWORD default).
PASSWORD = "regwatch-secret"


def phones(path=PHONES_CSV):
    """The phones of a sipp -inf file: dicts with device, mac, dn, load, last."""
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line in ("SEQUENTIAL", "RANDOM", "USER"):
                continue
            device, mac, dn, load, last = line.split(";")
            rows.append({"device": device, "mac": mac, "dn": dn, "load": load, "last": last})
    return rows


def write_phones(path, rows):
    with open(path, "w") as f:
        f.write("SEQUENTIAL\n")
        for r in rows:
            f.write(f"{r['device']};{r['mac']};{r['dn']};{r['load']};{r['last']}\n")


def free_sip_port():
    """A port free for both UDP and TCP on 127.0.0.1 (SIP listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                    u.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no port free for both UDP and TCP on 127.0.0.1")


def udp_port_bound(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def options_answered(port, timeout=0.3):
    """Sends one SIP OPTIONS over UDP and says whether a 200 came back."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(timeout)
        me = s.getsockname()[1]
        request = (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK-probe{time.monotonic_ns()}\r\n"
                   f"From: <sip:probe@127.0.0.1>;tag=probe\r\nTo: <sip:probe@127.0.0.1>\r\n"
                   f"Call-ID: probe-{time.monotonic_ns()}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n"
                   f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        s.sendto(request.encode(), ("127.0.0.1", port))
        try:
            return s.recv(4096).startswith(b"SIP/2.0 200")
        except OSError:
            return False


def stop_group(test, process, timeout=10):
    """SIGTERM to the process (and its session's group, which it leads: Kamailio's children),
    then SIGKILL after timeout; by PID only."""
    pid = process.proc.pid
    if process.proc.poll() is None:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(pid, signal.SIGKILL)  # children left behind by a dead leader
    except ProcessLookupError:
        pass
    if process.proc.poll() is None:
        process.proc.wait(timeout)


class Kamailio:
    """kamailio -f registrar.cfg on 127.0.0.1:port (UDP and TCP), granting at most max_expires."""

    def __init__(self, test, max_expires=120, port=None, name="kamailio"):
        self.port = port or free_sip_port()
        self.address = f"127.0.0.1:{self.port}"
        rundir = test.path(f"{name}-run")
        os.makedirs(rundir, exist_ok=True)
        self.process = Process(["kamailio", "-f", KAMAILIO_CFG, "-DD", "-E", "-Y", rundir,
                                "-l", f"udp:{self.address}", "-l", f"tcp:{self.address}",
                                "-A", f"MAX_EXPIRES={int(max_expires)}"], test.dir, name)
        test.addCleanup(stop_group, test, self.process)

        def ready():
            if self.process.proc.poll() is not None:
                raise AssertionError(f"kamailio exited {self.process.proc.returncode}: "
                                     f"{self.process.stderr()[-2000:]}")
            return options_answered(self.port)
        wait_for(ready, 30, interval=0.1, what="kamailio to answer OPTIONS")

    def saved(self):
        """How many REGISTERs the registrar saved (its script logs each)."""
        return self.process.stderr().count("registrar: saved ")


class Sipp:
    """One sipp process: a scenario of tests/data/sip/sipp as phones (remote given) or as a
    registrar (no remote; it listens on port). transport: sipp's -t (u1 one UDP socket, un one
    per phone, t1 one TCP connection, tn one per phone)."""

    def __init__(self, test, scenario, port=None, remote=None, transport="un", inf=None,
                 extra=(), name=None):
        self.name = name or f"sipp-{scenario}"
        self.port = port or free_sip_port()
        self.scenario = os.path.join(SIPP_DIR, f"{scenario}.xml")
        args = ["sipp"]
        if remote:
            args.append(remote)
        args += ["-sf", self.scenario, "-i", "127.0.0.1", "-p", str(self.port), "-t", transport,
                 "-nostdin", "-max_socket", "1000",
                 "-trace_err", "-error_file", test.path(f"{self.name}.errors"),
                 "-trace_screen", "-screen_file", test.path(f"{self.name}.screen")]
        if inf:
            args += ["-inf", inf]
        args += list(extra)
        self.process = Process(args, test.dir, self.name)
        test.addCleanup(stop_group, test, self.process)
        if remote is None:  # a registrar: ready when it holds its port
            probe = (lambda: udp_port_bound(self.port)) if transport.startswith("u") else \
                (lambda: _tcp_listening(self.port))
            wait_for(lambda: self._alive() and probe(), 20, interval=0.05,
                     what=f"{self.name} to listen on {self.port}")

    def _alive(self):
        if self.process.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited {self.process.proc.returncode}: "
                                 f"{self.process.stdout()[-1500:]} {self.process.stderr()[-1500:]}")
        return True

    def wait(self, timeout):
        """Waits for sipp to end; its exit code (0: every call succeeded)."""
        return self.process.proc.wait(timeout)

    def kill(self):
        """SIGKILL, as a phone losing power: its TCP connections are closed by the kernel."""
        if self.process.proc.poll() is None:
            os.kill(self.process.proc.pid, signal.SIGKILL)
        self.process.proc.wait(10)


def _tcp_listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def phones_sipp(test, remote, inf=PHONES_CSV, count=None, refreshes=0, refresh_ms=1000,
                unregister=False, transport="un", extra=(), name="phones"):
    """sipp running phone.xml: each line of inf one phone (all of them unless count)."""
    n = count if count is not None else len(phones(inf))
    args = ["-m", str(n), "-l", str(n), "-r", "50", "-au", "phone", "-ap", PASSWORD,
            "-set", "refreshes", str(refreshes), "-set", "unregister", "1" if unregister else "0",
            "-d", str(refresh_ms), *extra]
    return Sipp(test, "phone", remote=remote, transport=transport, inf=inf, extra=args, name=name)


class Tcpdump:
    """tcpdump on lo for the given ports, written to path. Immediate mode: libpcap hands each
    packet over at once (not a ring block at a time), so stop() loses none still in the ring."""

    def __init__(self, test, path, ports, name="tcpdump"):
        self.path = path
        expr = " or ".join(f"port {p}" for p in ports)
        self.process = Process(["tcpdump", "-i", "lo", "--immediate-mode", "-U", "-n", "-Z", "root",
                                "-w", path, expr], test.dir, name)
        test.addCleanup(stop_group, test, self.process)
        wait_for(lambda: "listening on" in self.process.stderr(), 20, what="tcpdump to listen")

    def stop(self):
        self.process.terminate()


def tshark_sip(path, port, *fields):
    """One list of field values per SIP message tshark decodes in path (port decoded as SIP),
    with UDP and TCP checksums verified (udp/tcp.checksum.status: 1 good, 0 bad)."""
    args = ["tshark", "-r", path, "-d", f"udp.port=={port},sip", "-d", f"tcp.port=={port},sip",
            "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-Y", "sip",
            "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout
    return [line.split("|") for line in out.splitlines()]
