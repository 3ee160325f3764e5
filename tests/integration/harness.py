"""Real-process test harness: starts regwatch-collector and regwatch-agent on loopback in a
temporary directory, runs the regwatch CLI, and waits on conditions with timeouts (never a
bare sleep). Binaries come from $REGWATCH_BUILD_DIR (set by ctest)."""
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

BUILD = os.environ.get("REGWATCH_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
COLLECTOR = os.path.join(BUILD, "collector", "regwatch-collector")
AGENT = os.path.join(BUILD, "agent", "regwatch-agent")
CLI = os.path.join(BUILD, "cli", "regwatch")
DATA = os.path.join(os.path.dirname(__file__), "..", "data")
SIMULATOR = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "sccp_sim", "sccp_fleet_sim.py")


def wait_for(predicate, timeout=30.0, interval=0.05, what="condition"):
    """Polls predicate until it returns a truthy value; fails the test after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _config_sections(args):
    """The top-level sections of the config file named by --config in args (empty without one)."""
    args = list(args)
    if "--config" not in args:
        return set()
    with open(args[args.index("--config") + 1]) as f:
        return {line.split(":", 1)[0] for line in f if line[:1].isalpha() and ":" in line}


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_simulator(test, *args, timeout=120):
    """Runs the SCCP fleet simulator to the end; returns its JSON lines."""
    out = subprocess.run([sys.executable, SIMULATOR, *args], capture_output=True, text=True, timeout=timeout)
    test.assertEqual(out.returncode, 0, out.stderr)
    return [json.loads(line) for line in out.stdout.splitlines()]


def testing_postgresql():
    """True when $REGWATCH_TEST_STORE is postgresql (ctest's pg.integration.* tests): collectors
    then store into PostgreSQL, on a server this test process shares."""
    return os.environ.get("REGWATCH_TEST_STORE") == "postgresql"


def sqlite_only(reason):
    """Decorator for tests about SQLite itself (its file, the sqlite3 module): skipped, with the
    reason, when the store is PostgreSQL."""
    return unittest.skipIf(testing_postgresql(), f"SQLite only: {reason}")


def postgresql_only(reason):
    """Decorator for tests about PostgreSQL itself (its server, its authentication): skipped, with
    the reason, in the SQLite pass (they would run the same twice)."""
    return unittest.skipUnless(testing_postgresql(), f"PostgreSQL only: {reason}")


_postgres = None  # the process's PostgreSQL server, started on first use, stopped at exit
_databases = {}  # SQLite path -> the name of the database standing in for it


def postgres_server():
    """The PostgreSQL server this test process shares (postgres_support.PostgresServer), started
    on first use and stopped at exit."""
    global _postgres
    if _postgres is None:
        import postgres_support  # it imports this module: only now, not at import time
        _postgres = postgres_support.PostgresServer()
        atexit.register(_postgres.stop)
    return _postgres


def store_location(sqlite_path, over_socket=False):
    """Where a collector stores: the SQLite path itself, or, testing PostgreSQL, the URL of a fresh
    database of its own; the same path gives the same database again, so that a restarted
    collector finds what it stored. over_socket: the URL reaches the server through its Unix
    socket, for a collector in a network namespace of its own (whose 127.0.0.1 is not ours)."""
    if not testing_postgresql() or sqlite_path.startswith(("postgresql://", "postgres://")):
        return sqlite_path
    server = postgres_server()
    if sqlite_path not in _databases:
        name = f"it_{len(_databases) + 1}"
        server.create_database(name)
        _databases[sqlite_path] = name
    name = _databases[sqlite_path]
    return server.socket_url_for(name) if over_socket else server.url_for(name)


def store_rows(sqlite_path, sql):
    """Rows of a query on a collector's store, as tuples, on either backend: sqlite3 on the file,
    or psql on the database standing in for it. PostgreSQL's booleans come back as SQLite's 1 and
    0, integers as int, NULL as None, so one assertion holds for both."""
    location = store_location(sqlite_path)
    if location == sqlite_path:
        import sqlite3
        with sqlite3.connect(sqlite_path) as db:
            return db.execute(sql).fetchall()
    out = subprocess.run([os.path.join(_postgres.bin, "psql"), "-X", "-q", "--csv", "-t", "-v", "ON_ERROR_STOP=1",
                          "-d", location, "-c", sql], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"psql {sql!r} failed: {out.stderr}")

    def value(cell):
        if cell == "":
            return None
        if cell in ("t", "f"):
            return 1 if cell == "t" else 0
        return int(cell) if re.fullmatch(r"-?\d+", cell) else cell

    import csv
    import io
    return [tuple(value(cell) for cell in row) for row in csv.reader(io.StringIO(out.stdout))]


class Process:
    """A child process with its output in files, killed at teardown."""

    def __init__(self, args, workdir, name, env=None):
        self.name = name
        self.out_path = os.path.join(workdir, f"{name}.out")
        self.err_path = os.path.join(workdir, f"{name}.err")
        self.args = args
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, start_new_session=True)

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def kill9(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        return self.proc.returncode

    def wait(self, timeout):
        return self.proc.wait(timeout)


class RegwatchTestCase(unittest.TestCase):
    """Gives each test a temp dir, and starts/stops collectors and agents in it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="regwatch-it-")
        self.processes = []

    def tearDown(self):
        for p in self.processes:
            p.kill9()
        if os.environ.get("REGWATCH_KEEP_TEST_DIRS"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def assert_store_backend(self, log):
        """The collector's log says it opened the test's store ("database ... ready (BACKEND,
        schema version N)"): a collector started without store_location() would fail it."""
        backend = "postgresql" if testing_postgresql() else "sqlite"
        self.assertRegex(log, rf"ready \({backend}, schema version \d+\)")

    def start_collector(self, port=0, db=None, extra=(), name="collector", expect_ready=True, env=None):
        """env: extra environment variables for the collector (e.g. NOTIFY_SOCKET)."""
        db = store_location(db or self.path("regwatch.db"))
        if "--http" not in extra:  # tests run in parallel: no fixed default port
            extra = [*extra, "--http", "127.0.0.1:0"]
        args = [COLLECTOR, "--listen", f"127.0.0.1:{port}", "--db", db, *extra]
        p = Process(args, self.dir, name, env={**os.environ, **env} if env else None)
        self.processes.append(p)
        p.http_url = None
        if expect_ready:
            line = wait_for(lambda: self._listening_line(p), 30, what=f"{name} to listen")
            p.address = line.rsplit(" ", 1)[1]
            for out in p.stdout().splitlines():
                if "dashboard and API at" in out:
                    p.http_url = out.rsplit(" ", 1)[1].strip()
        return p

    @staticmethod
    def _listening_line(p):
        if p.proc.poll() is not None:
            raise AssertionError(f"{p.name} exited {p.proc.returncode}: {p.stderr()}")
        for line in p.stdout().splitlines():
            if "listening on" in line:
                return line.strip()
        return None

    def start_agent(self, collector_address, extra=(), name="agent", agent_id="test-agent",
                    spool=None, env=None):
        """env: extra environment variables for the agent (e.g. SNMPv3 secrets)."""
        # Tests run in parallel (and twice: SQLite and PostgreSQL): no listener may take its fixed
        # default port (syslog 127.0.0.1:5514, traps 162) unless the test asks for it by flag or
        # by its config file.
        configured = _config_sections(extra)
        for flag, section in (("--snmp-traps", "snmp"), ("--syslog-udp", "syslog"),
                              ("--syslog-tcp", "syslog")):
            if flag not in extra and (flag == "--snmp-traps" or section not in configured):
                extra = [*extra, flag, ""]
        args = [AGENT, "--agent-id", agent_id, "--collector", collector_address,
                "--spool-dir", spool or self.path(f"spool-{agent_id}"), *extra]
        p = Process(args, self.dir, name, env={**os.environ, **env} if env else None)
        self.processes.append(p)
        return p

    def cli(self, collector_address, *args, check=True, env=None):
        result = subprocess.run([CLI, "--collector", collector_address, *args],
                                capture_output=True, text=True, timeout=60, env=env)
        if check and result.returncode != 0:
            raise AssertionError(f"regwatch {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def events(self, collector_address, *args):
        out = self.cli(collector_address, "events", "--format", "json", "--limit", "100000", *args).stdout
        return json.loads(out)

    def status(self, collector_address):
        return json.loads(self.cli(collector_address, "status", "--format", "json").stdout)

    def total_events(self, collector_address):
        return self.status(collector_address)["total_events"]

    @staticmethod
    def collector_metrics(collector):
        """{series: value} from the collector's /metrics, a series being its name and labels as
        exposed: `regwatch_ingest_pending_bytes`, `regwatch_ingest_batches_rejected_total{reason="unparsable"}`."""
        with urllib.request.urlopen(collector.http_url.rstrip("/") + "/metrics", timeout=10) as response:
            exposition = response.read().decode()
        values = {}
        for line in exposition.splitlines():
            if line and not line.startswith("#"):
                series, value = line.rsplit(" ", 1)
                values[series] = float(value)
        return values


class SyslogFeed:
    """A live agent receiving syslog over TCP on a free port and shipping to `collectors` (one
    address, or several comma-separated for failover), with a connection to it: send(count)
    sends the next `count` lines of `template`, each numbered by {n} from 0 on."""

    def __init__(self, test, collectors, template, listen_timeout=60):
        port = free_port()
        self.agent = test.start_agent(collectors, extra=[
            "--syslog-udp", "", "--syslog-tcp", f"127.0.0.1:{port}"])
        wait_for(lambda: "receiving syslog" in self.agent.stderr(), listen_timeout,
                 what="the agent to listen")
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        test.addCleanup(self.sock.close)
        self.template = template
        self.sent = 0

    def send(self, count):
        for _ in range(count):
            self.sock.sendall((self.template.format(n=self.sent) + "\n").encode())
            self.sent += 1


class SnmpSim:
    """snmpsimd serving .snmprec recordings on loopback; community = recording name."""

    def __init__(self, test, recordings):
        self.dir = os.path.join(test.dir, "snmpsim")
        os.makedirs(os.path.join(self.dir, "data"))
        os.makedirs(os.path.join(self.dir, "cache"))
        for path in (test.dir, self.dir, os.path.join(self.dir, "data")):
            os.chmod(path, 0o755)  # snmpsimd runs as nobody
        os.chmod(os.path.join(self.dir, "cache"), 0o777)
        for name, text in recordings.items():
            with open(os.path.join(self.dir, "data", name + ".snmprec"), "w") as f:
                f.write(text)
        self.port = free_port(socket.SOCK_DGRAM)
        self.address = f"127.0.0.1:{self.port}"
        self.process = Process(["snmpsimd", f"--data-dir={self.dir}/data", f"--cache-dir={self.dir}/cache",
                                f"--agent-udpv4-endpoint={self.address}", "--process-user=nobody",
                                "--process-group=nogroup"], test.dir, "snmpsimd")
        test.processes.append(self.process)
        community = next(iter(recordings))
        wait_for(lambda: subprocess.run(["snmpget", "-v2c", "-c", community, "-t", "0.3", "-r", "0",
                                         self.address, "1.3.6.1.2.1.1.3.0"],
                                        capture_output=True).returncode == 0, 60, what="snmpsimd to answer")
