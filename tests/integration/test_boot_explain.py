"""The collector side of the boot chain (issue 22) with real parts: captures of phones booting
against dnsmasq (tests/data/boot/, made by tools/boot_sim) replayed by the real agent into a real
collector, then read back with the CLI: `regwatch events` shows the new kinds, `regwatch explain`
the phone's boot chain (stage, lease, files and counts, the rule and its remediation), and with
the collector's min_phones at 3, the looping phones make an incident of the rule's class with a
boot_loop cause."""
import json
import os
import unittest

from harness import DATA, RegwatchTestCase, wait_for

BOOT_DATA = os.path.join(DATA, "boot")
LOOPING = "SEP00AABB000002"  # one of the three phones of each capture


class BootExplainTest(RegwatchTestCase):
    def replay(self, collector, name):
        agent = self.start_agent(collector.address, agent_id=f"boot-{name}",
                                 extra=["--replay-pcap", os.path.join(BOOT_DATA, f"{name}.pcap")])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())

    def explain(self, collector, device):
        out = self.cli(collector.address, "explain", device, "--format", "json").stdout
        return json.loads(out)

    def test_a_config_loop_in_events_and_explain(self):
        collector = self.start_collector()
        self.replay(collector, "config_loop")
        stalls = wait_for(lambda: self.events(collector.address, "--kind", "boot_stalled"), 30,
                          what="the stalls")
        self.assertEqual(sorted(e["device"] for e in stalls),
                         ["SEP00AABB000001", "SEP00AABB000002", "SEP00AABB000003"])
        self.assertTrue(all(e["boot_rule"] == "config_loop" and e["source"] == "boot"
                            for e in stalls), stalls)
        leases = self.events(collector.address, "--kind", "dhcp_lease", "--device", LOOPING)
        self.assertEqual(len(leases), 1)
        self.assertEqual(leases[0]["tftp_servers"], ["10.77.0.1"])

        d = self.explain(collector, LOOPING)
        self.assertEqual(d["state"], "unregistered")
        self.assertEqual(d["reason"]["name"], "config_loop")
        self.assertEqual(d["reason"]["class"], "security")
        chain = d["boot_chain"]
        self.assertEqual(chain["stage"], "config")
        self.assertEqual(chain["rule"], "config_loop")
        self.assertFalse(chain["registered"])
        self.assertEqual(chain["lease"]["tftp_servers"], ["10.77.0.1"])
        config = [f for f in chain["files"] if f["file"] == f"{LOOPING}.cnf.xml.sgn"]
        self.assertEqual(len(config), 1, chain["files"])
        self.assertGreaterEqual(config[0]["fetched"], 3)
        self.assertTrue(chain["summary"].startswith(
            f"stuck at config download from 10.77.0.1 for "), chain["summary"])
        self.assertIn(f"{LOOPING}.cnf.xml.sgn fetched {config[0]['fetched']} times, never registered: "
                      "The phone rejects its signed config", chain["summary"])
        self.assertTrue(d["next_steps"][0].startswith("stuck at config download (config_loop): "))
        text = self.cli(collector.address, "explain", LOOPING).stdout
        self.assertIn("Boot chain: stuck at config download from 10.77.0.1", text)
        self.assertIn("reason:     config_loop (its boot chain)", text)

    def test_looping_phones_make_an_incident_of_the_rules_class(self):
        config = self.path("collector.yaml")
        with open(config, "w") as f:
            f.write("correlation:\n  min_phones: 3\n")
        collector = self.start_collector(extra=["--config", config])
        self.replay(collector, "firmware_loop")
        incidents = wait_for(lambda: json.loads(self.cli(
            collector.address, "incidents", "--since", "2020-01-01T00:00:00Z", "--format",
            "json").stdout), 60, what="the incident")
        self.assertEqual(len(incidents), 1, incidents)
        incident = incidents[0]
        self.assertEqual(incident["class"], "security")
        self.assertEqual(incident["phone_count"], 3)
        top = incident["causes"][0]
        self.assertEqual(top["kind"], "boot_loop")
        self.assertIn("3 phones on", top["explanation"])
        self.assertIn("stuck at firmware download", top["explanation"])
        self.assertIn("intermediate load", top["remediation"])
        scopes = [incident["scope"]] + incident.get("also_scopes", [])
        self.assertIn({"type": "tftp_server", "name": "10.77.0.1"}, scopes)
        self.assertNotEqual(incident["scope"]["type"], "tftp_server")  # the subnet names it
        # A looping phone's explain leads with its rule, then the incident it is one of.
        d = self.explain(collector, LOOPING)
        self.assertEqual(d["incident"]["id"], incident["id"])
        self.assertTrue(d["next_steps"][0].startswith("stuck at firmware download (firmware_loop): "))
        self.assertIn(f"it is one of 3 phones of incident {incident['id']}", d["next_steps"][1])


if __name__ == "__main__":
    unittest.main()
