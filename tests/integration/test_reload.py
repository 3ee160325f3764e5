"""SIGHUP reloads the configuration of a running collector and agent (issue 20): receivers,
tokens and parsing options change in place; connected agents stay connected, no event is lost
or stored twice; an invalid config is refused, logged, and the running one kept; SIGHUP never
kills a daemon. `regwatch status` says which config runs (its SHA-256) and what waits for a
restart."""
import datetime
import hashlib
import json
import os
import signal
import socket
import subprocess
import unittest
import urllib.request

from harness import RegwatchTestCase, free_port, wait_for
from alerting_support import Receiver, open_incident_archive

ZONELESS_LINK_DOWN = ("344: Sep 21 2026 09:22:02.684: %LINK-3-UPDOWN: Interface "
                      "GigabitEthernet1/0/{port}, changed state to down")


def send_udp(port, lines):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for line in lines:
            s.sendto(f"<187>{line}".encode(), ("127.0.0.1", port))


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class CollectorReloadTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        self.receiver = Receiver()
        self.addCleanup(self.receiver.server_close)
        self.addCleanup(self.receiver.shutdown)
        self.config_path = self.path("collector.yaml")

    def write_config(self, viewer, hook, extra=""):
        with open(self.config_path, "w") as f:
            f.write(f"""tokens: {{edge-1: agent-secret}}
access_tokens:
  - {{name: noc, role: viewer, token: {viewer}}}
alerting:
  conditions: []
  group_wait_s: 1
  retry_min_s: 1
  receivers:
    - name: noc-webhook
      type: webhook
      url: {self.receiver.url(hook)}
{extra}""")

    def cli_as(self, token, *args, check=True):
        return self.cli(self.collector.address, *args, check=check,
                        env={**os.environ, "REGWATCH_TOKEN": token})

    def total(self, token):
        return json.loads(self.cli_as(token, "status", "--format", "json").stdout)["total_events"]

    def hup_and_wait(self, what):
        before = self.collector.stderr().count(what)
        self.collector.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.collector.stderr().count(what) > before, 30, what=what)
        self.assertIsNone(self.collector.proc.poll(), "SIGHUP must never kill the collector")

    def test_sighup_swaps_receivers_and_tokens_keeping_agents_and_events(self):
        self.write_config("viewer-one", "/hook-old")
        self.collector = self.start_collector(extra=["--config", self.config_path])
        status = json.loads(self.cli_as("viewer-one", "status", "--format", "json").stdout)
        self.assertEqual(status["config"]["sha256"], sha256_of(self.config_path))
        self.assertIsNone(status["config"]["last_reload_at"])
        port = free_port(socket.SOCK_DGRAM)
        agent = self.start_agent(self.collector.address, agent_id="edge-1", extra=[
            "--token", "agent-secret", "--syslog-udp", f"127.0.0.1:{port}", "--syslog-tcp", ""])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="the agent to listen")
        send_udp(port, [ZONELESS_LINK_DOWN.format(port=i) for i in range(5)])
        wait_for(lambda: self.total("viewer-one") == 5, 30, what="5 events")

        # New receiver URL, the viewer's token rotated, and a start-only key changed.
        self.write_config("viewer-two", "/hook-new", "retention_days: 7\n")
        self.hup_and_wait("reload done")
        self.assertIn("retention_days changed but is read only at start", self.collector.stderr())
        refused = self.cli_as("viewer-one", "status", check=False)
        self.assertEqual(refused.returncode, 3, refused.stderr)  # the old token is gone
        status = json.loads(self.cli_as("viewer-two", "status", "--format", "json").stdout)
        self.assertEqual(status["config"]["sha256"], sha256_of(self.config_path))
        self.assertTrue(status["config"]["last_reload_ok"])
        self.assertIsNotNone(status["config"]["last_reload_at"])
        self.assertEqual(status["config"]["needs_restart"], ["retention_days"])
        table = self.cli_as("viewer-two", "status").stdout
        self.assertIn("restart to apply: retention_days", table)

        # The agent's stream survived: more lines arrive once, nothing twice.
        send_udp(port, [ZONELESS_LINK_DOWN.format(port=i) for i in range(5, 10)])
        wait_for(lambda: self.total("viewer-two") == 10, 30, what="10 events")
        self.assertNotIn("reconnect", agent.stderr().lower())

        # Pages go to the new receiver only.
        now = datetime.datetime.now(datetime.timezone.utc)
        archive = open_incident_archive(self.path("burst.log"), now - datetime.timedelta(minutes=3))
        replay = self.start_agent(self.collector.address, agent_id="edge-1", name="replay",
                                  spool=self.path("spool-replay"), extra=["--token", "agent-secret", "--replay-syslog", archive])
        self.assertEqual(replay.proc.wait(timeout=120), 0, replay.stderr())
        firing = wait_for(lambda: self.receiver.posted("/hook-new"), 60, what="the page to the new URL")
        self.assertEqual(firing[0]["status"], "firing")
        self.assertEqual(self.receiver.posted("/hook-old"), [])

        # An invalid config is refused with its line; the running one stays.
        with open(self.config_path, "w") as f:
            f.write("tokens: {edge-1: agent-secret}\nretention_days: -3\n")
        self.hup_and_wait("reload refused")
        self.assertIn("collector.yaml:2", self.collector.stderr())
        status = json.loads(self.cli_as("viewer-two", "status", "--format", "json").stdout)
        self.assertFalse(status["config"]["last_reload_ok"])
        self.assertIn("collector.yaml:2", status["config"]["last_reload_error"])
        self.assertIn("LAST RELOAD REFUSED", self.cli_as("viewer-two", "status").stdout)
        with urllib.request.urlopen(self.collector.http_url + "metrics", timeout=10) as r:
            metrics = r.read().decode()
        self.assertIn("regwatch_collector_config_last_reload_successful 0", metrics)
        send_udp(port, [ZONELESS_LINK_DOWN.format(port=11)])
        wait_for(lambda: self.total("viewer-two") >= 11, 30, what="ingest after a refused reload")

        self.assertEqual(self.collector.terminate(), 0)
        self.assertEqual(agent.terminate(), 0)


class AgentReloadTest(RegwatchTestCase):
    def write_config(self, offset, broken=False):
        with open(self.config_path, "w") as f:
            f.write(f"""syslog:
  udp: 127.0.0.1:{self.port}
  tcp: ""
  assume_utc_offset: "{offset}"
snmp:
  traps: ""
""")
            if broken:
                f.write("spool: {max_size: lots}\n")

    def test_sighup_reapplies_parsing_and_a_bad_config_is_refused(self):
        self.collector = self.start_collector()
        self.port = free_port(socket.SOCK_DGRAM)
        self.config_path = self.path("agent.yaml")
        self.write_config("+00:00")
        agent = self.start_agent(self.collector.address, extra=["--config", self.config_path])
        wait_for(lambda: "receiving syslog" in agent.stderr(), 30, what="the agent to listen")
        send_udp(self.port, [ZONELESS_LINK_DOWN.format(port=1)])
        first = wait_for(lambda: self.events(self.collector.address, "--kind", "link_down"), 30,
                         what="the first link_down")
        self.assertEqual(first[0]["event_time"], "2026-09-21T09:22:02.684Z")

        self.write_config("+02:00")
        agent.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload done: applied parsing options" in agent.stderr(), 30, what="the reload")
        send_udp(self.port, [ZONELESS_LINK_DOWN.format(port=2)])
        events = wait_for(lambda: len(self.events(self.collector.address, "--kind", "link_down")) == 2
                          and self.events(self.collector.address, "--kind", "link_down"), 30,
                          what="the second link_down")
        second = [e for e in events if e["interface"].endswith("/2")][0]
        self.assertEqual(second["event_time"], "2026-09-21T07:22:02.684Z")  # read as UTC+2

        self.write_config("+02:00", broken=True)
        agent.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in agent.stderr(), 30, what="the refusal")
        self.assertIn("agent.yaml:7", agent.stderr())
        self.assertIsNone(agent.proc.poll(), "SIGHUP must never kill the agent")
        self.assertEqual(agent.terminate(), 0)

    def test_sighup_without_a_config_file_is_logged_not_fatal(self):
        collector = self.start_collector()
        agent = self.start_agent(collector.address, extra=["--syslog-udp", "", "--syslog-tcp", ""])
        wait_for(lambda: "agent '" in agent.stderr(), 30, what="the agent to start")
        agent.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "nothing to reload" in agent.stderr(), 30, what="the SIGHUP to be logged")
        collector.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload done: nothing changed" in collector.stderr(), 30,
                 what="the collector's reload")
        self.assertIsNone(agent.proc.poll())
        self.assertEqual(agent.terminate(), 0)
        self.assertEqual(collector.terminate(), 0)


class NotifySocket:
    """What systemd's Type=notify sees: the datagrams a daemon sends to $NOTIFY_SOCKET."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []

    def read(self):
        try:
            while True:
                self.messages.append(self.sock.recv(4096).decode())
        except socket.timeout:
            pass
        return self.messages

    def wait(self, text, count=1):
        return wait_for(lambda: sum(text in m.split("\n") for m in self.read()) >= count, 30,
                        what=f"{text} on NOTIFY_SOCKET")

    def close(self):
        self.sock.close()


class ServiceNotifyTest(RegwatchTestCase):
    """Type=notify: READY=1 once listening, RELOADING=1 then READY=1 around a SIGHUP (also a
    refused one), STOPPING=1 at SIGTERM; watchdog pings when WATCHDOG_USEC asks for them."""

    def daemon_env(self, name):
        notify = NotifySocket(self.path(f"{name}.notify"))
        self.addCleanup(notify.close)
        return notify, {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"}

    def check_lifecycle(self, process, notify):
        notify.wait("READY=1")
        notify.wait("WATCHDOG=1", count=2)
        process.proc.send_signal(signal.SIGHUP)
        notify.wait("RELOADING=1")
        notify.wait("READY=1", count=2)
        process.proc.send_signal(signal.SIGTERM)
        notify.wait("STOPPING=1")
        self.assertEqual(process.proc.wait(timeout=30), 0)

    def test_collector_and_agent_speak_sd_notify(self):
        collector_notify, collector_env = self.daemon_env("collector")
        config = self.path("collector.yaml")
        with open(config, "w") as f:
            f.write("log_level: info\n")
        collector = self.start_collector(extra=["--config", config], env=collector_env)

        agent_notify, agent_env = self.daemon_env("agent")
        agent_config = self.path("agent.yaml")
        with open(agent_config, "w") as f:
            f.write('syslog: {udp: "", tcp: ""}\n')
        agent = self.start_agent(collector.address, extra=["--config", agent_config], env=agent_env)
        self.check_lifecycle(agent, agent_notify)
        self.check_lifecycle(collector, collector_notify)


if __name__ == "__main__":
    unittest.main()
