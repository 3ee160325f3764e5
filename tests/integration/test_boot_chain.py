"""The boot chain end to end with real parts: simulated Cisco phones (tools/boot_sim) walk DHCP,
TFTP and SCCP Register against dnsmasq and a CM sim in network namespaces the test makes
(boot_support.BootNetwork); the agent captures on the server's veth, the collector and CLI run
in the same namespace. Each scenario checks the simulator's own account first (the servers and
phones did what the scenario says), then what regwatch made of it: the events
(`regwatch events`), the stage in `regwatch explain`, and with 10 phones (the correlation's
min_phones) the incident."""
import json
import os
import shutil
import subprocess
import unittest

from boot_support import (CM_IP, CONFIG_LOAD, SCENARIOS, SRV_IF, TFTP_IP, BootNetwork, phone_ip,
                          phone_name)
from harness import AGENT, CLI, COLLECTOR, RegwatchTestCase, store_location, wait_for

PHONES = range(1, 11)  # 10: the correlation's min_phones, so the stalls make an incident
EVENT_TIMEOUT = 60
# Lower than the defaults so a stall is said within seconds of the phones' last packet.
AGENT_CONFIG = """syslog: {udp: "", tcp: ""}
metrics: {listen: ""}
sccp:
  ports: [2000]
boot:
  no_tftp_grace_s: 2
  transfer_timeout_s: 3
  server_silence_s: 5
"""
MISSING = [tool for tool in ("dnsmasq", "tcpdump", "ip") if shutil.which(tool) is None]


def find(obj, key, skip=()):
    """Every value of key anywhere in obj (wherever the CLI's JSON nests it), not looking under
    the keys in skip."""
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in skip:
                continue
            if k == key:
                found.append(v)
            found += find(v, key, skip)
    elif isinstance(obj, list):
        for v in obj:
            found += find(v, key, skip)
    return found


def field(event, key):
    """The event's value for key, flat or inside its payload object; None when absent."""
    values = find(event, key)
    return values[0] if values else None


def stall(event, key):
    """A boot_stalled event's BootStall field: `regwatch events` prefixes them with boot_
    (boot_rule, boot_stage, boot_cm_address...) beside the phone payload's own fields, some of
    the same name (cm_address: the SCCP connection's)."""
    value = field(event, "boot_" + key)
    return value if value is not None else field(event, key)


@unittest.skipUnless(os.geteuid() == 0, "network namespaces, raw frames and live capture need root")
@unittest.skipIf(MISSING, f"missing {', '.join(MISSING)}: run tools/setup.sh")
class BootChainTest(RegwatchTestCase):
    net = None

    def tearDown(self):
        if self.net is not None:
            self.net.close()  # every process, then the namespaces, before the temp dir goes
        super().tearDown()

    # -- the run
    def boot(self, scenario_name):
        """Brings the scenario up, starts collector and agent in ns srv, runs the phones;
        returns the simulator's lines. The namespaces stay up until the test ends."""
        net = self.net = self.enterContext(BootNetwork(SCENARIOS[scenario_name], PHONES, self.dir))
        # The collector runs in ns srv, whose 127.0.0.1 is not ours: PostgreSQL over its socket.
        db = store_location(self.path("regwatch.db"), over_socket=True)
        collector = net.start(net.in_srv(COLLECTOR, "--listen", "127.0.0.1:0", "--db", db, "--http", "127.0.0.1:0"),
                              "collector")
        line = wait_for(lambda: self._listening_line(collector), 30, what="the collector to listen")
        self.assert_store_backend(collector.stderr())
        self.collector_address = line.rsplit(" ", 1)[1]
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(AGENT_CONFIG)
        agent = net.start(net.in_srv(AGENT, "--agent-id", "boot-agent", "--collector", self.collector_address,
                                     "--spool-dir", self.path("spool"), "--snmp-traps", "", "--config", config,
                                     "--capture", SRV_IF), "agent")

        def capturing():
            if agent.proc.poll() is not None:
                raise AssertionError(f"agent exited {agent.proc.returncode}: {agent.stderr()}")
            return f"on {SRV_IF}" in agent.stderr() and "capturing" in agent.stderr()
        wait_for(capturing, 30, what=f"the agent to capture on {SRV_IF}")
        self.agent = agent
        return net.run_phones()

    def cli_json(self, *args):
        result = self.net_cli(*args, "--format", "json")
        return json.loads(result.stdout)

    def net_cli(self, *args):
        result = subprocess.run(self.net.in_srv(CLI, "--collector", self.collector_address, *args),
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"regwatch {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    def kind(self, kind):
        return self.cli_json("events", "--kind", kind, "--limit", "100000", "--since", "1h")

    def wait_events(self, kind, match, count=len(PHONES), what=None):
        """Waits until `count` phones have a `kind` event for which match(event) holds."""
        def enough():
            hits = [e for e in self.kind(kind) if match(e)]
            return hits if len({self.device(e) for e in hits}) >= count else None
        return wait_for(enough, EVENT_TIMEOUT, interval=0.5, what=what or f"{count} phones' {kind}")

    @staticmethod
    def device(event):
        return field(event, "device") or field(event, "device_name")

    def assert_stage(self, stage, rule=None):
        """`regwatch explain` names the stage (and the rule) for every phone: explain's own
        words, not the events of its timeline (a boot_stalled event there has both)."""
        for i in PHONES:
            explained = self.cli_json("explain", phone_name(i))
            said = lambda key: find(explained, key, skip=("timeline",))
            self.assertIn(stage, said("stage"), f"{phone_name(i)}: {explained}")
            if rule:
                self.assertIn(rule, said("rule"), f"{phone_name(i)}: {explained}")

    def incident(self, incident_class):
        def found():
            for i in self.cli_json("incidents", "--since", "1h"):
                if i["phone_count"] >= len(PHONES) and i["class"] == incident_class:
                    return i
            return None
        return wait_for(found, EVENT_TIMEOUT, interval=0.5, what=f"a {incident_class} incident of the phones")

    def assert_results(self, lines, result):
        summary = lines[-1]
        self.assertEqual(summary["event"], "summary")
        self.assertEqual(summary["results"], {result: len(PHONES)}, lines)

    def stalled(self, rule):
        return self.wait_events("boot_stalled", lambda e: stall(e, "rule") == rule, what=f"boot_stalled {rule}")

    # -- the scenarios
    def test_healthy_boot(self):
        lines = self.boot("healthy")
        self.assert_results(lines, "registered")
        leases = self.wait_events("dhcp_lease", lambda e: field(e, "tftp_servers") == [TFTP_IP])
        self.assertEqual({field(e, "leased_ip") for e in leases}, {phone_ip(i) for i in PHONES})
        self.assertTrue(all(field(e, "cisco_phone") for e in leases))
        failed = self.wait_events("boot_file_failed", lambda e: (field(e, "file") or "").startswith("CTLSEP"))
        self.assertEqual({field(e, "failure") for e in failed}, {"not_found"})
        self.assertEqual({field(e, "file_kind") for e in failed}, {"ctl"})
        self.wait_events("boot_file_fetched", lambda e: field(e, "file_kind") == "itl")
        configs = self.wait_events("boot_file_fetched", lambda e: field(e, "file_kind") == "config_signed")
        for e in configs:
            self.assertEqual(field(e, "file"), f"{self.device(e)}.cnf.xml.sgn")
            self.assertEqual(field(e, "cm_group"), [CM_IP])
            self.assertEqual(field(e, "load_name"), CONFIG_LOAD)
            self.assertEqual(field(e, "server"), TFTP_IP)
        self.wait_events("phone_registered", lambda e: True)
        self.assertEqual(self.kind("boot_stalled"), [])
        self.assert_stage("registration")
        self.assertEqual([i for i in self.cli_json("incidents", "--since", "1h") if i["phone_count"] >= 2], [])

    def test_config_loop(self):
        lines = self.boot("config_loop")
        self.assert_results(lines, "config_loop")
        stalls = self.stalled("config_loop")
        self.assertEqual({stall(e, "stage") for e in stalls}, {"config"})
        self.assertTrue(all(stall(e, "fetches") >= 3 for e in stalls))
        self.assertEqual(self.kind("phone_registered"), [])
        self.assert_stage("config", "config_loop")
        self.incident("security")

    def test_firmware_loop(self):
        lines = self.boot("firmware_loop")
        self.assert_results(lines, "firmware_loop")
        stalls = self.stalled("firmware_loop")
        self.assertEqual({stall(e, "stage") for e in stalls}, {"firmware"})
        self.assertEqual({stall(e, "load_name") for e in stalls}, {CONFIG_LOAD})
        self.assert_stage("firmware", "firmware_loop")
        self.incident("security")

    def test_not_provisioned(self):
        lines = self.boot("not_provisioned")
        self.assert_results(lines, "not_registered")
        self.assertTrue(any(l["event"] == "tftp_fetched" and l["file"] == "XMLDefault.cnf.xml" for l in lines))
        missing = self.wait_events("boot_file_failed", lambda e: field(e, "failure") == "not_found"
                                   and field(e, "file") == f"{self.device(e)}.cnf.xml")
        self.assertEqual(len(missing), len(PHONES))
        stalls = self.stalled("not_provisioned")
        self.assertEqual({stall(e, "stage") for e in stalls}, {"config"})
        self.assert_stage("config", "not_provisioned")
        self.incident("config")

    def test_wrong_tftp_server(self):
        lines = self.boot("wrong_tftp")
        self.assert_results(lines, "not_registered")
        rejected = [l for l in lines if l["event"] == "register_rejected"]
        self.assertEqual({l["cm"] for l in rejected}, {TFTP_IP})
        stalls = self.stalled("wrong_cm_group")
        self.assertEqual({stall(e, "cm_address") for e in stalls}, {TFTP_IP})
        self.assertTrue(all(stall(e, "cm_group") == [CM_IP] for e in stalls))
        self.assert_stage("registration", "wrong_cm_group")
        self.incident("config")

    def test_no_option_150(self):
        lines = self.boot("no_option_150")
        self.assert_results(lines, "no_tftp_server")
        no_option = self.wait_events("dhcp_no_tftp_option", lambda e: True)
        self.assertTrue(all(field(e, "tftp_servers") in (None, []) for e in no_option))
        stalls = self.stalled("no_tftp_option")  # after boot.no_tftp_grace_s (2 s here)
        self.assertEqual({stall(e, "stage") for e in stalls}, {"dhcp"})
        self.assert_stage("dhcp", "no_tftp_option")
        self.incident("config")

    def test_tftp_server_down(self):
        lines = self.boot("tftp_down")
        self.assert_results(lines, "no_config")
        self.wait_events("boot_file_failed", lambda e: field(e, "failure") == "no_answer")
        server = wait_for(lambda: [e for e in self.kind("tftp_server_unanswered")
                                   if field(e, "server") == TFTP_IP], EVENT_TIMEOUT, interval=0.5,
                          what="tftp_server_unanswered")
        self.assertGreaterEqual(field(server[0], "unanswered_requests"), 2)
        self.assertGreaterEqual(field(server[0], "phones"), 2)
        stalls = self.stalled("tftp_unanswered")
        self.assertEqual({stall(e, "tftp_server") for e in stalls}, {TFTP_IP})
        self.assert_stage("trust_list", "tftp_unanswered")
        incident = self.incident("infrastructure")
        self.assertIn("tftp_unavailable", [c["kind"] for c in incident["causes"]], incident["causes"])



@unittest.skipUnless(os.geteuid() == 0, "network namespaces and raw frames need root")
@unittest.skipIf(MISSING, f"missing {', '.join(MISSING)}: run tools/setup.sh")
class BootNetworkTest(RegwatchTestCase):
    """The real parts alone, without regwatch: dnsmasq, the CM sims and the simulated phones do
    what each scenario says, and nothing is left behind."""

    EXPECTED = {"healthy": "registered", "healthy_http": "registered", "config_loop": "config_loop",
                "firmware_loop": "firmware_loop", "not_provisioned": "not_registered",
                "wrong_tftp": "not_registered", "no_option_150": "no_tftp_server", "tftp_down": "no_config"}

    def test_each_scenario_plays_out_against_the_real_servers(self):
        self.assertEqual(set(self.EXPECTED), set(SCENARIOS))
        for name, result in self.EXPECTED.items():
            with self.subTest(scenario=name):
                workdir = self.path(name)
                os.makedirs(workdir)
                with BootNetwork(SCENARIOS[name], range(1, 4), workdir) as net:
                    lines = net.run_phones()
                    namespaces = (net.srv, net.ph)
                self.assertEqual(lines[-1]["results"], {result: 3}, lines)
                by_event = {}
                for line in lines:
                    by_event.setdefault(line["event"], []).append(line)
                acks = by_event.get("dhcp_ack", [])
                self.assertEqual({(l["phone"], l["yiaddr"]) for l in acks},
                                 {(phone_name(i), phone_ip(i)) for i in range(1, 4)})  # the reservations
                offered = {tuple(l.get("tftp_servers", [])) for l in acks}
                self.assertEqual(offered, {()} if name == "no_option_150" else {(TFTP_IP,)})
                if name == "healthy_http":
                    self.assertEqual({l["status"] for l in by_event["http_get"]}, {200, 404})
                if name in ("config_loop", "firmware_loop"):
                    fetched = [l["file"] for l in by_event["tftp_fetched"]]
                    looped = f"{phone_name(1)}.cnf.xml.sgn" if name == "config_loop" else f"{CONFIG_LOAD}.loads"
                    self.assertEqual(fetched.count(looped), 4 if name == "config_loop" else 12)
                if name == "not_provisioned":
                    self.assertEqual({l["file"] for l in by_event["tftp_error"] if l["file"].startswith("SEP")},
                                     {f"{phone_name(i)}.cnf.xml{sgn}" for i in range(1, 4) for sgn in ("", ".sgn")})
                    self.assertEqual({l["text"] for l in by_event["register_rejected"]}, {"Unknown Device"})
                if name == "wrong_tftp":
                    self.assertEqual({l["cm"] for l in by_event["register_rejected"]}, {TFTP_IP})
                    self.assertEqual({tuple(l["cm_group"]) for l in by_event["config"]}, {(CM_IP,)})
                if name == "tftp_down":
                    self.assertEqual({l["file"] for l in by_event["tftp_no_answer"]},
                                     {f"{prefix}{phone_name(i)}{suffix}" for i in range(1, 4)
                                      for prefix, suffix in (("CTL", ".tlv"), ("ITL", ".tlv"), ("", ".cnf.xml.sgn"))})
                listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
                left = {line.split()[0] for line in listed.splitlines() if line.strip()} & set(namespaces)
                self.assertEqual(left, set(), "namespaces left behind")


if __name__ == "__main__":
    unittest.main()
