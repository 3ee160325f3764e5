"""SNMP targets that answer but lack what their role needs (issue 21): the real recording of a
CUCM 11.5 node without CISCO-CCM-MIB polled as a cucm target, and a real C9300 recording without
a CPU table polled as a switch, served by snmpsimd. Each gets one snmp_data_missing event (not one
per poll) and a WARN line naming the fix; `regwatch status` and the agent's metrics show them; a
switch with its CPU table (2960X) lacks nothing. An agent with nothing to say yet is listed by
`regwatch status` too."""
import os
import re
import socket
import unittest
import urllib.request

from harness import DATA, RegwatchTestCase, SnmpSim, free_port, wait_for

RECORDINGS = os.path.join(DATA, "realworld", "snmp", "recordings")
CCM = "CISCO-CCM-MIB"
CPU_TABLE = "CISCO-PROCESS-MIB cpmCPUTotalTable"


def recording(name):
    with open(os.path.join(RECORDINGS, name + ".snmprec")) as f:
        return f.read()


def metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def sample(text, name, **labels):
    """The value of one sample of the exposition, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name):line.rindex("}") + 1]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


class SnmpRolesTest(RegwatchTestCase):
    def test_targets_lacking_their_roles_data_are_reported(self):
        sim = SnmpSim(self, {name: recording(name) for name in ("ucos_cucm", "iosxe_c9300", "ios_2960x")})
        collector = self.start_collector()
        metrics_port = free_port()
        config = self.path("agent.yaml")
        with open(config, "w") as f:
            f.write(f"""syslog: {{udp: "", tcp: ""}}
snmp:
  targets:
    - {{name: ucm-pub, address: "{sim.address}", role: cucm, community: ucos_cucm, interval_s: 1}}
    - {{name: sw-c9300, address: "{sim.address}", role: switch, community: iosxe_c9300, interval_s: 1}}
    - {{name: sw-2960x, address: "{sim.address}", role: switch, community: ios_2960x, interval_s: 1}}
""")
        agent = self.start_agent(collector.address, extra=["--config", config,
                                                           "--metrics", f"127.0.0.1:{metrics_port}"])

        def missing(origin):
            return [e for e in self.events(collector.address, "--kind", "snmp_data_missing", "--origin", origin)]

        ccm = wait_for(lambda: [e for e in missing("ucm-pub") if e["missing"] == CCM], 60,
                       what="the cucm target's missing CISCO-CCM-MIB")[0]
        self.assertEqual(ccm["source"], "snmp_poll")
        self.assertEqual(ccm["role"], "cucm")
        self.assertEqual(ccm["address"], sim.address)
        # Nothing under 1.3.6.1.4.1.9.9.156: snmpsim says noSuchInstance, CUCM noSuchObject.
        self.assertIn(ccm["answer"], ("noSuchObject", "noSuchInstance"))
        self.assertFalse(ccm["resolved"])
        self.assertIn("Cisco CallManager SNMP Service", ccm["fix"])
        self.assertIn("1.3.6.1.4.1.9.9.156", ccm["fix"])
        cpu = wait_for(lambda: [e for e in missing("sw-c9300") if e["missing"] == CPU_TABLE], 60,
                       what="the C9300's missing CPU table")[0]
        self.assertEqual(cpu["role"], "switch")
        self.assertIn("cpmCPUTotalTable", cpu["fix"])

        # Several polls later: still one report each (rate-limited), and none for the 2960X.
        wait_for(lambda: (sample(metrics(metrics_port), "regwatch_snmp_polls_total", target="ucm-pub") or 0) >= 4,
                 60, what="four polls of ucm-pub")
        # Events are shipped in spool order: a CPU sample stored after this point was sent after
        # anything the polls so far produced.
        samples = len(self.events(collector.address, "--kind", "cpu_sample", "--origin", "sw-2960x"))
        wait_for(lambda: len(self.events(collector.address, "--kind", "cpu_sample", "--origin", "sw-2960x"))
                 >= samples + 2, 60, what="later CPU samples of sw-2960x")
        self.assertEqual(len([e for e in missing("ucm-pub") if e["missing"] == CCM]), 1)
        self.assertEqual(len([e for e in missing("sw-c9300") if e["missing"] == CPU_TABLE]), 1)
        self.assertEqual(missing("sw-2960x"), [])

        # The agent's log says it once per target and part, with the fix.
        log = agent.stderr()
        ccm_lines = [l for l in log.splitlines() if "'ucm-pub'" in l and "lacks CISCO-CCM-MIB" in l]
        self.assertEqual(len(ccm_lines), 1, log)
        self.assertIn("warn", ccm_lines[0].lower())
        self.assertIn("Control Center - Feature Services", ccm_lines[0])
        self.assertEqual(len([l for l in log.splitlines() if "'sw-c9300'" in l and "cpmCPUTotalTable" in l]), 1, log)

        # The metrics: 1 while missing, 0 for what is there.
        exposition = metrics(metrics_port)
        self.assertEqual(sample(exposition, "regwatch_agent_snmp_target_incomplete",
                                target="ucm-pub", role="cucm", missing=CCM), 1.0)
        self.assertEqual(sample(exposition, "regwatch_agent_snmp_target_incomplete",
                                target="sw-c9300", role="switch", missing=CPU_TABLE), 1.0)
        self.assertEqual(sample(exposition, "regwatch_agent_snmp_target_incomplete",
                                target="sw-2960x", role="switch", missing=CPU_TABLE), 0.0)

        # regwatch status: per agent, the targets with missing data.
        status = self.status(collector.address)
        agent_status = next(a for a in status["agents"] if a["agent_id"] == "test-agent")
        self.assertTrue(agent_status["connected"])
        incomplete = {(t["target"], t["missing"]) for t in agent_status["incomplete_targets"]}
        self.assertIn(("ucm-pub", CCM), incomplete)
        self.assertIn(("sw-c9300", CPU_TABLE), incomplete)
        self.assertNotIn("sw-2960x", {t for t, _ in incomplete})
        table = self.cli(collector.address, "status").stdout
        self.assertIn("SNMP target ucm-pub (cucm) lacks CISCO-CCM-MIB", table)
        self.assertIn("SNMP target sw-c9300 (switch) lacks " + CPU_TABLE, table)
        self.assertEqual(agent.terminate(), 0)

    def test_an_agent_that_has_sent_nothing_is_listed(self):
        collector = self.start_collector()
        quiet = self.start_agent(collector.address, agent_id="quiet-agent", extra=[
            "--syslog-udp", f"127.0.0.1:{free_port(socket.SOCK_DGRAM)}", "--syslog-tcp", ""])

        def listed():
            return next((a for a in self.status(collector.address)["agents"] if a["agent_id"] == "quiet-agent"), None)

        agent = wait_for(listed, 30, what="the quiet agent in regwatch status")
        self.assertTrue(agent["connected"])
        self.assertEqual(agent["events"], 0)
        self.assertIsNone(agent["last_store_time"])
        self.assertIn("agent quiet-agent: no events yet (connected)", self.cli(collector.address, "status").stdout)
        self.assertEqual(quiet.terminate(), 0)
        # Gone with its stream: nothing stored, nothing to list.
        wait_for(lambda: listed() is None, 30, what="the quiet agent to leave regwatch status")


if __name__ == "__main__":
    unittest.main()
