"""A PostgreSQL server of the test's own, for integration tests that run the collector on
PostgreSQL (the twin of tests/store/postgres_server.h): initdb into a fresh 0700 folder,
listening on 127.0.0.1 on a free port and on a socket in that folder, trust authentication (no
one else can reach it), stopped (immediate) and removed at the end. Run as the `postgres` user
when the test runs as root (initdb and postgres refuse root).

    with PostgresServer() as pg:
        url = pg.create_database("ingest")   # a fresh, empty database
        pg.socket_url_for("ingest")          # the same through the Unix socket (other namespaces)
        pg.add_password_role("alice", "pw")  # alice's own database; she must give her password
        ...
        pg.kill_postmaster()                 # a crash: SIGKILL, then wait until it is all gone
        pg.start()                           # back, same port and data

Default settings (fsync on, for durability tests) but a small shared_buffers. Binaries:
$REGWATCH_POSTGRES_BIN, else the newest /usr/lib/postgresql/*/bin. Without them,
PostgresServer() raises unittest.SkipTest naming the package to install (a failure instead when
$REGWATCH_REQUIRE_POSTGRES is set, as CI sets it)."""
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import unittest
import urllib.parse

from harness import free_port, wait_for

INSTALL_HINT = "install Debian's postgresql package (apt-get install postgresql)"


def find_bin():
    forced = os.environ.get("REGWATCH_POSTGRES_BIN")
    if forced:
        return forced if os.path.exists(os.path.join(forced, "initdb")) else None
    candidates = []
    for bin_dir in glob.glob("/usr/lib/postgresql/*/bin"):
        version = os.path.basename(os.path.dirname(bin_dir))
        if version.isdigit() and os.path.exists(os.path.join(bin_dir, "initdb")):
            candidates.append((int(version), bin_dir))
    return max(candidates)[1] if candidates else None


def _process_gone(pid):
    """Gone, or a zombie that whoever inherited it has not reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2] == "Z"


def _children_of(parent):
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == parent:
            children.append(int(entry))
    return children


class PostgresServer:
    def __init__(self):
        self.bin = find_bin()
        if self.bin is None:
            if os.environ.get("REGWATCH_REQUIRE_POSTGRES"):  # CI: fail rather than skip
                raise RuntimeError(f"no PostgreSQL server: {INSTALL_HINT}")
            raise unittest.SkipTest(f"no PostgreSQL server: {INSTALL_HINT}")
        self.as_postgres = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(f"running as root needs the postgres user: {INSTALL_HINT}")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.root = tempfile.mkdtemp(prefix="regwatch-pg-")  # 0700
        if self.as_postgres:
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "commands.log")
        self.port = free_port()
        try:
            # --no-sync: initdb's own files need not survive a power cut; the server's fsync stays on.
            self._run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-sync")
            with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
                conf.write("\n# regwatch test server\n"
                           "listen_addresses = '127.0.0.1'\n"
                           f"unix_socket_directories = '{self.root}'\n"
                           "shared_buffers = 16MB\n"
                           "max_connections = 100\n")
            # The port was free when we looked; another test may take it first: try another.
            for attempt in range(3):
                try:
                    self.start()
                    break
                except RuntimeError:
                    if attempt == 2:
                        raise
                    self.port = free_port()
            self.psql("postgres", "CREATE DATABASE regwatch")
        except BaseException:
            self.stop()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return self.url_for("regwatch")

    def url_for(self, database):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def socket_url_for(self, database):
        """The URL through the server's Unix socket in its folder: for a client in another network
        namespace, where 127.0.0.1 is not this server's (the socket is a file: it reaches across)."""
        return (f"postgresql://postgres@/{database}?host={urllib.parse.quote(self.root, safe='')}"
                f"&port={self.port}")

    def create_database(self, name):
        """A fresh, empty database (a-z, 0-9 and _ only); returns its URL."""
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValueError(f"database name {name!r}: a-z, 0-9 and _ only")
        self.psql("postgres", f"CREATE DATABASE {name}")
        return self.url_for(name)

    def add_password_role(self, role, password):
        """A role that must give its password (scram-sha-256) on every connection, and a database
        of its own of the same name; returns that database's URL without the password. The rest
        of the server keeps trust authentication."""
        if not re.fullmatch(r"[a-z0-9_]+", role) or not re.fullmatch(r"[A-Za-z0-9_-]+", password):
            raise ValueError(f"role {role!r}: a-z, 0-9 and _ only; password: letters, digits, _ and -")
        self.psql("postgres", f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        self.psql("postgres", f"CREATE DATABASE {role} OWNER {role}")
        hba = os.path.join(self.data, "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        # pg_hba.conf is read top down, the first matching line decides: before initdb's trust.
        with open(hba, "w") as f:
            f.write(f"local all {role} scram-sha-256\nhost all {role} 127.0.0.1/32 scram-sha-256\n{rules}")
        self.psql("postgres", "SELECT pg_reload_conf()")
        url = f"postgresql://{role}@127.0.0.1:{self.port}/{role}"
        psql = [os.path.join(self.bin, "psql"), "-X", "-w", "-d", url, "-c", "SELECT 1"]
        env = {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "PGPASSFILE")}

        def asks_for_password():
            out = subprocess.run(psql, capture_output=True, text=True, env=env, timeout=60)
            return out.returncode != 0 and "no password supplied" in out.stderr
        # The postmaster rereads the file when it handles the signal: until then trust lets in.
        wait_for(asks_for_password, 30, what=f"PostgreSQL to ask {role} for a password")
        return url

    def psql(self, database, sql):
        """Runs SQL (or, with sql a path ending in .sql, the file) and returns psql's output."""
        args = [os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-d", self.url_for(database)]
        args += ["-f", sql] if sql.endswith(".sql") and os.path.exists(sql) else ["-c", sql]
        out = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"psql {sql[:200]!r} failed: {out.stderr}")
        return out.stdout

    def start(self):
        """Starts the server (again, after kill_postmaster() or stop()) on the same port and data."""
        pid = self._postmaster_pid()
        if pid is not None and _process_gone(pid):
            # A killed postmaster may linger as a zombie: its lock files are stale.
            for stale in (os.path.join(self.data, "postmaster.pid"),
                          os.path.join(self.root, f".s.PGSQL.{self.port}.lock"),
                          os.path.join(self.root, f".s.PGSQL.{self.port}")):
                if os.path.exists(stale):
                    os.remove(stale)
        self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", os.path.join(self.root, "server.log"),
                  "-o", f"-p {self.port}", "-w", "-t", "60", "start")
        isready = [os.path.join(self.bin, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port),
                   "-U", "postgres", "-d", "postgres"]
        wait_for(lambda: subprocess.run(isready).returncode == 0, 60, what="PostgreSQL to accept connections")

    def kill_postmaster(self):
        """SIGKILL to the postmaster, as a crash would; returns once it and every process it had
        started are gone."""
        pid = self._postmaster_pid()
        if pid is None:
            raise RuntimeError("PostgreSQL is not running")
        children = _children_of(pid)
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: all(_process_gone(p) for p in [pid, *children]), 30,
                 what="the postmaster and its children to exit")

    def stop(self):
        """pg_ctl stop -m immediate if it runs, then the folder goes."""
        pid = self._postmaster_pid()
        if pid is not None and not _process_gone(pid):
            subprocess.run([*self.as_postgres, os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(self.root, ignore_errors=True)

    def server_log(self):
        try:
            with open(os.path.join(self.root, "server.log")) as f:
                return f.read()
        except OSError:
            return ""

    def _postmaster_pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def _run(self, *args):
        with open(self.log, "ab") as log:
            out = subprocess.run([*self.as_postgres, *args], stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, timeout=180)
        if out.returncode != 0:
            with open(self.log, errors="replace") as log:
                tail = log.read()[-2000:]
            raise RuntimeError(f"{' '.join(args)} failed:\n{tail}\nserver log:\n{self.server_log()[-2000:]}")
