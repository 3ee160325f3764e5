"""A port below 1024 without CAP_NET_BIND_SERVICE is refused with words that say so (not
"address in use"), at every listener: syslog UDP and TCP, SNMP traps, the agent's /metrics, the
collector's gRPC and HTTP. As root the test drops the capability with util-linux setpriv, as a
unit without AmbientCapabilities=CAP_NET_BIND_SERVICE would run."""
import os
import shutil
import subprocess
import unittest

from harness import AGENT, COLLECTOR, RegwatchTestCase, free_port, store_location

NEEDS_RIGHT = "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE"


def unprivileged_port_start():
    try:
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
            return int(f.read())
    except OSError:
        return 1024


def without_bind_right():
    """The command prefix that runs a binary without CAP_NET_BIND_SERVICE."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--inh-caps=-all", "--ambient-caps=-all",
            "--bounding-set=-net_bind_service", "--"]


@unittest.skipIf(unprivileged_port_start() != 1024,
                 "net.ipv4.ip_unprivileged_port_start is not 1024 on this host")
@unittest.skipIf(os.geteuid() == 0 and not shutil.which("setpriv"), "needs util-linux setpriv")
class PrivilegedPortsTest(RegwatchTestCase):
    def run_bin(self, *args):
        return subprocess.run([*without_bind_right(), *args], capture_output=True, text=True,
                              timeout=60)

    def agent(self, *listeners):
        # Every listener off but the one under test; the collector need not exist (the agent
        # refuses to start before it connects).
        defaults = {"--syslog-udp": "", "--syslog-tcp": "", "--snmp-traps": "", "--metrics": ""}
        defaults.update(dict(zip(listeners[::2], listeners[1::2])))
        args = [AGENT, "--collector", f"127.0.0.1:{free_port()}", "--spool-dir", self.path("spool")]
        for flag, value in defaults.items():
            args += [flag, value]
        return self.run_bin(*args)

    def assert_refused(self, result, address):
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn(NEEDS_RIGHT, result.stderr)
        self.assertIn(address, result.stderr)
        self.assertNotIn("in use", result.stderr)

    def test_agent_syslog_udp_and_tcp_on_514(self):
        self.assert_refused(self.agent("--syslog-udp", "127.0.0.1:514"), "udp 127.0.0.1:514")
        self.assert_refused(self.agent("--syslog-tcp", "127.0.0.1:514"), "tcp 127.0.0.1:514")

    def test_agent_snmp_traps_on_162(self):
        self.assert_refused(self.agent("--snmp-traps", "127.0.0.1:162"), "127.0.0.1:162")

    def test_agent_metrics_on_a_low_port(self):
        self.assert_refused(self.agent("--metrics", "127.0.0.1:991"), "127.0.0.1:991")

    def test_collector_grpc_and_http_on_low_ports(self):
        db = store_location(self.path("regwatch.db"))
        result = self.run_bin(COLLECTOR, "--listen", "127.0.0.1:993", "--db", db,
                              "--http", "127.0.0.1:0")
        self.assert_refused(result, "127.0.0.1:993")
        self.assert_store_backend(result.stderr)  # the store opens first: the refusal is the port's
        result = self.run_bin(COLLECTOR, "--listen", "127.0.0.1:0", "--db", db,
                              "--http", "127.0.0.1:994")
        self.assert_refused(result, "127.0.0.1:994")

    def test_a_port_really_in_use_still_says_in_use(self):
        # The rule does not blame the capability for everything: a taken high port is "in use".
        taken = self.start_collector()
        port = taken.address.rsplit(":", 1)[1]
        result = self.run_bin(COLLECTOR, "--listen", f"127.0.0.1:{port}", "--db",
                              store_location(self.path("other.db")), "--http", "127.0.0.1:0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("in use", result.stderr)
        self.assertNotIn("CAP_NET_BIND_SERVICE", result.stderr)


if __name__ == "__main__":
    unittest.main()
